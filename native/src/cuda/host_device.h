// host_device.h — JRNN_HD / JRNN_HD_INLINE: functions compiled for host and device by nvcc, and
// as plain inline host functions by the C++ compiler (so CPU-only tests can run them).
#pragma once

#if defined(__CUDACC__)
#define JRNN_HD __host__ __device__
#define JRNN_HD_INLINE __host__ __device__ __forceinline__
#else
#define JRNN_HD
#define JRNN_HD_INLINE inline
#endif

// Full unrolling of loops with compile-time trip counts in device code (register arrays stay in
// registers); nothing on the host compiler (which would warn about an unknown pragma).
#if defined(__CUDA_ARCH__)
#define JRNN_UNROLL _Pragma("unroll")
#else
#define JRNN_UNROLL
#endif
