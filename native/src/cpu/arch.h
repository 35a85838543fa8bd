// arch.h — the few machine-specific instructions the portable CPU code needs, one block per
// architecture (the vector kernels live in their own files, cpu.cmake):
//  - the floating-point control register, for flush-to-zero while jrnn computes (denormals make
//    recurrent loops many times slower): x86-64 MXCSR with FTZ (bit 15) and DAZ (bit 6); AArch64
//    FPCR with FZ (bit 24), which flushes denormal inputs and results of single and double
//    precision alike (both of x86's bits in one);
//  - the spin-wait hint of busy loops: x86 pause, AArch64 yield.
// Other architectures build with no flush-to-zero and a plain spin (results differ from x86-64 and
// AArch64 only for denormal intermediates).
#pragma once

#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace jrnn::cpu {

#if defined(__x86_64__)

using FpMode = unsigned;                     // MXCSR
constexpr FpMode kFlushDenormals = 0x8040u;  // FTZ (bit 15) | DAZ (bit 6)
inline FpMode fp_mode() {
  return _mm_getcsr();
}
inline void set_fp_mode(FpMode mode) {
  _mm_setcsr(mode);
}
inline void spin_pause() {
  _mm_pause();
}

#elif defined(__aarch64__)

using FpMode = uint64_t;                             // FPCR
constexpr FpMode kFlushDenormals = FpMode(1) << 24;  // FZ
inline FpMode fp_mode() {
  uint64_t fpcr;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
  return fpcr;
}
// "memory": floating-point work on memory is not moved across the mode change.
inline void set_fp_mode(FpMode mode) {
  __asm__ __volatile__("msr fpcr, %0" : : "r"(mode) : "memory");
}
inline void spin_pause() {
  __asm__ __volatile__("yield" ::: "memory");
}

#else

using FpMode = unsigned;
constexpr FpMode kFlushDenormals = 0;
inline FpMode fp_mode() {
  return 0;
}
inline void set_fp_mode(FpMode) {}
inline void spin_pause() {}

#endif

}  // namespace jrnn::cpu
