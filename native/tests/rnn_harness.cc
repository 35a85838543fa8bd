// rnn_harness.cc — see rnn_harness.h. Tolerances: float kernels against the double reference,
// |err| <= 1e-4 + 1e-3|want| for values of order one (a wrong gate, bias or time index gives
// errors of order 0.1).
#include "rnn_harness.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "internal.h"
#include "ref/ref_rnn.h"

namespace jrnn::test {
namespace {

constexpr double kAtol = 1e-4, kRtol = 1e-3;
constexpr size_t kCanary = 256;
constexpr float kGarbage = 12345.0f;

void die_on(jrnn_status st, const char* what) {
  if (st != JRNN_OK) {
    std::fprintf(stderr, "FATAL: %s failed (%d): %s\n", what, (int)st, jrnn_last_error());
    std::exit(2);
  }
}

// x or dy with NaN in every row past its sequence's length ([T, N, F]).
void poison_past_lengths(std::vector<float>& v, const Case& c, int64_t F) {
  for (int64_t t = 0; t < c.T; ++t)
    for (int64_t n = 0; n < c.N; ++n)
      if (t >= c.length(n))
        for (int64_t k = 0; k < F; ++k)
          v[(t * c.N + n) * F + k] = std::numeric_limits<float>::quiet_NaN();
}

}  // namespace

DeviceTensor::DeviceTensor(jrnn_context* ctx, size_t count) : ctx_(ctx), count_(count) {
  ptr_ = jrnn_alloc(ctx, count * sizeof(float));
  if (!ptr_) die_on(JRNN_ERR_OUT_OF_MEMORY, "jrnn_alloc");
}
DeviceTensor::~DeviceTensor() {
  jrnn_free(ctx_, ptr_);
}
void DeviceTensor::upload(const std::vector<float>& values) {
  die_on(jrnn_copy_from_host(ctx_, ptr_, values.data(), count_ * sizeof(float)),
         "jrnn_copy_from_host");
}
std::vector<float> DeviceTensor::download() const {
  std::vector<float> v(count_);
  die_on(jrnn_copy_to_host(ctx_, v.data(), ptr_, count_ * sizeof(float)), "jrnn_copy_to_host");
  return v;
}

GuardedBuffer::GuardedBuffer(jrnn_context* ctx, size_t bytes) : ctx_(ctx), bytes_(bytes) {
  ptr_ = jrnn_alloc(ctx, bytes + kCanary);
  if (!ptr_) die_on(JRNN_ERR_OUT_OF_MEMORY, "jrnn_alloc");
  std::vector<unsigned char> canary(kCanary, 0xA5);
  die_on(jrnn_copy_from_host(ctx, static_cast<char*>(ptr_) + bytes, canary.data(), kCanary),
         "jrnn_copy_from_host");
}
GuardedBuffer::~GuardedBuffer() {
  jrnn_free(ctx_, ptr_);
}
bool GuardedBuffer::tail_intact() const {
  std::vector<unsigned char> tail(kCanary);
  die_on(jrnn_copy_to_host(ctx_, tail.data(), static_cast<char*>(ptr_) + bytes_, kCanary),
         "jrnn_copy_to_host");
  for (unsigned char b : tail)
    if (b != 0xA5) return false;
  return true;
}

void compare_with_reference(jrnn_context* ctx, const Case& c, uint32_t seed) {
  std::mt19937 rng(seed);
  Desc desc(c);
  const jrnn_rnn_desc& d = *desc.d;
  const bool lstm = c.cell == JRNN_LSTM;
  const int64_t states = int64_t(c.L) * c.D() * c.N * c.H;
  const int64_t y_count = c.T * c.N * c.D() * c.H;
  const bool use_h0 = seed % 3 != 0, use_c0 = seed % 4 != 1 && lstm;
  const bool use_dhy = seed % 5 != 2, use_dcy = seed % 2 == 0 && lstm;
  const std::string name = c.describe();

  // Host data (float), and the same values in double for the reference.
  std::vector<float> x = to_float(random_values(rng, c.T * c.N * c.C, 1.0));
  std::vector<float> h0 = to_float(random_values(rng, states, 0.8));
  std::vector<float> c0 = to_float(random_values(rng, states, 0.8));
  std::vector<float> w = to_float(random_values(rng, d.weights_count, 0.5));
  std::vector<float> dy = to_float(random_values(rng, y_count, 1.0));
  std::vector<float> dhy = to_float(random_values(rng, states, 1.0));
  std::vector<float> dcy = to_float(random_values(rng, states, 1.0));
  std::vector<float> dw_start = to_float(random_values(rng, d.weights_count, 1.0));
  poison_past_lengths(x, c, c.C);
  poison_past_lengths(dy, c, c.D() * c.H);

  std::vector<double> want_y(y_count), want_hy(states), want_cy(states);
  std::vector<double> want_dx(x.size()), want_dh0(states), want_dc0(states);
  std::vector<double> want_dw = to_double(dw_start);
  const std::vector<double> xd = to_double(x), h0d = to_double(h0), c0d = to_double(c0),
                            wd = to_double(w), dyd = to_double(dy), dhyd = to_double(dhy),
                            dcyd = to_double(dcy);
  ref::rnn_forward<double>(d, c.T, c.N, c.lengths_or_null(), xd.data(),
                           use_h0 ? h0d.data() : nullptr, use_c0 ? c0d.data() : nullptr, wd.data(),
                           want_y.data(), want_hy.data(), lstm ? want_cy.data() : nullptr);
  ref::rnn_backward<double>(d, c.T, c.N, c.lengths_or_null(), xd.data(),
                            use_h0 ? h0d.data() : nullptr, use_c0 ? c0d.data() : nullptr, wd.data(),
                            dyd.data(), use_dhy ? dhyd.data() : nullptr,
                            use_dcy ? dcyd.data() : nullptr, want_dx.data(), want_dh0.data(),
                            lstm ? want_dc0.data() : nullptr, want_dw.data());

  // Device buffers.
  DeviceTensor dev_x(ctx, x.size()), dev_h0(ctx, states), dev_c0(ctx, states), dev_w(ctx, w.size()),
      dev_y(ctx, y_count), dev_hy(ctx, states), dev_cy(ctx, states), dev_dy(ctx, y_count),
      dev_dhy(ctx, states), dev_dcy(ctx, states), dev_dx(ctx, x.size()), dev_dh0(ctx, states),
      dev_dc0(ctx, states), dev_dw(ctx, w.size());
  dev_x.upload(x), dev_h0.upload(h0), dev_c0.upload(c0), dev_w.upload(w);
  dev_dy.upload(dy), dev_dhy.upload(dhy), dev_dcy.upload(dcy), dev_dw.upload(dw_start);
  const std::vector<float> garbage_y(y_count, kGarbage), garbage_states(states, kGarbage),
      garbage_x(x.size(), kGarbage);
  float* h0p = use_h0 ? dev_h0.get() : nullptr;
  float* c0p = use_c0 ? dev_c0.get() : nullptr;
  float* cyp = lstm ? dev_cy.get() : nullptr;

  // 1. inference forward
  {
    dev_y.upload(garbage_y), dev_hy.upload(garbage_states), dev_cy.upload(garbage_states);
    GuardedBuffer scratch(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_INFERENCE));
    const jrnn_status st =
        jrnn_rnn_forward(ctx, desc.d, c.T, c.N, c.lengths_or_null(), dev_x.get(), h0p, c0p,
                         dev_w.get(), dev_y.get(), dev_hy.get(), cyp, nullptr, scratch.get());
    EXPECT(st == JRNN_OK, "%s: inference forward returned %d: %s", name.c_str(), (int)st,
           jrnn_last_error());
    expect_close(name + " inference y", dev_y.download(), want_y, kAtol, kRtol);
    expect_close(name + " inference hy", dev_hy.download(), want_hy, kAtol, kRtol);
    if (lstm) expect_close(name + " inference cy", dev_cy.download(), want_cy, kAtol, kRtol);
    EXPECT(scratch.tail_intact(), "%s: inference forward wrote past its scratch size",
           name.c_str());
  }
  // 2. training forward, then backward from its reserve
  GuardedBuffer reserve(ctx, jrnn_rnn_reserve_bytes(ctx, desc.d, c.T, c.N));
  {
    dev_y.upload(garbage_y), dev_hy.upload(garbage_states), dev_cy.upload(garbage_states);
    GuardedBuffer scratch(
        ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_TRAINING_FORWARD));
    const jrnn_status st =
        jrnn_rnn_forward(ctx, desc.d, c.T, c.N, c.lengths_or_null(), dev_x.get(), h0p, c0p,
                         dev_w.get(), dev_y.get(), dev_hy.get(), cyp, reserve.get(), scratch.get());
    EXPECT(st == JRNN_OK, "%s: training forward returned %d: %s", name.c_str(), (int)st,
           jrnn_last_error());
    expect_close(name + " training y", dev_y.download(), want_y, kAtol, kRtol);
    expect_close(name + " training hy", dev_hy.download(), want_hy, kAtol, kRtol);
    if (lstm) expect_close(name + " training cy", dev_cy.download(), want_cy, kAtol, kRtol);
    EXPECT(scratch.tail_intact(), "%s: training forward wrote past its scratch size", name.c_str());
    EXPECT(reserve.tail_intact(), "%s: training forward wrote past its reserve size", name.c_str());
  }
  {
    dev_dx.upload(garbage_x), dev_dh0.upload(garbage_states), dev_dc0.upload(garbage_states);
    GuardedBuffer scratch(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_BACKWARD));
    const jrnn_status st = jrnn_rnn_backward(
        ctx, desc.d, c.T, c.N, c.lengths_or_null(), dev_x.get(), h0p, c0p, dev_w.get(),
        dev_dy.get(), use_dhy ? dev_dhy.get() : nullptr, use_dcy ? dev_dcy.get() : nullptr,
        dev_dx.get(), dev_dh0.get(), lstm ? dev_dc0.get() : nullptr, dev_dw.get(), reserve.get(),
        scratch.get());
    EXPECT(st == JRNN_OK, "%s: backward returned %d: %s", name.c_str(), (int)st, jrnn_last_error());
    const std::vector<float> dx = dev_dx.download();
    expect_close(name + " dx", dx, want_dx, kAtol, kRtol);
    expect_close(name + " dh0", dev_dh0.download(), want_dh0, kAtol, kRtol);
    if (lstm) expect_close(name + " dc0", dev_dc0.download(), want_dc0, kAtol, kRtol);
    expect_close(name + " dw (accumulated onto random values)", dev_dw.download(), want_dw, kAtol,
                 kRtol);
    bool zero_past_length = true;
    for (int64_t t = 0; t < c.T; ++t)
      for (int64_t n = 0; n < c.N; ++n)
        if (t >= c.length(n))
          for (int64_t k = 0; k < c.C; ++k) zero_past_length &= dx[(t * c.N + n) * c.C + k] == 0.0f;
    EXPECT(zero_past_length, "%s: dx is not exactly zero past each length", name.c_str());
    EXPECT(scratch.tail_intact(), "%s: backward wrote past its scratch size", name.c_str());
  }
}

