// isa.h — which instruction set the CPU path uses, picked at RUN TIME from the CPU (cpuid through
// __builtin_cpu_supports), never at build time: libjrnn.so runs on any x86-64, and the AVX2 and
// AVX-512 kernels live in files compiled with their own flags (kernels_avx2.cc, kernels_avx512.cc).
// Those files exist only in x86-64 builds (cpu.cmake); elsewhere (linux-arm64) the CPU path is
// always the generic one.
//   generic  OpenBLAS sgemm + plain pointwise loops (the portable path: any x86-64, AArch64)
//   avx2     our kernels with AVX2 + FMA (8 lanes)
//   avx512   our kernels with AVX-512 F/DQ/BW/VL (16 lanes)
// JRNN_CPU_ISA=generic|avx2|avx512 in the environment caps the choice (an ISA the CPU lacks falls
// back to the best one it has); tests force each variant with set_isa_override().
#pragma once

namespace jrnn::cpu {

enum class Isa { kGeneric = 0, kAvx2 = 1, kAvx512 = 2 };

// The best ISA this CPU supports (cached after the first call).
Isa detected_isa();
// The ISA the CPU path uses now: the override if set, else JRNN_CPU_ISA if set, else
// detected_isa(), never above detected_isa().
Isa active_isa();
// For tests and benchmarks: force an ISA (capped at detected_isa()); reset_isa_override() undoes
// it. Not thread-safe against concurrent passes.
void set_isa_override(Isa isa);
void reset_isa_override();
const char* isa_name(Isa isa);

}  // namespace jrnn::cpu
