// kernels_avx512.cc — the CPU kernels built for AVX-512 (compiled with -mavx512f -mavx512dq
// -mavx512bw -mavx512vl -mfma; see cpu.cmake). Called only when isa.h picked avx512 at run time.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "cpu/kernels.h"
#include "cpu/simd_avx512.h"
#include "jrnn/jrnn.h"

namespace jrnn::cpu::avx512 {
namespace {
constexpr Isa kIsa = Isa::kAvx512;
#include "cpu/kernels_impl.h"
}  // namespace

const Kernels* kernels() {
  return &kTable;
}

}  // namespace jrnn::cpu::avx512
