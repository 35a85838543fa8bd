// cuda_stub.cc — the CUDA backend of a build without nvcc: no devices, and every call that needs
// one says so. Compiled instead of the .cu files (CMakeLists.txt picks one). A CUDA context cannot
// be created in such a build, so nothing below context_init is reachable through the C API.
#include "cuda/cuda_backend.h"

namespace jrnn::cuda {
namespace {
[[noreturn]] void no_cuda() {
  fail(JRNN_ERR_NOT_SUPPORTED,
       "this libjrnn was built without CUDA (nvcc was not found or JRNN_CUDA=OFF)");
}
}  // namespace

bool compiled() {
  return false;
}
int device_count() {
  return 0;
}
void context_init(jrnn_context&, int) {
  no_cuda();
}
void context_release(jrnn_context&) noexcept {}
void synchronize(const jrnn_context&) {
  no_cuda();
}
bool tf32_enabled(const jrnn_context&) {
  return false;
}
void* alloc(const jrnn_context&, size_t) {
  no_cuda();
}
void free(const jrnn_context&, void*) noexcept {}
void copy_from_host(const jrnn_context&, void*, const void*, size_t) {
  no_cuda();
}
void copy_to_host(const jrnn_context&, void*, const void*, size_t) {
  no_cuda();
}
void copy_on_device(const jrnn_context&, void*, const void*, size_t) {
  no_cuda();
}
void zero(const jrnn_context&, void*, size_t) {
  no_cuda();
}
void rnn_forward(const jrnn_context&, const ForwardArgs&) {
  no_cuda();
}
void rnn_backward(const jrnn_context&, const BackwardArgs&) {
  no_cuda();
}
void rnn_step(const jrnn_context&, const StepArgs&) {
  no_cuda();
}

void linear_forward(const jrnn_context&, int64_t, int64_t, int64_t, const float*, const float*,
                    const float*, float*) {
  no_cuda();
}
void linear_backward(const jrnn_context&, int64_t, int64_t, int64_t, const float*, const float*,
                     const float*, float*, float*, float*) {
  no_cuda();
}
void embedding_forward(const jrnn_context&, int64_t, int64_t, int64_t, const int32_t*, const float*,
                       float*) {
  no_cuda();
}
void embedding_backward(const jrnn_context&, int64_t, int64_t, int64_t, const int32_t*,
                        const float*, float*) {
  no_cuda();
}
void softmax(const jrnn_context&, int64_t, int64_t, const float*, bool, float*) {
  no_cuda();
}
void softmax_cross_entropy(const jrnn_context&, int64_t, int64_t, const float*, const int32_t*,
                           float, float, float*, float*) {
  no_cuda();
}
void bce_with_logits(const jrnn_context&, int64_t, const float*, const float*, const float*, float,
                     float*, float*) {
  no_cuda();
}
void mse(const jrnn_context&, int64_t, int64_t, const float*, const float*, const float*, float,
         float*, float*) {
  no_cuda();
}
void dropout(const jrnn_context&, int64_t, float, uint64_t, const float*, float*) {
  no_cuda();
}
void gather_last(const jrnn_context&, int64_t, int64_t, int64_t, const int32_t*, const float*,
                 float*) {
  no_cuda();
}
void gather_last_backward(const jrnn_context&, int64_t, int64_t, int64_t, const int32_t*,
                          const float*, float*) {
  no_cuda();
}
double sum_squares(const jrnn_context&, int64_t, const float*) {
  no_cuda();
}
int64_t first_non_finite(const jrnn_context&, int64_t, const float*) {
  no_cuda();
}
void scale(const jrnn_context&, int64_t, float, float*) {
  no_cuda();
}
void clip_values(const jrnn_context&, int64_t, float, float*) {
  no_cuda();
}
void axpy(const jrnn_context&, int64_t, float, const float*, float*) {
  no_cuda();
}
void sgd_update(const jrnn_context&, int64_t, float*, const float*, float*, float, float, float,
                bool, int64_t) {
  no_cuda();
}
void adam_update(const jrnn_context&, int64_t, float*, const float*, float*, float*, float, float,
                 float, float, float, bool, int64_t) {
  no_cuda();
}
void rmsprop_update(const jrnn_context&, int64_t, float*, const float*, float*, float*, float,
                    float, float, float, float) {
  no_cuda();
}

}  // namespace jrnn::cuda
