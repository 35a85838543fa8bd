// rnn_harness.h — runs one RNN case through the C API on any context (CPU now, CUDA later) and
// compares every output and gradient with the double-precision reference. Device memory goes
// through jrnn_alloc/jrnn_copy_*, so the same harness serves every device.
#pragma once

#include <vector>

#include "test_util.h"

namespace jrnn::test {

// A float array in a context's memory (freed with it).
class DeviceTensor {
 public:
  DeviceTensor(jrnn_context* ctx, size_t count);
  ~DeviceTensor();
  DeviceTensor(const DeviceTensor&) = delete;
  DeviceTensor& operator=(const DeviceTensor&) = delete;
  void upload(const std::vector<float>& values);
  std::vector<float> download() const;
  float* get() { return static_cast<float*>(ptr_); }
  size_t count() const { return count_; }

 private:
  jrnn_context* ctx_;
  void* ptr_;
  size_t count_;
};

// `bytes` of context memory followed by a 256-byte canary: tail_intact() says whether a kernel
// wrote past `bytes` (i.e. whether a size query was too small). bytes == 0 gives get() == NULL.
class GuardedBuffer {
 public:
  GuardedBuffer(jrnn_context* ctx, size_t bytes);
  ~GuardedBuffer();
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;
  void* get() { return bytes_ ? ptr_ : nullptr; }
  bool tail_intact() const;

 private:
  jrnn_context* ctx_;
  void* ptr_;
  size_t bytes_;
};

// Inference forward, training forward and backward of `c` on ctx against ref<double>. Inputs past
// each length are NaN (they must be ignored); outputs start as garbage (they must be overwritten);
// dw starts random (it must accumulate). `seed` also picks whether h0/c0/dhy/dcy are NULL.
void compare_with_reference(jrnn_context* ctx, const Case& c, uint32_t seed);

// Calls jrnn_rnn_step T times (in place: hy == hx) and checks y per step and the final state
// against a full forward of the same stack (unidirectional), and against ref::rnn_step.
void compare_step_with_forward(jrnn_context* ctx, const Case& c, uint32_t seed);

}  // namespace jrnn::test
