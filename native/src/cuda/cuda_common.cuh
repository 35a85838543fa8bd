// cuda_common.cuh — what every CUDA source of the backend shares: error checks (every runtime
// call and every launch; a failure becomes JRNN_ERR_DEVICE with CUDA's error string), the
// per-context state (stream, device properties, TF32 flag, a grow-only device workspace, pinned
// host staging for `lengths` and for scalar results), and launch-size helpers.
//
// Per-context state lives in a side table keyed by the jrnn_context (internal.h's context struct
// has only `stream`, which stays a plain cudaStream_t for anyone who reads it).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "internal.h"

namespace jrnn::cuda {

// Throws JRNN_ERR_DEVICE naming `what` when err is not cudaSuccess.
void check(cudaError_t err, const char* what);
// After a kernel launch: a bad configuration or a sticky error from earlier work.
inline void check_launch(const char* kernel) {
  check(cudaGetLastError(), kernel);
}

struct State {
  cudaStream_t stream = nullptr;
  int device = 0;
  int sm_count = 0;
  bool tf32 = false;  // JRNN_CUDA_TF32=1 when the context was created: GEMMs on tensor cores

  // Grow-only device workspace for split-K partials, reduction partials, ops' copies of lengths.
  // Used strictly in stream order by one call at a time (a context is used by one thread).
  void* workspace = nullptr;
  size_t workspace_bytes = 0;

  // Pinned host staging for host -> device copies of small host arrays (lengths): a ring of
  // slots, each reused only after the copy that last read it has completed (its event).
  static constexpr int kSlots = 8;
  struct Slot {
    void* host = nullptr;
    size_t bytes = 0;
    cudaEvent_t done = nullptr;
    bool pending = false;
  } slots[kSlots];
  int next_slot = 0;

  // Pinned host landing buffer for scalar results (the call synchronises before reading it).
  void* result_host = nullptr;
};

// The state of a CUDA context (throws JRNN_ERR_INTERNAL for a context that is not one). Also
// makes the context's device current for this thread.
State& state_of(const jrnn_context& ctx);

// At least `bytes` of device workspace (grows by reallocating after synchronising the stream, so
// call it before a time loop, never inside one).
void* workspace(State& st, size_t bytes);

// Copies `bytes` of host memory `src` to device memory `dst` in stream order through a pinned
// slot: the caller's buffer may be reused as soon as this returns; no stream synchronisation
// (except to wait for a slot last used kSlots calls ago).
void stage_to_device(State& st, void* dst, const void* src, size_t bytes);

// Copies `bytes` (<= 64) of device memory to host `dst`, waiting for the stream.
void read_back(State& st, void* dst, const void* src, size_t bytes);

// ---- launch helpers

constexpr int kThreads = 256;
// Blocks for `count` independent elements with `threads` per block, capped for grid-stride loops.
inline unsigned blocks_for(int64_t count, int threads = kThreads, int64_t cap = 65536) {
  int64_t b = (count + threads - 1) / threads;
  if (b < 1) b = 1;
  return static_cast<unsigned>(b < cap ? b : cap);
}

}  // namespace jrnn::cuda
