// cuda_stub.cc — the CUDA backend of a build without nvcc: no devices, and every call that needs
// one says so. Compiled instead of cuda_backend.cu (CMakeLists.txt picks one).
#include "cuda/cuda_backend.h"

namespace jrnn::cuda {
namespace {
[[noreturn]] void no_cuda() {
  fail(JRNN_ERR_NOT_SUPPORTED,
       "this libjrnn was built without CUDA (nvcc was not found or JRNN_CUDA=OFF)");
}
}  // namespace

bool compiled() { return false; }
int device_count() { return 0; }
void context_init(jrnn_context&, int) { no_cuda(); }
void context_release(jrnn_context&) noexcept {}
void synchronize(const jrnn_context&) { no_cuda(); }
void* alloc(const jrnn_context&, size_t) { no_cuda(); }
void free(const jrnn_context&, void*) noexcept {}
void copy_from_host(const jrnn_context&, void*, const void*, size_t) { no_cuda(); }
void copy_to_host(const jrnn_context&, void*, const void*, size_t) { no_cuda(); }
void copy_on_device(const jrnn_context&, void*, const void*, size_t) { no_cuda(); }
void zero(const jrnn_context&, void*, size_t) { no_cuda(); }
void rnn_forward(const jrnn_context&, const ForwardArgs&) { no_cuda(); }
void rnn_backward(const jrnn_context&, const BackwardArgs&) { no_cuda(); }
void rnn_step(const jrnn_context&, const StepArgs&) { no_cuda(); }

}  // namespace jrnn::cuda
