// test_cuda.cc — the CUDA backend. Without a usable device this prints "skipped" (and checks that
// CUDA contexts are refused cleanly); it never pretends. With a device: allocation is zero-filled,
// copies round-trip, zero works, and the RNN entry points report JRNN_ERR_NOT_SUPPORTED until the
// CUDA kernels exist; then this runs the CPU test's cases (compare_with_reference) on CUDA.
// Run: ctest -R test_cuda (on a GPU machine for the real thing).
#include <cstring>
#include <string>

#include "rnn_harness.h"

using namespace jrnn::test;

namespace {

void check_memory(jrnn_context* ctx) {
  const size_t count = 1000;
  DeviceTensor a(ctx, count), b(ctx, count);
  std::vector<float> zeros(count, 0.0f), values(count);
  EXPECT(a.download() == zeros, "jrnn_alloc on CUDA is not zero-filled");
  for (size_t i = 0; i < count; ++i) values[i] = float(i) * 0.5f - 3.0f;
  a.upload(values);
  EXPECT(a.download() == values, "host -> CUDA -> host round trip changed the data");
  EXPECT(jrnn_copy_on_device(ctx, b.get(), a.get(), count * 4) == JRNN_OK, "copy_on_device: %s",
         jrnn_last_error());
  EXPECT(jrnn_context_synchronize(ctx) == JRNN_OK, "synchronize: %s", jrnn_last_error());
  EXPECT(b.download() == values, "jrnn_copy_on_device did not copy");
  EXPECT(jrnn_zero(ctx, b.get(), 10 * 4) == JRNN_OK, "zero: %s", jrnn_last_error());
  std::vector<float> partly = values;
  std::fill(partly.begin(), partly.begin() + 10, 0.0f);
  EXPECT(b.download() == partly, "jrnn_zero zeroed the wrong bytes");
}

void check_rnn_not_supported_yet(jrnn_context* ctx) {
  Case c{JRNN_LSTM, 2, 2, 3, 4, 1, false, true, {}};
  Desc desc(c);
  DeviceTensor x(ctx, 12), w(ctx, jrnn_rnn_weights_count(desc.d)), y(ctx, 16);
  GuardedBuffer scratch(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, 2, 2, JRNN_PASS_INFERENCE));
  const jrnn_status st = jrnn_rnn_forward(ctx, desc.d, 2, 2, nullptr, x.get(), nullptr, nullptr,
                                          w.get(), y.get(), nullptr, nullptr, nullptr,
                                          scratch.get());
  EXPECT(st == JRNN_ERR_NOT_SUPPORTED && std::strstr(jrnn_last_error(), "CUDA"),
         "RNN forward on CUDA: status %d, message '%s' (expected NOT_SUPPORTED naming CUDA)",
         (int)st, jrnn_last_error());
}

}  // namespace

int main() {
  const int devices = jrnn_cuda_device_count();
  if (devices == 0) {
    // Without a device a CUDA context must be refused with a message, never crash.
    jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CUDA, 0, 0);
    EXPECT(ctx == nullptr, "a CUDA context was created without a CUDA device");
    const std::string message = jrnn_last_error();
    EXPECT(!message.empty(), "no message for a refused CUDA context");
    std::printf("test_cuda: skipped (jrnn_has_cuda() = %d, no CUDA device: %s)\n", jrnn_has_cuda(),
                message.c_str());
    return finish("test_cuda");
  }
  std::printf("test_cuda: %d CUDA device(s)\n", devices);
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CUDA, 0, 0);
  EXPECT(ctx != nullptr, "jrnn_context_create(CUDA, 0): %s", jrnn_last_error());
  if (!ctx) return finish("test_cuda");
  EXPECT(jrnn_context_create(JRNN_DEVICE_CUDA, devices, 0) == nullptr,
         "a context on CUDA device %d (of %d) was created", devices, devices);
  check_memory(ctx);
  check_rnn_not_supported_yet(ctx);
  // When the CUDA kernels land, replace check_rnn_not_supported_yet with the CPU test's cases:
  //   compare_with_reference(ctx, case, seed) and compare_step_with_forward(ctx, case, seed).
  jrnn_context_destroy(ctx);
  return finish("test_cuda");
}
