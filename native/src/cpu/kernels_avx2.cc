// kernels_avx2.cc — the CPU kernels built for AVX2 + FMA (compiled with -mavx2 -mfma; see
// cpu.cmake). Called only when isa.h picked avx2 at run time.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "cpu/kernels.h"
#include "cpu/simd_avx2.h"
#include "jrnn/jrnn.h"

namespace jrnn::cpu::avx2 {
namespace {
constexpr Isa kIsa = Isa::kAvx2;
#include "cpu/kernels_impl.h"
}  // namespace

const Kernels* kernels() {
  return &kTable;
}

}  // namespace jrnn::cpu::avx2
