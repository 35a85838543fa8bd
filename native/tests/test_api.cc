// test_api.cc — the C API's contract apart from numerics: argument validation (right status, and a
// message that names the problem), NULL reserve/scratch handling, the flat weight layout's named
// views (PyTorch names, offsets, shapes), memory functions, the thread-local last error, and that
// the flush-to-zero mode (MXCSR on x86-64, FPCR on AArch64) is set during a CPU call and restored
// after it. Run: ctest -R test_api.
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "cpu/arch.h"
#include "cpu/threads.h"
#include "test_util.h"

using namespace jrnn::test;

namespace {

bool message_has(const char* part) {
  return std::strstr(jrnn_last_error(), part) != nullptr;
}

#define EXPECT_STATUS(call, status, part)                                                         \
  do {                                                                                            \
    const jrnn_status st_ = (call);                                                               \
    EXPECT(st_ == (status) && message_has(part),                                                  \
           "%s: status %d, message '%s' (expected %d, '%s')", #call, (int)st_, jrnn_last_error(), \
           (int)(status), part);                                                                  \
  } while (0)

void test_descriptor_and_layout() {
  EXPECT(jrnn_rnn_desc_create(7, 3, 4, 1, 0, 1) == nullptr && message_has("cell = 7"),
         "bad cell: '%s'", jrnn_last_error());
  EXPECT(jrnn_rnn_desc_create(JRNN_LSTM, 0, 4, 1, 0, 1) == nullptr && message_has("input_size = 0"),
         "bad input_size: '%s'", jrnn_last_error());
  EXPECT(
      jrnn_rnn_desc_create(JRNN_LSTM, 3, -2, 1, 0, 1) == nullptr && message_has("hidden_size = -2"),
      "bad hidden_size: '%s'", jrnn_last_error());
  EXPECT(jrnn_rnn_desc_create(JRNN_LSTM, 3, 4, 0, 0, 1) == nullptr && message_has("num_layers = 0"),
         "bad num_layers: '%s'", jrnn_last_error());
  EXPECT(
      jrnn_rnn_desc_create(JRNN_LSTM, 3, 4, 1, 2, 1) == nullptr && message_has("bidirectional = 2"),
      "bad bidirectional: '%s'", jrnn_last_error());

  // torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True): 16 named tensors, 1152 numbers...
  // computed: layer 0: (16*3 + 16*4 + 16 + 16) * 2 = 288; layer 1: (16*8 + 16*4 + 32) * 2 = 448.
  jrnn_rnn_desc* d = jrnn_rnn_desc_create(JRNN_LSTM, 3, 4, 2, 1, 1);
  EXPECT(d != nullptr, "desc: %s", jrnn_last_error());
  EXPECT(jrnn_rnn_weights_count(d) == 288 + 448, "weights_count = %lld",
         (long long)jrnn_rnn_weights_count(d));
  EXPECT(jrnn_rnn_param_count(d) == 16, "param_count = %d", jrnn_rnn_param_count(d));
  const char* names[] = {
      "weight_ih_l0",         "weight_hh_l0",         "bias_ih_l0",         "bias_hh_l0",
      "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
      "weight_ih_l1",         "weight_hh_l1",         "bias_ih_l1",         "bias_hh_l1",
      "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"};
  int64_t offset = 0;
  for (int i = 0; i < 16; ++i) {
    const char* name = jrnn_rnn_param_name(d, i);
    EXPECT(name && std::strcmp(name, names[i]) == 0, "param %d is '%s', expected '%s'", i,
           name ? name : "(null)", names[i]);
    const int64_t rows = jrnn_rnn_param_rows(d, i), cols = jrnn_rnn_param_cols(d, i);
    const int64_t want_cols = i % 4 >= 2 ? 1 : i % 4 == 1 ? 4 : i < 8 ? 3 : 8;
    EXPECT(rows == 16 && cols == want_cols, "param %s is [%lld, %lld], expected [16, %lld]",
           names[i], (long long)rows, (long long)cols, (long long)want_cols);
    EXPECT(jrnn_rnn_param_offset(d, i) == offset, "param %s offset %lld, expected %lld", names[i],
           (long long)jrnn_rnn_param_offset(d, i), (long long)offset);
    offset += rows * cols;
  }
  EXPECT(jrnn_rnn_param_name(d, 16) == nullptr && message_has("index = 16"), "bad index: '%s'",
         jrnn_last_error());
  EXPECT(jrnn_rnn_param_offset(d, -1) == -1 && jrnn_rnn_param_rows(d, 99) == -1 &&
             jrnn_rnn_param_cols(d, 99) == -1,
         "bad index must give -1");
  jrnn_rnn_desc_destroy(d);

  jrnn_rnn_desc* gru = jrnn_rnn_desc_create(JRNN_GRU, 5, 2, 1, 0, 0);  // no bias: 2 tensors
  EXPECT(jrnn_rnn_param_count(gru) == 2 && jrnn_rnn_weights_count(gru) == 6 * 5 + 6 * 2,
         "GRU without bias: %d params, %lld weights", jrnn_rnn_param_count(gru),
         (long long)jrnn_rnn_weights_count(gru));
  jrnn_rnn_desc_destroy(gru);
  EXPECT(jrnn_rnn_weights_count(nullptr) == -1 && message_has("desc is NULL"),
         "weights_count(NULL): '%s'", jrnn_last_error());
}

void test_forward_backward_validation(jrnn_context* ctx) {
  const int64_t T = 5, N = 4, C = 3, H = 2;
  jrnn_rnn_desc* lstm = jrnn_rnn_desc_create(JRNN_LSTM, C, H, 1, 0, 1);
  jrnn_rnn_desc* gru = jrnn_rnn_desc_create(JRNN_GRU, C, H, 1, 0, 1);
  jrnn_rnn_desc* bidi = jrnn_rnn_desc_create(JRNN_GRU, C, H, 1, 1, 1);
  std::vector<float> x(T * N * C, 0.1f), w(jrnn_rnn_weights_count(lstm), 0.1f), y(T * N * 2 * H),
      h(2 * N * H), c(2 * N * H), dx(T * N * C), dw(w.size());
  std::vector<unsigned char> reserve(jrnn_rnn_reserve_bytes(ctx, lstm, T, N));
  std::vector<unsigned char> scratch(1 << 16);
  float* X = x.data();
  float* W = w.data();
  float* Y = y.data();
  void* S = scratch.data();
  int32_t bad_zero[] = {5, 1, 2, 0}, bad_big[] = {5, 6, 1, 1}, good[] = {5, 1, 3, 2};

  EXPECT_STATUS(jrnn_rnn_forward(nullptr, lstm, T, N, nullptr, X, nullptr, nullptr, W, Y, nullptr,
                                 nullptr, nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "ctx is NULL");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, nullptr, T, N, nullptr, X, nullptr, nullptr, W, Y, nullptr,
                                 nullptr, nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "desc is NULL");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, lstm, 0, N, nullptr, X, nullptr, nullptr, W, Y, nullptr,
                                 nullptr, nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "T = 0");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, lstm, T, -1, nullptr, X, nullptr, nullptr, W, Y, nullptr,
                                 nullptr, nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "N = -1");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, lstm, T, N, bad_zero, X, nullptr, nullptr, W, Y, nullptr,
                                 nullptr, nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "lengths[3] = 0 is outside 1..T (T = 5)");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, lstm, T, N, bad_big, X, nullptr, nullptr, W, Y, nullptr,
                                 nullptr, nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "lengths[1] = 6 is outside 1..T (T = 5)");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, lstm, T, N, good, nullptr, nullptr, nullptr, W, Y, nullptr,
                                 nullptr, nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "x is NULL");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, lstm, T, N, good, X, nullptr, nullptr, nullptr, Y, nullptr,
                                 nullptr, nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "w is NULL");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, lstm, T, N, good, X, nullptr, nullptr, W, nullptr, nullptr,
                                 nullptr, nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "y is NULL");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, gru, T, N, good, X, nullptr, c.data(), W, Y, nullptr, nullptr,
                                 nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "c0 must be NULL");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, gru, T, N, good, X, nullptr, nullptr, W, Y, nullptr, c.data(),
                                 nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "cy must be NULL");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, lstm, T, N, good, X, nullptr, nullptr, W, Y, nullptr, nullptr,
                                 nullptr, nullptr),
                JRNN_ERR_INVALID_ARGUMENT, "scratch is NULL");
  EXPECT_STATUS(jrnn_rnn_forward(ctx, lstm, T, N, good, X, nullptr, nullptr, W, Y, h.data(),
                                 c.data(), reserve.data(), S),
                JRNN_OK, "");

  EXPECT_STATUS(jrnn_rnn_backward(ctx, lstm, T, N, good, X, nullptr, nullptr, W, Y, nullptr,
                                  nullptr, dx.data(), nullptr, nullptr, dw.data(), nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "reserve");
  EXPECT_STATUS(
      jrnn_rnn_backward(ctx, lstm, T, N, bad_zero, X, nullptr, nullptr, W, Y, nullptr, nullptr,
                        dx.data(), nullptr, nullptr, dw.data(), reserve.data(), S),
      JRNN_ERR_INVALID_ARGUMENT, "lengths[3] = 0");
  EXPECT_STATUS(
      jrnn_rnn_backward(ctx, gru, T, N, good, X, nullptr, nullptr, W, Y, nullptr, c.data(),
                        dx.data(), nullptr, nullptr, dw.data(), reserve.data(), S),
      JRNN_ERR_INVALID_ARGUMENT, "dcy must be NULL");
  EXPECT_STATUS(jrnn_rnn_backward(ctx, gru, T, N, good, X, nullptr, nullptr, W, Y, nullptr, nullptr,
                                  dx.data(), nullptr, c.data(), dw.data(), reserve.data(), S),
                JRNN_ERR_INVALID_ARGUMENT, "dc0 must be NULL");
  EXPECT_STATUS(
      jrnn_rnn_backward(ctx, lstm, T, N, good, X, nullptr, nullptr, W, Y, nullptr, nullptr,
                        dx.data(), nullptr, nullptr, dw.data(), reserve.data(), nullptr),
      JRNN_ERR_INVALID_ARGUMENT, "scratch is NULL");
  EXPECT_STATUS(
      jrnn_rnn_backward(ctx, lstm, T, N, good, X, nullptr, nullptr, W, Y, nullptr, nullptr,
                        dx.data(), nullptr, nullptr, dw.data(), reserve.data(), S),
      JRNN_OK, "");

  // step
  EXPECT_STATUS(jrnn_rnn_step(ctx, bidi, N, X, nullptr, nullptr, W, Y, h.data(), nullptr, S),
                JRNN_ERR_NOT_SUPPORTED, "unidirectional");
  EXPECT_STATUS(jrnn_rnn_step(ctx, lstm, N, X, nullptr, nullptr, W, Y, h.data(), nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "cy");
  EXPECT_STATUS(jrnn_rnn_step(ctx, gru, N, X, nullptr, c.data(), W, Y, h.data(), nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "cx must be NULL");
  EXPECT_STATUS(jrnn_rnn_step(ctx, gru, N, X, nullptr, nullptr, W, Y, nullptr, nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "hy is NULL");
  EXPECT_STATUS(jrnn_rnn_step(ctx, gru, 0, X, nullptr, nullptr, W, Y, h.data(), nullptr, S),
                JRNN_ERR_INVALID_ARGUMENT, "N = 0");
  EXPECT_STATUS(jrnn_rnn_step(ctx, gru, N, X, nullptr, nullptr, W, Y, h.data(), nullptr, nullptr),
                JRNN_ERR_INVALID_ARGUMENT, "scratch is NULL");
  EXPECT_STATUS(jrnn_rnn_step(ctx, gru, N, X, h.data(), nullptr, W, Y, h.data(), nullptr, S),
                JRNN_OK, "");

  // size queries: 0 with a message on bad arguments, > 0 otherwise
  EXPECT(jrnn_rnn_reserve_bytes(ctx, lstm, 0, N) == 0 && message_has("T = 0"), "reserve T=0: '%s'",
         jrnn_last_error());
  EXPECT(jrnn_rnn_reserve_bytes(nullptr, lstm, T, N) == 0 && message_has("ctx is NULL"),
         "reserve ctx NULL: '%s'", jrnn_last_error());
  EXPECT(jrnn_rnn_scratch_bytes(ctx, lstm, T, N, 9) == 0 && message_has("pass = 9"),
         "scratch bad pass: '%s'", jrnn_last_error());
  EXPECT(jrnn_rnn_scratch_bytes(ctx, lstm, 0, N, JRNN_PASS_STEP) > 0, "step scratch must ignore T");
  for (int pass = 0; pass <= 3; ++pass)
    EXPECT(jrnn_rnn_scratch_bytes(ctx, lstm, T, N, pass) > 0, "scratch pass %d is 0", pass);
  jrnn_rnn_desc_destroy(lstm);
  jrnn_rnn_desc_destroy(gru);
  jrnn_rnn_desc_destroy(bidi);
}

void test_contexts_and_memory() {
  EXPECT(jrnn_context_create(5, 0, 0) == nullptr && message_has("device_type = 5"),
         "bad device type: '%s'", jrnn_last_error());
  EXPECT(jrnn_context_create(JRNN_DEVICE_CPU, 1, 0) == nullptr && message_has("device_index = 1"),
         "bad CPU index: '%s'", jrnn_last_error());
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, 0);
  EXPECT(
      ctx && jrnn_context_num_threads(ctx) >= 1 && jrnn_context_device_type(ctx) == JRNN_DEVICE_CPU,
      "default CPU context");
  jrnn_context* three = jrnn_context_create(JRNN_DEVICE_CPU, 0, 3);
  EXPECT(jrnn_context_num_threads(three) == 3, "num_threads = %d", jrnn_context_num_threads(three));
  EXPECT(jrnn_context_synchronize(ctx) == JRNN_OK, "synchronize on CPU");
  EXPECT(jrnn_alloc(ctx, 0) == nullptr && message_has("bytes = 0"), "alloc 0: '%s'",
         jrnn_last_error());
  unsigned char* p = static_cast<unsigned char*>(jrnn_alloc(ctx, 1000));
  EXPECT(p && reinterpret_cast<uintptr_t>(p) % 64 == 0, "alloc is not 64-byte aligned");
  bool zero = true;
  for (int i = 0; i < 1000; ++i) zero &= p[i] == 0;
  EXPECT(zero, "alloc is not zero-filled");
  unsigned char src[1000], back[1000];
  for (int i = 0; i < 1000; ++i) src[i] = (unsigned char)(i * 7);
  EXPECT(jrnn_copy_from_host(ctx, p, src, 1000) == JRNN_OK, "copy_from_host");
  EXPECT(jrnn_copy_to_host(ctx, back, p, 1000) == JRNN_OK && std::memcmp(src, back, 1000) == 0,
         "copy round trip");
  EXPECT(jrnn_zero(ctx, p, 500) == JRNN_OK && p[499] == 0 && p[500] == src[500], "jrnn_zero");
  EXPECT_STATUS(jrnn_copy_from_host(ctx, nullptr, src, 10), JRNN_ERR_INVALID_ARGUMENT,
                "dst is NULL");
  EXPECT_STATUS(jrnn_copy_to_host(ctx, back, nullptr, 10), JRNN_ERR_INVALID_ARGUMENT,
                "src is NULL");
  EXPECT_STATUS(jrnn_copy_on_device(nullptr, back, src, 10), JRNN_ERR_INVALID_ARGUMENT,
                "ctx is NULL");
  EXPECT_STATUS(jrnn_zero(ctx, nullptr, 10), JRNN_ERR_INVALID_ARGUMENT, "dst is NULL");
  jrnn_free(ctx, p);
  jrnn_free(ctx, nullptr);  // ignored

  // Freed big blocks are cached and reused (unless built with ASan, where nothing is cached);
  // a reused block is zero-filled again by jrnn_alloc, left as it was by _uninitialized.
  const size_t big = size_t(3) << 20;
  EXPECT(jrnn_context_cached_bytes(ctx) == 0, "cache not empty at start");
  unsigned char* b = static_cast<unsigned char*>(jrnn_alloc_uninitialized(ctx, big));
  EXPECT(b && reinterpret_cast<uintptr_t>(b) % 64 == 0, "uninitialized alloc not 64-byte aligned");
  std::memset(b, 0xAB, big);
  jrnn_free(ctx, b);
  const bool caching = jrnn_context_cached_bytes(ctx) >= big;
  std::printf("test_api: host block cache %s\n", caching ? "on" : "off (AddressSanitizer build)");
  unsigned char* again = static_cast<unsigned char*>(jrnn_alloc(ctx, big - 1000));
  if (caching) {
    EXPECT(again == b, "a freed block of about the same size was not reused");
    EXPECT(jrnn_context_cached_bytes(ctx) == 0, "a reused block is still counted as cached");
  }
  bool zeroed = true;
  for (size_t i = 0; i < big - 1000; i += 4093) zeroed &= again[i] == 0;
  EXPECT(zeroed && again[big - 1001] == 0, "a reused block from jrnn_alloc is not zero-filled");
  // a much smaller request does not take a much bigger cached block
  jrnn_free(ctx, again);
  void* small = jrnn_alloc_uninitialized(ctx, big / 4);
  if (caching) EXPECT(small != again, "a 4x bigger cached block was handed to a small request");
  jrnn_free(ctx, small);
  EXPECT(jrnn_context_release_cached(ctx) == JRNN_OK && jrnn_context_cached_bytes(ctx) == 0,
         "release_cached left %zu bytes", jrnn_context_cached_bytes(ctx));
  EXPECT_STATUS(jrnn_context_release_cached(nullptr), JRNN_ERR_INVALID_ARGUMENT, "ctx is NULL");
  jrnn_context_destroy(three);
  jrnn_context_destroy(nullptr);  // ignored
  jrnn_context_destroy(ctx);

  // The last error is per thread.
  jrnn_rnn_desc_create(JRNN_LSTM, 0, 1, 1, 0, 0);
  std::string other;
  std::thread([&] { other = jrnn_last_error(); }).join();
  EXPECT(other.empty() && message_has("input_size"), "last error leaked across threads: '%s'",
         other.c_str());
  EXPECT(std::strcmp(jrnn_version(), "0.1.0") == 0, "version '%s'", jrnn_version());

  // The CPU kernels' instruction set: the widest the CPU has unless JRNN_CPU_ISA caps it.
  const std::string isa = jrnn_cpu_isa();
  EXPECT(isa == "avx512" || isa == "avx2" || isa == "generic", "jrnn_cpu_isa '%s'", isa.c_str());
#if defined(__x86_64__)
  __builtin_cpu_init();
  const char* widest = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                               __builtin_cpu_supports("fma")
                           ? "avx512"
                       : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
                           ? "avx2"
                           : "generic";
#else
  const char* widest = "generic";  // the x86 kernels are not part of other builds
#endif
  const char* cap = std::getenv("JRNN_CPU_ISA");
  if (!cap || !*cap)
    EXPECT(isa == widest, "jrnn_cpu_isa '%s', the CPU has %s", isa.c_str(), widest);
  else if (!std::strcmp(cap, "generic"))
    EXPECT(isa == "generic", "jrnn_cpu_isa '%s' with JRNN_CPU_ISA=generic", isa.c_str());
  else if (!std::strcmp(cap, "avx2"))
    EXPECT(isa == (std::strcmp(widest, "generic") ? "avx2" : "generic"),
           "jrnn_cpu_isa '%s' with JRNN_CPU_ISA=avx2 on a CPU with %s", isa.c_str(), widest);
}

// During a CPU call the FP control register (MXCSR's FTZ|DAZ on x86-64, FPCR's FZ on AArch64)
// flushes denormals (a relu RNN whose output is 1e-39 gives exactly 0); after it, the caller's mode
// is back, whichever it was.
void test_flush_to_zero(jrnn_context* ctx) {
  using jrnn::cpu::FpMode;
  using jrnn::cpu::kFlushDenormals;
#if defined(__x86_64__)
  static_assert(kFlushDenormals == 0x8040u, "MXCSR FTZ (bit 15) | DAZ (bit 6)");
#elif defined(__aarch64__)
  static_assert(kFlushDenormals == FpMode(1) << 24, "FPCR FZ (bit 24)");
#endif
  jrnn_rnn_desc* d = jrnn_rnn_desc_create(JRNN_RNN_RELU, 1, 1, 1, 0, 0);
  float w[2] = {1e-20f, 0.0f};  // W_ih, W_hh
  float x[1] = {1e-19f}, y[1] = {-1}, h[1];
  std::vector<unsigned char> scratch(jrnn_rnn_scratch_bytes(ctx, d, 1, 1, JRNN_PASS_INFERENCE));
  const FpMode original = jrnn::cpu::fp_mode();
  for (FpMode mode : {original & ~kFlushDenormals, original | kFlushDenormals}) {
    jrnn::cpu::set_fp_mode(mode);
    const jrnn_status st = jrnn_rnn_forward(ctx, d, 1, 1, nullptr, x, nullptr, nullptr, w, y, h,
                                            nullptr, nullptr, scratch.data());
    const FpMode after = jrnn::cpu::fp_mode();
    jrnn::cpu::set_fp_mode(original);
    EXPECT(st == JRNN_OK, "forward: %s", jrnn_last_error());
    EXPECT(y[0] == 0.0f, "denormal result %g was not flushed to zero during the call", y[0]);
    EXPECT(after == mode, "the FP control register was 0x%llx before the call and 0x%llx after it",
           (unsigned long long)mode, (unsigned long long)after);
  }
  volatile float tiny = 1e-20f;
  EXPECT(tiny * 1e-19f != 0.0f, "denormals are flushed after the calls (FP mode not restored)");
  jrnn_rnn_desc_destroy(d);
}

// The worker pool's threads compute under the caller's FP mode (flush-to-zero or not): each
// worker sets it per region, so a denormal product is 0 there exactly when it is on the caller.
struct WorkerModes {
  jrnn::cpu::FpMode mode[2];
  float product[2];
  int ran[2];
};
void record_fp_mode(void* arg, int tid, int nt, jrnn::cpu::Barrier* barrier) {
  auto* w = static_cast<WorkerModes*>(arg);
  if (tid < 2) {
    volatile float a = 1e-20f, b = 1e-19f;
    w->mode[tid] = jrnn::cpu::fp_mode();
    w->product[tid] = a * b;
    w->ran[tid] = nt;
  }
  barrier->wait();
}

void test_worker_fp_mode() {
  using jrnn::cpu::FpMode;
  using jrnn::cpu::kFlushDenormals;
  if (jrnn::cpu::available_cores() < 2) {
    std::printf("test_api: worker FP mode not checked (one core)\n");
    return;
  }
  const FpMode original = jrnn::cpu::fp_mode();
  for (FpMode mode : {original | kFlushDenormals, original & ~kFlushDenormals}) {
    WorkerModes w{};
    jrnn::cpu::set_fp_mode(mode);
    jrnn::cpu::parallel_region(2, record_fp_mode, &w);
    jrnn::cpu::set_fp_mode(original);
    if (w.ran[0] != 2) {  // another region held the pool: ran on the caller alone
      std::printf("test_api: worker FP mode not checked (the region ran on one thread)\n");
      return;
    }
    for (int t = 0; t < 2; ++t) {
      EXPECT(w.mode[t] == mode,
             "thread %d of a region ran with FP mode 0x%llx, the caller's 0x%llx", t,
             (unsigned long long)w.mode[t], (unsigned long long)mode);
      const bool flushed = w.product[t] == 0.0f;
      EXPECT(flushed == ((mode & kFlushDenormals) != 0),
             "thread %d: 1e-20 * 1e-19 = %g with flush-to-zero %s", t, w.product[t],
             (mode & kFlushDenormals) ? "on" : "off");
    }
  }
}

}  // namespace

int main() {
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, 1);
  test_descriptor_and_layout();
  test_forward_backward_validation(ctx);
  test_contexts_and_memory();
  test_flush_to_zero(ctx);
  test_worker_fp_mode();
  jrnn_context_destroy(ctx);
  return finish("test_api");
}
