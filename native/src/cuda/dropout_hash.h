// dropout_hash.h — the counter-based dropout draw, compiled for host and device. It must equal
// ref::dropout_draw / ref::dropout_threshold (ops/ops_ref.h) bit for bit, so a CUDA dropout keeps
// exactly the elements the CPU keeps; test_cuda_layout checks that on the CPU for many seeds and
// indices (no GPU needed), test_cuda checks the kernel's output against the CPU's.
#pragma once

#include <cstdint>

#include "cuda/host_device.h"

namespace jrnn::cuda {

// splitmix64 finaliser of seed + golden * (index + 1); the high 32 bits.
JRNN_HD_INLINE uint32_t dropout_draw(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<uint32_t>(z >> 32);
}

// Host side: the keep threshold p·2^32 (saturated) and the scale 1/(1-p), computed exactly as
// ref::dropout<float> does (p is widened to double; the scale is float(1) / float(1 - p)).
inline uint32_t dropout_threshold(double p) {
  const double t = p * 4294967296.0;
  return t >= 4294967295.0 ? 0xFFFFFFFFu : static_cast<uint32_t>(t);
}
inline float dropout_keep_scale(float p) {
  return 1.0f / static_cast<float>(1.0 - static_cast<double>(p));
}

}  // namespace jrnn::cuda
