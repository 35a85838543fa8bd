// isa.cc — run-time instruction-set selection (see isa.h).
#include "cpu/isa.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace jrnn::cpu {
namespace {

Isa detect() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  // AVX-512 kernels use F (arithmetic, masks), DQ/BW/VL are not required by them but come together
  // on every CPU with AVX-512 we care about; require F and DQ. AVX2 kernels need FMA too.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("fma"))
    return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
  // Elsewhere (AArch64: its vector code is the compiler's NEON in the portable loops) and on x86
  // CPUs without AVX2 + FMA: OpenBLAS + the portable pointwise code.
  return Isa::kGeneric;
}

Isa from_env(Isa best) {
  const char* v = std::getenv("JRNN_CPU_ISA");
  if (!v || !*v) return best;
  Isa want = best;
  if (!std::strcmp(v, "generic"))
    want = Isa::kGeneric;
  else if (!std::strcmp(v, "avx2"))
    want = Isa::kAvx2;
  else if (!std::strcmp(v, "avx512"))
    want = Isa::kAvx512;
  return (int)want < (int)best ? want : best;
}

std::atomic<int> g_override{-1};

}  // namespace

Isa detected_isa() {
  static const Isa isa = detect();
  return isa;
}

Isa active_isa() {
  const Isa best = detected_isa();
  const int o = g_override.load(std::memory_order_relaxed);
  if (o >= 0) return (int)o < (int)best ? (Isa)o : best;
  static const Isa env = from_env(best);
  return env;
}

void set_isa_override(Isa isa) {
  g_override.store((int)isa);
}
void reset_isa_override() {
  g_override.store(-1);
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx2:
      return "avx2";
    default:
      return "generic";
  }
}

}  // namespace jrnn::cpu
