// cuda_backend.cu — the CUDA backend's contexts (device + one stream + per-context state), memory
// and copies through the CUDA runtime (linked statically, so a GPU host needs only the driver).
// Every runtime call is checked; a failure becomes JRNN_ERR_DEVICE with CUDA's error string.
// The recurrent stack is in rnn.cu, the training ops in ops.cu, the GEMMs in gemm.cu.
//
// TF32: a context created while the environment variable JRNN_CUDA_TF32 is "1" runs its large
// GEMMs (input projections, recurrent products, weight and input gradients, linear layers) on
// tensor cores with TF32 inputs and fp32 accumulation (about 1e-3 relative error instead of 1e-6).
// The pointwise cell math, the states and every reduction stay fp32. Default: off.
#include <cuda_runtime.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "cuda/cuda_backend.h"
#include "cuda/cuda_common.cuh"

namespace jrnn::cuda {
namespace {

std::mutex& table_mutex() {
  static std::mutex m;
  return m;
}
std::unordered_map<const jrnn_context*, std::unique_ptr<State>>& table() {
  static auto* t = new std::unordered_map<const jrnn_context*, std::unique_ptr<State>>();
  return *t;  // never destroyed: contexts may outlive static destruction order
}

cudaStream_t stream_of(const jrnn_context& ctx) {
  return static_cast<cudaStream_t>(ctx.stream);
}

// Every call runs on the context's device (a thread may hold contexts on several devices).
void use_device(const jrnn_context& ctx) {
  check(cudaSetDevice(ctx.device_index), "cudaSetDevice");
}

bool tf32_from_environment() {
  const char* v = std::getenv("JRNN_CUDA_TF32");
  return v && std::strcmp(v, "1") == 0;
}

void release_state(State& st) noexcept {
  if (st.stream) cudaStreamSynchronize(st.stream);
  if (st.workspace) cudaFree(st.workspace);
  for (State::Slot& slot : st.slots) {
    if (slot.done) cudaEventDestroy(slot.done);
    if (slot.host) cudaFreeHost(slot.host);
    slot = State::Slot{};
  }
  if (st.result_host) cudaFreeHost(st.result_host);
  if (st.stream) cudaStreamDestroy(st.stream);
  st.stream = nullptr;
  st.workspace = nullptr;
  st.result_host = nullptr;
  cudaGetLastError();  // nothing here may leave a stale error behind
}

}  // namespace

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) {
    cudaGetLastError();  // reset the (non-sticky) last error so later calls start clean
    fail(JRNN_ERR_DEVICE,
         format("%s failed: %s (%s)", what, cudaGetErrorString(err), cudaGetErrorName(err)));
  }
}

State& state_of(const jrnn_context& ctx) {
  State* st = nullptr;
  {
    std::lock_guard<std::mutex> lock(table_mutex());
    auto it = table().find(&ctx);
    if (it != table().end()) st = it->second.get();
  }
  if (!st) fail(JRNN_ERR_INTERNAL, "a CUDA context without CUDA state (destroyed or not created)");
  use_device(ctx);
  return *st;
}

void* workspace(State& st, size_t bytes) {
  if (bytes <= st.workspace_bytes) return st.workspace;
  if (st.workspace) {
    check(cudaStreamSynchronize(st.stream), "cudaStreamSynchronize (growing the workspace)");
    check(cudaFree(st.workspace), "cudaFree (workspace)");
    st.workspace = nullptr;
    st.workspace_bytes = 0;
  }
  const size_t rounded = (bytes + (size_t(1) << 20) - 1) & ~((size_t(1) << 20) - 1);  // MiB
  const cudaError_t err = cudaMalloc(&st.workspace, rounded);
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    st.workspace = nullptr;
    fail(JRNN_ERR_OUT_OF_MEMORY,
         format("cudaMalloc of %zu bytes of jrnn workspace: out of device memory", rounded));
  }
  check(err, "cudaMalloc (workspace)");
  st.workspace_bytes = rounded;
  return st.workspace;
}

void stage_to_device(State& st, void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  State::Slot& slot = st.slots[st.next_slot];
  st.next_slot = (st.next_slot + 1) % State::kSlots;
  if (slot.pending) {  // the copy that read this slot kSlots calls ago
    check(cudaEventSynchronize(slot.done), "cudaEventSynchronize (staging slot)");
    slot.pending = false;
  }
  if (!slot.done)
    check(cudaEventCreateWithFlags(&slot.done, cudaEventDisableTiming), "cudaEventCreate");
  if (slot.bytes < bytes) {
    if (slot.host) check(cudaFreeHost(slot.host), "cudaFreeHost (staging)");
    slot.host = nullptr;
    slot.bytes = 0;
    const size_t want = bytes < 4096 ? 4096 : bytes;
    check(cudaHostAlloc(&slot.host, want, cudaHostAllocDefault), "cudaHostAlloc (staging)");
    slot.bytes = want;
  }
  std::memcpy(slot.host, src, bytes);
  check(cudaMemcpyAsync(dst, slot.host, bytes, cudaMemcpyHostToDevice, st.stream),
        "cudaMemcpyAsync (staged host to device)");
  check(cudaEventRecord(slot.done, st.stream), "cudaEventRecord (staging slot)");
  slot.pending = true;
}