void compare_step_with_forward(jrnn_context* ctx, const Case& c, uint32_t seed) {
  std::mt19937 rng(seed);
  Desc desc(c);
  const jrnn_rnn_desc& d = *desc.d;
  const bool lstm = c.cell == JRNN_LSTM;
  const int64_t states = int64_t(c.L) * c.N * c.H, NH = c.N * c.H;
  const std::string name = c.describe() + " step";
  const bool use_h0 = seed % 2 == 0;  // NULL hx on the first step otherwise

  std::vector<float> x = to_float(random_values(rng, c.T * c.N * c.C, 1.0));
  std::vector<float> h0 =
      use_h0 ? to_float(random_values(rng, states, 0.8)) : std::vector<float>(states, 0.0f);
  std::vector<float> c0 =
      use_h0 && lstm ? to_float(random_values(rng, states, 0.8)) : std::vector<float>(states, 0.0f);
  std::vector<float> w = to_float(random_values(rng, d.weights_count, 0.5));

  // The whole sequence in one forward.
  DeviceTensor dev_x(ctx, x.size()), dev_w(ctx, w.size()), dev_h(ctx, states), dev_c(ctx, states),
      dev_y(ctx, c.T * NH), dev_hy(ctx, states), dev_cy(ctx, states), dev_h0(ctx, states),
      dev_c0(ctx, states);
  dev_x.upload(x), dev_w.upload(w), dev_h0.upload(h0), dev_c0.upload(c0);
  {
    GuardedBuffer scratch(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_INFERENCE));
    die_on(jrnn_rnn_forward(ctx, desc.d, c.T, c.N, nullptr, dev_x.get(), dev_h0.get(),
                            lstm ? dev_c0.get() : nullptr, dev_w.get(), dev_y.get(), dev_hy.get(),
                            lstm ? dev_cy.get() : nullptr, nullptr, scratch.get()),
           "jrnn_rnn_forward");
  }
  const std::vector<double> want_y = to_double(dev_y.download());
  const std::vector<double> want_hy = to_double(dev_hy.download());
  const std::vector<double> want_cy = to_double(dev_cy.download());

  // Step by step, state updated in place; the reference steps alongside in double.
  dev_h.upload(h0), dev_c.upload(c0);
  std::vector<double> ref_h = to_double(h0), ref_c = to_double(c0);
  GuardedBuffer scratch(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, 1, c.N, JRNN_PASS_STEP));
  DeviceTensor dev_xt(ctx, c.N * c.C), dev_yt(ctx, NH);
  for (int64_t t = 0; t < c.T; ++t) {
    const std::vector<float> xt(x.begin() + t * c.N * c.C, x.begin() + (t + 1) * c.N * c.C);
    dev_xt.upload(xt);
    const bool null_state = t == 0 && !use_h0;
    const jrnn_status st =
        jrnn_rnn_step(ctx, desc.d, c.N, dev_xt.get(), null_state ? nullptr : dev_h.get(),
                      null_state || !lstm ? nullptr : dev_c.get(), dev_w.get(), dev_yt.get(),
                      dev_h.get(), lstm ? dev_c.get() : nullptr, scratch.get());
    EXPECT(st == JRNN_OK, "%s: t=%lld returned %d: %s", name.c_str(), (long long)t, (int)st,
           jrnn_last_error());
    const std::vector<double> want_yt(want_y.begin() + t * NH, want_y.begin() + (t + 1) * NH);
    expect_close(name + " y at t=" + std::to_string(t), dev_yt.download(), want_yt, 1e-5, 1e-4);

    std::vector<double> xtd = to_double(xt), ref_y(NH);
    ref::rnn_step<double>(d, c.N, xtd.data(), ref_h.data(), lstm ? ref_c.data() : nullptr,
                          to_double(w).data(), ref_y.data(), ref_h.data(),
                          lstm ? ref_c.data() : nullptr);
    expect_close(name + " y vs ref::rnn_step at t=" + std::to_string(t), dev_yt.download(), ref_y,
                 kAtol, kRtol);
  }
  expect_close(name + " final h (in place) vs forward hy", dev_h.download(), want_hy, 1e-5, 1e-4);
  if (lstm)
    expect_close(name + " final c (in place) vs forward cy", dev_c.download(), want_cy, 1e-5, 1e-4);
  expect_close(name + " ref::rnn_step final h vs forward hy", to_float(ref_h), want_hy, kAtol,
               kRtol);
  EXPECT(scratch.tail_intact(), "%s: wrote past its scratch size", name.c_str());
}

}  // namespace jrnn::test
