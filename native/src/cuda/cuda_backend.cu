// cuda_backend.cu — the CUDA backend: contexts (device + one stream), memory and copies through
// the CUDA runtime (linked statically, so a GPU host needs only the driver). Every runtime call is
// checked; a failure becomes JRNN_ERR_DEVICE with CUDA's error string. The RNN kernels come in a
// later issue: their entry points report JRNN_ERR_NOT_SUPPORTED.
#include <cuda_runtime.h>

#include "cuda/cuda_backend.h"

namespace jrnn::cuda {
namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) {
    cudaGetLastError();  // reset the (non-sticky) last error so later calls start clean
    fail(JRNN_ERR_DEVICE, format("%s failed: %s (%s)", what, cudaGetErrorString(err),
                                 cudaGetErrorName(err)));
  }
}

cudaStream_t stream_of(const jrnn_context& ctx) { return static_cast<cudaStream_t>(ctx.stream); }

// Every call runs on the context's device (a thread may hold contexts on several devices).
void use_device(const jrnn_context& ctx) { check(cudaSetDevice(ctx.device_index), "cudaSetDevice"); }

[[noreturn]] void kernels_not_ready(const char* what) {
  fail(JRNN_ERR_NOT_SUPPORTED,
       format("%s on a CUDA context is not implemented yet (CUDA kernels come in a later "
              "release); use a CPU context",
              what));
}

}  // namespace

bool compiled() { return true; }

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
  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
  ctx.stream = stream;
}

void context_release(jrnn_context& ctx) noexcept {
  if (ctx.stream) {
    cudaSetDevice(ctx.device_index);
    cudaStreamSynchronize(stream_of(ctx));
    cudaStreamDestroy(stream_of(ctx));
    ctx.stream = nullptr;
  }
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

void rnn_forward(const jrnn_context&, const ForwardArgs&) { kernels_not_ready("jrnn_rnn_forward"); }
void rnn_backward(const jrnn_context&, const BackwardArgs&) {
  kernels_not_ready("jrnn_rnn_backward");
}
void rnn_step(const jrnn_context&, const StepArgs&) { kernels_not_ready("jrnn_rnn_step"); }

}  // namespace jrnn::cuda