void read_back(State& st, void* dst, const void* src, size_t bytes) {
  if (!st.result_host)
    check(cudaHostAlloc(&st.result_host, 64, cudaHostAllocDefault), "cudaHostAlloc");
  if (bytes > 64) fail(JRNN_ERR_INTERNAL, "read_back of more than 64 bytes");
  check(cudaMemcpyAsync(st.result_host, src, bytes, cudaMemcpyDeviceToHost, st.stream),
        "cudaMemcpyAsync (result to host)");
  check(cudaStreamSynchronize(st.stream), "cudaStreamSynchronize (result to host)");
  std::memcpy(dst, st.result_host, bytes);
}

bool compiled() {
  return true;
}

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;  // no driver, no GPU, or a driver too old for this runtime
  }
  return count;
}

void context_init(jrnn_context& ctx, int device_index) {
  const int count = device_count();
  if (device_index < 0 || device_index >= count)
    fail(JRNN_ERR_INVALID_ARGUMENT,
         format("device_index = %d but %d CUDA device(s) are usable", device_index, count));
  ctx.device_index = device_index;
  use_device(ctx);
  auto st = std::make_unique<State>();
  st->device = device_index;
  st->tf32 = tf32_from_environment();
  check(cudaDeviceGetAttribute(&st->sm_count, cudaDevAttrMultiProcessorCount, device_index),
        "cudaDeviceGetAttribute (multiprocessors)");
  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
  st->stream = stream;
  ctx.stream = stream;
  std::lock_guard<std::mutex> lock(table_mutex());
  table()[&ctx] = std::move(st);
}

void context_release(jrnn_context& ctx) noexcept {
  std::unique_ptr<State> st;
  {
    std::lock_guard<std::mutex> lock(table_mutex());
    auto it = table().find(&ctx);
    if (it != table().end()) {
      st = std::move(it->second);
      table().erase(it);
    }
  }
  cudaSetDevice(ctx.device_index);
  if (st) {
    release_state(*st);
  } else if (ctx.stream) {
    cudaStreamSynchronize(stream_of(ctx));
    cudaStreamDestroy(stream_of(ctx));
  }
  ctx.stream = nullptr;
}

bool tf32_enabled(const jrnn_context& ctx) {
  return state_of(ctx).tf32;
}

void synchronize(const jrnn_context& ctx) {
  use_device(ctx);
  check(cudaStreamSynchronize(stream_of(ctx)), "cudaStreamSynchronize");
}

void* alloc(const jrnn_context& ctx, size_t bytes) {
  use_device(ctx);
  void* ptr = nullptr;
  const cudaError_t err = cudaMalloc(&ptr, bytes);  // 256-byte aligned
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    fail(JRNN_ERR_OUT_OF_MEMORY, format("cudaMalloc of %zu bytes: out of device memory", bytes));
  }
  check(err, "cudaMalloc");
  try {
    check(cudaMemsetAsync(ptr, 0, bytes, stream_of(ctx)), "cudaMemsetAsync");
    check(cudaStreamSynchronize(stream_of(ctx)), "cudaStreamSynchronize");
  } catch (...) {
    cudaFree(ptr);
    throw;
  }
  return ptr;
}

void free(const jrnn_context& ctx, void* ptr) noexcept {
  cudaSetDevice(ctx.device_index);
  cudaStreamSynchronize(stream_of(ctx));  // queued work may still use it
  cudaFree(ptr);
}

void copy_from_host(const jrnn_context& ctx, void* dst, const void* src, size_t bytes) {
  use_device(ctx);
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_of(ctx)),
        "cudaMemcpyAsync (host to device)");
  // The host buffer may be reused as soon as we return (pageable memory, Java arrays).
  check(cudaStreamSynchronize(stream_of(ctx)), "cudaStreamSynchronize");
}

void copy_to_host(const jrnn_context& ctx, void* dst, const void* src, size_t bytes) {
  use_device(ctx);
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_of(ctx)),
        "cudaMemcpyAsync (device to host)");
  check(cudaStreamSynchronize(stream_of(ctx)), "cudaStreamSynchronize");
}

void copy_on_device(const jrnn_context& ctx, void* dst, const void* src, size_t bytes) {
  use_device(ctx);
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_of(ctx)),
        "cudaMemcpyAsync (device to device)");
}

void zero(const jrnn_context& ctx, void* dst, size_t bytes) {
  use_device(ctx);
  check(cudaMemsetAsync(dst, 0, bytes, stream_of(ctx)), "cudaMemsetAsync");
}

}  // namespace jrnn::cuda
