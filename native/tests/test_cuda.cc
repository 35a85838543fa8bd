// test_cuda.cc — the CUDA backend on a real GPU. Without a usable device this prints "skipped"
// (and checks that CUDA contexts are refused cleanly); it never pretends. With a device:
//   1. memory: allocation is zero-filled, copies round-trip, zero works;
//   2. the recurrent stack: the CPU tests' cases (test_cpu_vs_ref: every cell, 1-3 layers,
//      uni/bidirectional, bias on/off, full and ragged lengths with NaN past them; test_step: T
//      steps in place equal one forward) through the same harness on a CUDA context, plus larger
//      shapes that take the multi-tile, split-K and skinny GEMM paths;
//   3. host `lengths` are staged: overwriting them right after a call returns changes nothing;
//      many calls queue without synchronising (the staging ring wraps);
//   4. every training op on CUDA against the CPU path on the same data (dropout bit for bit);
//      device-side id checks give the CPU's messages;
//   5. TF32 (a context created with JRNN_CUDA_TF32=1): results differ from fp32 (tensor cores
//      are really used) but stay within the documented tolerance (3e-2 abs+rel on these cases;
//      a 256x512x256 product within 5e-3 of fp32 by max-norm).
// Run: ctest -R test_cuda (on a GPU machine: scripts/gpu-check.sh).
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <tuple>

#include "cuda/cuda_layout.h"
#include "internal.h"
#include "ref/ref_rnn.h"
#include "rnn_harness.h"

using namespace jrnn::test;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

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

// ---------------------------------------------------------------- recurrent stack

// The CPU tests' cases, on ctx.
void run_cpu_test_cases(jrnn_context* ctx) {
  struct Shape {
    int64_t T, N, C, H;
  };
  const Shape shapes[] = {{1, 1, 3, 4}, {5, 3, 4, 5}, {6, 1, 2, 8}, {7, 5, 6, 17}, {4, 4, 1, 3}};
  std::mt19937 rng(99);
  uint32_t seed = 1, k = 0;
  for (int cell : {JRNN_RNN_TANH, JRNN_RNN_RELU, JRNN_LSTM, JRNN_GRU})
    for (bool bidi : {false, true})
      for (int L : {1, 2, 3})
        for (bool bias : {true, false})
          for (int pick = 0; pick < 2; ++pick) {
            const Shape& s = shapes[(k++) % 5];
            Case c{cell, s.T, s.N, s.C, s.H, L, bidi, bias, {}};
            if (pick == 1 || s.N == 1) c.lengths = ragged_lengths(rng, s.T, s.N);
            compare_with_reference(ctx, c, seed++);
          }
  // test_step's cases
  for (int cell : {JRNN_RNN_TANH, JRNN_RNN_RELU, JRNN_LSTM, JRNN_GRU}) {
    for (int L : {1, 2, 3})
      for (bool bias : {true, false})
        compare_step_with_forward(ctx, Case{cell, 6, 3, 4, 5, L, false, bias, {}}, seed++);
    compare_step_with_forward(ctx, Case{cell, 3, 1, 2, 7, 2, false, true, {}}, seed++);
  }
}

// compare_with_reference with weights ~ U(±w_scale) and given tolerances (the harness's ±0.5
// weights make larger tanh stacks chaotic: ill-conditioned even for the CPU path), through the
// C API on ctx. Inference, training forward and backward; NaN past each length.
void compare_scaled(jrnn_context* ctx, const Case& c, uint32_t seed, double atol, double rtol,
                    const char* tag) {
  std::mt19937 rng(seed);
  Desc desc(c);
  const jrnn_rnn_desc& d = *desc.d;
  const bool lstm = c.cell == JRNN_LSTM;
  const int64_t states = int64_t(c.L) * c.D() * c.N * c.H, y_count = c.T * c.N * c.D() * c.H;
  const std::string name = c.describe() + tag;
  std::vector<float> x = to_float(random_values(rng, c.T * c.N * c.C, 1.0));
  std::vector<float> h0 = to_float(random_values(rng, states, 0.8));
  std::vector<float> c0 = to_float(random_values(rng, states, 0.8));
  std::vector<float> w =
      to_float(random_values(rng, d.weights_count, 1.0 / std::sqrt(double(c.H))));
  std::vector<float> dy = to_float(random_values(rng, y_count, 1.0));
  std::vector<float> dhy = to_float(random_values(rng, states, 1.0));
  std::vector<float> dcy = to_float(random_values(rng, states, 1.0));
  std::vector<float> dw0 = to_float(random_values(rng, d.weights_count, 1.0));
  for (int64_t t = 0; t < c.T; ++t)
    for (int64_t n = 0; n < c.N; ++n)
      if (t >= c.length(n)) {
        for (int64_t k = 0; k < c.C; ++k) x[(t * c.N + n) * c.C + k] = kNaN;
        for (int64_t k = 0; k < c.D() * c.H; ++k) dy[(t * c.N + n) * c.D() * c.H + k] = kNaN;
      }
  std::vector<double> want_y(y_count), want_hy(states), want_cy(states), want_dx(x.size()),
      want_dh0(states), want_dc0(states), want_dw = to_double(dw0);
  const std::vector<double> xd = to_double(x), h0d = to_double(h0), c0d = to_double(c0),
                            wd = to_double(w), dyd = to_double(dy), dhyd = to_double(dhy),
                            dcyd = to_double(dcy);
  jrnn::ref::rnn_forward<double>(d, c.T, c.N, c.lengths_or_null(), xd.data(), h0d.data(),
                                 lstm ? c0d.data() : nullptr, wd.data(), want_y.data(),
                                 want_hy.data(), lstm ? want_cy.data() : nullptr);
  jrnn::ref::rnn_backward<double>(d, c.T, c.N, c.lengths_or_null(), xd.data(), h0d.data(),
                                  lstm ? c0d.data() : nullptr, wd.data(), dyd.data(), dhyd.data(),
                                  lstm ? dcyd.data() : nullptr, want_dx.data(), want_dh0.data(),
                                  lstm ? want_dc0.data() : nullptr, want_dw.data());
  DeviceTensor dx_(ctx, x.size()), dh0_(ctx, states), dc0_(ctx, states), dw_(ctx, w.size()),
      x_(ctx, x.size()), h0_(ctx, states), c0_(ctx, states), w_(ctx, w.size()), y_(ctx, y_count),
      hy_(ctx, states), cy_(ctx, states), dy_(ctx, y_count), dhy_(ctx, states), dcy_(ctx, states);
  x_.upload(x), h0_.upload(h0), c0_.upload(c0), w_.upload(w), dy_.upload(dy), dhy_.upload(dhy);
  dcy_.upload(dcy), dw_.upload(dw0);
  y_.upload(std::vector<float>(y_count, kNaN));
  float* c0p = lstm ? c0_.get() : nullptr;
  float* cyp = lstm ? cy_.get() : nullptr;
  {
    GuardedBuffer scratch(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_INFERENCE));
    const jrnn_status st =
        jrnn_rnn_forward(ctx, desc.d, c.T, c.N, c.lengths_or_null(), x_.get(), h0_.get(), c0p,
                         w_.get(), y_.get(), hy_.get(), cyp, nullptr, scratch.get());
    EXPECT(st == JRNN_OK, "%s: inference: %s", name.c_str(), jrnn_last_error());
    expect_close(name + " inference y", y_.download(), want_y, atol, rtol);
    expect_close(name + " inference hy", hy_.download(), want_hy, atol, rtol);
    if (lstm) expect_close(name + " inference cy", cy_.download(), want_cy, atol, rtol);
    EXPECT(scratch.tail_intact(), "%s: inference wrote past scratch", name.c_str());
  }
  GuardedBuffer reserve(ctx, jrnn_rnn_reserve_bytes(ctx, desc.d, c.T, c.N));
  {
    GuardedBuffer scratch(
        ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_TRAINING_FORWARD));
    const jrnn_status st =
        jrnn_rnn_forward(ctx, desc.d, c.T, c.N, c.lengths_or_null(), x_.get(), h0_.get(), c0p,
                         w_.get(), y_.get(), hy_.get(), cyp, reserve.get(), scratch.get());
    EXPECT(st == JRNN_OK, "%s: training forward: %s", name.c_str(), jrnn_last_error());
    expect_close(name + " training y", y_.download(), want_y, atol, rtol);
    EXPECT(scratch.tail_intact() && reserve.tail_intact(), "%s: training forward overran",
           name.c_str());
  }
  {
    GuardedBuffer scratch(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_BACKWARD));
    const jrnn_status st = jrnn_rnn_backward(
        ctx, desc.d, c.T, c.N, c.lengths_or_null(), x_.get(), h0_.get(), c0p, w_.get(), dy_.get(),
        dhy_.get(), lstm ? dcy_.get() : nullptr, dx_.get(), dh0_.get(), lstm ? dc0_.get() : nullptr,
        dw_.get(), reserve.get(), scratch.get());
    EXPECT(st == JRNN_OK, "%s: backward: %s", name.c_str(), jrnn_last_error());
    expect_close(name + " dx", dx_.download(), want_dx, atol, rtol);
    expect_close(name + " dh0", dh0_.download(), want_dh0, atol, rtol);
    if (lstm) expect_close(name + " dc0", dc0_.download(), want_dc0, atol, rtol);
    expect_close(name + " dw", dw_.download(), want_dw, atol, rtol);
    EXPECT(scratch.tail_intact(), "%s: backward overran", name.c_str());
  }
}

// Shapes that take the GPU paths the small cases do not: several 128x128 tiles, 64x32 tiles with
// split-K in the recurrent product, the skinny kernel at N <= 8 with H large, long T.
void run_larger_cases(jrnn_context* ctx) {
  std::mt19937 rng(7);
  uint32_t seed = 1000;
  for (int cell : {JRNN_RNN_TANH, JRNN_LSTM, JRNN_GRU}) {
    compare_scaled(ctx, Case{cell, 9, 16, 32, 64, 2, true, true, ragged_lengths(rng, 9, 16)},
                   seed++, 1e-4, 1e-3, "");
    compare_scaled(ctx, Case{cell, 20, 64, 256, 256, 1, false, true, ragged_lengths(rng, 20, 64)},
                   seed++, 2e-4, 2e-3, "");
    compare_scaled(ctx, Case{cell, 12, 3, 100, 600, 1, false, true, {}}, seed++, 2e-4, 2e-3, "");
    compare_scaled(ctx, Case{cell, 50, 1, 8, 96, 2, true, false, {}}, seed++, 2e-4, 2e-3, "");
  }
}

// Host lengths may be overwritten as soon as a call returns; many queued calls wrap the ring.
void check_lengths_staging(jrnn_context* ctx) {
  Case c{JRNN_GRU, 6, 5, 3, 4, 1, false, true, {6, 2, 1, 4, 3}};
  Desc desc(c);
  std::mt19937 rng(3);
  std::vector<float> x = to_float(random_values(rng, c.T * c.N * c.C, 1.0));
  std::vector<float> w = to_float(random_values(rng, jrnn_rnn_weights_count(desc.d), 0.5));
  std::vector<double> want(c.T * c.N * c.H);
  jrnn::ref::rnn_forward<double>(*desc.d, c.T, c.N, c.lengths.data(), to_double(x).data(), nullptr,
                                 nullptr, to_double(w).data(), want.data(), nullptr, nullptr);
  DeviceTensor x_(ctx, x.size()), w_(ctx, w.size());
  x_.upload(x), w_.upload(w);
  GuardedBuffer scratch(ctx, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, JRNN_PASS_INFERENCE));
  std::vector<std::unique_ptr<DeviceTensor>> ys;  // allocated first: jrnn_alloc synchronises
  for (int call = 0; call < 20; ++call)
    ys.push_back(std::make_unique<DeviceTensor>(ctx, want.size()));
  for (int call = 0; call < 20; ++call) {  // > the 8 staging slots, no synchronisation between
    std::vector<int32_t> lengths = c.lengths;
    const jrnn_status st =
        jrnn_rnn_forward(ctx, desc.d, c.T, c.N, lengths.data(), x_.get(), nullptr, nullptr,
                         w_.get(), ys[call]->get(), nullptr, nullptr, nullptr, scratch.get());
    EXPECT(st == JRNN_OK, "staged forward %d: %s", call, jrnn_last_error());
    std::fill(lengths.begin(), lengths.end(), 1);  // overwritten at once: must not matter
  }
  for (auto& y : ys) expect_close("forward with staged lengths", y->download(), want, 1e-5, 1e-4);
}

void check_sizes(jrnn_context* ctx) {
  Case c{JRNN_LSTM, 7, 3, 5, 6, 2, true, true, {}};
  Desc desc(c);
  EXPECT(jrnn_rnn_reserve_bytes(ctx, desc.d, 7, 3) == jrnn::cuda::reserve_bytes(*desc.d, 7, 3),
         "reserve size on CUDA is not the CUDA layout's");
  for (int pass = 0; pass < 4; ++pass)
    EXPECT(jrnn_rnn_scratch_bytes(ctx, desc.d, 7, 3, pass) ==
               jrnn::cuda::scratch_bytes(*desc.d, pass == 3 ? 1 : 7, 3, pass),
           "scratch size (pass %d) on CUDA is not the CUDA layout's", pass);
}

// ---------------------------------------------------------------- training ops: CUDA vs CPU

class DeviceInts {
 public:
  DeviceInts(jrnn_context* ctx, const std::vector<int32_t>& v) : ctx_(ctx) {
    ptr_ = static_cast<int32_t*>(jrnn_alloc(ctx, v.size() * 4 + 4));
    EXPECT(ptr_ && jrnn_copy_from_host(ctx, ptr_, v.data(), v.size() * 4) == JRNN_OK,
           "int upload: %s", jrnn_last_error());
  }
  ~DeviceInts() { jrnn_free(ctx_, ptr_); }
  const int32_t* get() const { return ptr_; }

 private:
  jrnn_context* ctx_;
  int32_t* ptr_;
};

struct OpsFixture {
  jrnn_context* gpu;
  jrnn_context* cpu;
  std::mt19937 rng{21};
  std::vector<float> random(size_t n, double scale = 1.0) {
    return to_float(random_values(rng, n, scale));
  }
  // Device copy of host data (owned by the fixture until the end of the test).
  float* dev(const std::vector<float>& v) {
    tensors.push_back(std::make_unique<DeviceTensor>(gpu, v.size()));
    tensors.back()->upload(v);
    return tensors.back()->get();
  }
  std::vector<float> down(const float* p, size_t n) {
    std::vector<float> v(n);
    EXPECT(jrnn_copy_to_host(gpu, v.data(), p, n * 4) == JRNN_OK, "download: %s",
           jrnn_last_error());
    return v;
  }
  std::vector<std::unique_ptr<DeviceTensor>> tensors;
};

bool ok(jrnn_status st, const char* what) {
  EXPECT(st == JRNN_OK, "%s: status %d: %s", what, (int)st, jrnn_last_error());
  return st == JRNN_OK;
}

void same(const std::string& what, const std::vector<float>& gpu, const std::vector<float>& cpu,
          double atol = 1e-5, double rtol = 1e-4) {
  expect_close(what + " (CUDA vs CPU)", gpu, to_double(cpu), atol, rtol);
}

void test_ops(jrnn_context* gpu, jrnn_context* cpu) {
  OpsFixture f{gpu, cpu};
  // linear
  for (auto [M, I, O] :
       {std::tuple<int64_t, int64_t, int64_t>{5, 4, 3}, {300, 200, 150}, {4, 1000, 70}}) {
    auto x = f.random(M * I), w = f.random(O * I), b = f.random(O), dy = f.random(M * O);
    auto dw = f.random(O * I), db = f.random(O);
    std::vector<float> y(M * O), dx(M * I), dw_c = dw, db_c = db;
    ok(jrnn_linear_forward(cpu, M, I, O, x.data(), w.data(), b.data(), y.data()), "cpu linear");
    ok(jrnn_linear_backward(cpu, M, I, O, x.data(), w.data(), dy.data(), dx.data(), dw_c.data(),
                            db_c.data()),
       "cpu linear backward");
    float *gx = f.dev(x), *gw = f.dev(w), *gb = f.dev(b), *gdy = f.dev(dy), *gy = f.dev(y);
    float *gdx = f.dev(dx), *gdw = f.dev(dw), *gdb = f.dev(db);
    ok(jrnn_linear_forward(gpu, M, I, O, gx, gw, gb, gy), "linear");
    ok(jrnn_linear_backward(gpu, M, I, O, gx, gw, gdy, gdx, gdw, gdb), "linear backward");
    const std::string shape = " M=" + std::to_string(M) + " I=" + std::to_string(I);
    same("linear y" + shape, f.down(gy, y.size()), y, 1e-4, 1e-4);
    same("linear dx" + shape, f.down(gdx, dx.size()), dx, 1e-4, 1e-4);
    same("linear dw" + shape, f.down(gdw, dw.size()), dw_c, 1e-4, 1e-4);
    same("linear db" + shape, f.down(gdb, db.size()), db_c, 1e-4, 1e-4);
  }
  // embedding (ids on the device), including the device-side id check
  {
    const int64_t M = 300, V = 50, E = 33;
    std::vector<int32_t> ids(M);
    for (int64_t m = 0; m < M; ++m) ids[m] = m % 7 == 3 ? -1 : int32_t(f.rng() % V);
    auto table = f.random(V * E), dy = f.random(M * E), dt = f.random(V * E);
    std::vector<float> y(M * E), dt_c = dt;
    ok(jrnn_embedding_forward(cpu, M, V, E, ids.data(), table.data(), y.data()), "cpu embedding");
    ok(jrnn_embedding_backward(cpu, M, V, E, ids.data(), dy.data(), dt_c.data()), "cpu emb bwd");
    DeviceInts gids(gpu, ids);
    float *gt = f.dev(table), *gy = f.dev(y), *gdy = f.dev(dy), *gdt = f.dev(dt);
    ok(jrnn_embedding_forward(gpu, M, V, E, gids.get(), gt, gy), "embedding");
    ok(jrnn_embedding_backward(gpu, M, V, E, gids.get(), gdy, gdt), "embedding backward");
    same("embedding y", f.down(gy, y.size()), y, 0, 0);
    same("embedding dtable", f.down(gdt, dt.size()), dt_c, 1e-5, 1e-5);
    std::vector<int32_t> bad = {0, 2, 9, -2};
    DeviceInts gbad(gpu, bad);
    EXPECT(jrnn_embedding_forward(gpu, 4, 3, E, gbad.get(), gt, gy) == JRNN_ERR_INVALID_ARGUMENT &&
               std::strstr(jrnn_last_error(), "ids[2] = 9 is outside 0..2"),
           "embedding bad id on CUDA: '%s'", jrnn_last_error());
    EXPECT(jrnn_embedding_backward(gpu, 4, 3, E, gbad.get(), gdy, gdt) == JRNN_ERR_INVALID_ARGUMENT,
           "embedding backward bad id on CUDA");
    same("embedding dtable untouched by a refused call", f.down(gdt, dt.size()), dt_c, 1e-5, 1e-5);
  }
  // softmax, cross-entropy (smoothing, ignored rows, in place), large K
  for (int64_t K : {7, 1000, 5000}) {
    const int64_t M = 37;
    auto logits = f.random(M * K, 4.0);
    std::vector<int32_t> targets(M);
    for (int64_t m = 0; m < M; ++m) targets[m] = m % 5 == 1 ? -1 : int32_t(f.rng() % K);
    DeviceInts gtg(gpu, targets);
    for (float smoothing : {0.0f, 0.1f}) {
      std::vector<float> loss(M), dl(M * K);
      ok(jrnn_softmax_cross_entropy(cpu, M, K, logits.data(), targets.data(), smoothing, 0.5f,
                                    loss.data(), dl.data()),
         "cpu CE");
      float *gl = f.dev(logits), *gloss = f.dev(loss), *gdl = f.dev(dl);
      ok(jrnn_softmax_cross_entropy(gpu, M, K, gl, gtg.get(), smoothing, 0.5f, gloss, gdl), "CE");
      same("CE loss K=" + std::to_string(K), f.down(gloss, M), loss, 1e-4, 1e-4);
      same("CE dlogits K=" + std::to_string(K), f.down(gdl, dl.size()), dl, 1e-6, 1e-4);
      ok(jrnn_softmax_cross_entropy(gpu, M, K, gl, gtg.get(), smoothing, 0.5f, nullptr, gl),
         "CE in place");
      same("CE dlogits in place", f.down(gl, dl.size()), dl, 1e-6, 1e-4);
    }
    for (int log : {0, 1}) {
      std::vector<float> y(M * K);
      ok(jrnn_softmax(cpu, M, K, logits.data(), log, y.data()), "cpu softmax");
      float* gx = f.dev(logits);
      ok(jrnn_softmax(gpu, M, K, gx, log, gx), "softmax in place");
      same(log ? "log_softmax" : "softmax", f.down(gx, y.size()), y, 1e-5, 1e-4);
    }
  }
  {
    std::vector<int32_t> bad = {1, 7};
    DeviceInts gbad(gpu, bad);
    float* gl = f.dev(f.random(2 * 7));
    EXPECT(jrnn_softmax_cross_entropy(gpu, 2, 7, gl, gbad.get(), 0, 1, nullptr, gl) ==
                   JRNN_ERR_INVALID_ARGUMENT &&
               std::strstr(jrnn_last_error(), "targets[1] = 7"),
           "CE bad target on CUDA: '%s'", jrnn_last_error());
  }
  // BCE, MSE
  {
    const int64_t M = 1000, K = 70;
    auto z = f.random(M, 5.0), t = f.random(M, 0.5), wgt = f.random(M, 1.0);
    for (float& v : t) v += 0.5f;
    std::vector<float> loss(M), dz(M);
    ok(jrnn_bce_with_logits(cpu, M, z.data(), t.data(), wgt.data(), 0.25f, loss.data(), dz.data()),
       "cpu bce");
    float *gz = f.dev(z), *gt = f.dev(t), *gw = f.dev(wgt), *gloss = f.dev(loss), *gdz = f.dev(dz);
    ok(jrnn_bce_with_logits(gpu, M, gz, gt, gw, 0.25f, gloss, gdz), "bce");
    same("bce loss", f.down(gloss, M), loss, 1e-6, 1e-5);
    same("bce dz", f.down(gdz, M), dz, 1e-6, 1e-5);
    auto p = f.random(M * K), tt = f.random(M * K);
    std::vector<float> ml(M), dp(M * K);
    ok(jrnn_mse(cpu, M, K, p.data(), tt.data(), nullptr, 2.0f, ml.data(), dp.data()), "cpu mse");
    float *gp = f.dev(p), *gtt = f.dev(tt), *gml = f.dev(ml), *gdp = f.dev(dp);
    ok(jrnn_mse(gpu, M, K, gp, gtt, nullptr, 2.0f, gml, gdp), "mse");
    same("mse loss", f.down(gml, M), ml, 1e-5, 1e-5);
    same("mse dp", f.down(gdp, dp.size()), dp, 0, 0);
  }
  // dropout: the same mask as the CPU, bit for bit
  for (float p : {0.0f, 0.3f}) {
    const int64_t count = 300001;
    auto x = f.random(count);
    std::vector<float> y(count);
    ok(jrnn_dropout(cpu, count, p, 12345, x.data(), y.data()), "cpu dropout");
    float* gx = f.dev(x);
    ok(jrnn_dropout(gpu, count, p, 12345, gx, gx), "dropout in place");
    const std::vector<float> gy = f.down(gx, count);
    EXPECT(std::memcmp(gy.data(), y.data(), count * 4) == 0,
           "dropout p=%g on CUDA differs from the CPU (mask or scale)", p);
  }
  // gather_last
  {
    const int64_t T = 9, N = 13, F = 21;
    std::vector<int32_t> lengths = ragged_lengths(f.rng, T, N);
    auto y = f.random(T * N * F), dout = f.random(N * F), dy = f.random(T * N * F);
    std::vector<float> out(N * F), dy_c = dy;
    ok(jrnn_gather_last(cpu, T, N, F, lengths.data(), y.data(), out.data()), "cpu gather");
    ok(jrnn_gather_last_backward(cpu, T, N, F, lengths.data(), dout.data(), dy_c.data()), "cpu gb");
    float *gy = f.dev(y), *gout = f.dev(out), *gdout = f.dev(dout), *gdy = f.dev(dy);
    std::vector<int32_t> staged = lengths;
    ok(jrnn_gather_last(gpu, T, N, F, staged.data(), gy, gout), "gather_last");
    std::fill(staged.begin(), staged.end(), 1);  // staged: overwriting must not matter
    staged = lengths;
    ok(jrnn_gather_last_backward(gpu, T, N, F, staged.data(), gdout, gdy), "gather_last_backward");
    std::fill(staged.begin(), staged.end(), 1);
    same("gather_last", f.down(gout, out.size()), out, 0, 0);
    same("gather_last_backward", f.down(gdy, dy.size()), dy_c, 0, 0);
    ok(jrnn_gather_last(gpu, T, N, F, nullptr, gy, gout), "gather_last all T");
    ok(jrnn_gather_last(cpu, T, N, F, nullptr, y.data(), out.data()), "cpu gather all T");
    same("gather_last (lengths NULL)", f.down(gout, out.size()), out, 0, 0);
  }
  // reductions (host results)
  {
    const int64_t count = 1234567;
    auto x = f.random(count, 2.0);
    float* gx = f.dev(x);
    double s_cpu = 0, s_gpu = 0;
    ok(jrnn_sum_squares(cpu, count, x.data(), &s_cpu), "cpu sum_squares");
    ok(jrnn_sum_squares(gpu, count, gx, &s_gpu), "sum_squares");
    EXPECT(std::fabs(s_cpu - s_gpu) <= 1e-9 * s_cpu, "sum_squares %.17g vs CPU %.17g", s_gpu,
           s_cpu);
    int finite = -1;
    int64_t first = -2;
    ok(jrnn_check_finite(gpu, count, gx, &finite, &first), "check_finite");
    EXPECT(finite == 1 && first == -1, "check_finite all finite: %d %lld", finite,
           (long long)first);
    x[777777] = INFINITY, x[900000] = kNaN, x[5] = 1.0f;
    float* gx2 = f.dev(x);
    ok(jrnn_check_finite(gpu, count, gx2, &finite, &first), "check_finite");
    EXPECT(finite == 0 && first == 777777, "check_finite finds the first Inf: %d %lld", finite,
           (long long)first);
  }
  // scale, clip, axpy
  {
    const int64_t count = 100003;
    auto x = f.random(count, 3.0), y = f.random(count);
    float *gx = f.dev(x), *gy = f.dev(y);
    ok(jrnn_scale(cpu, count, 0.3f, x.data()), "cpu scale");
    ok(jrnn_scale(gpu, count, 0.3f, gx), "scale");
    same("scale", f.down(gx, count), x, 0, 0);
    ok(jrnn_clip_values(cpu, count, 0.5f, x.data()), "cpu clip");
    ok(jrnn_clip_values(gpu, count, 0.5f, gx), "clip");
    same("clip", f.down(gx, count), x, 0, 0);
    std::vector<float> nf = {kNaN, INFINITY, -INFINITY, -0.25f};
    float* gnf = f.dev(nf);
    ok(jrnn_clip_values(gpu, 4, 2.0f, gnf), "clip non-finite");
    auto nf_back = f.down(gnf, 4);
    EXPECT(
        std::isnan(nf_back[0]) && nf_back[1] == 2.0f && nf_back[2] == -2.0f && nf_back[3] == -0.25f,
        "clip keeps NaN and clamps infinities (torch.clamp): %g %g %g %g", nf_back[0], nf_back[1],
        nf_back[2], nf_back[3]);
    ok(jrnn_axpy(cpu, count, -1.5f, x.data(), y.data()), "cpu axpy");
    ok(jrnn_axpy(gpu, count, -1.5f, gx, gy), "axpy");
    same("axpy", f.down(gy, count), y, 0, 0);
  }
  // optimisers: three steps each, CUDA vs CPU (no FMA contraction in ops.cu: near bit-exact)
  {
    const int64_t count = 50001;
    auto w0 = f.random(count), g = f.random(count, 0.1);
    for (int kind = 0; kind < 4; ++kind) {
      std::vector<float> w = w0, a(count, 0.0f), b(count, 0.0f);
      float *gw = f.dev(w0), *gg = f.dev(g), *ga = f.dev(a), *gb = f.dev(b);
      for (int64_t step = 1; step <= 3; ++step) {
        switch (kind) {
          case 0:
            ok(jrnn_sgd_update(cpu, count, w.data(), g.data(), a.data(), 0.1f, 0.9f, 0.01f, 1,
                               step),
               "cpu sgd");
            ok(jrnn_sgd_update(gpu, count, gw, gg, ga, 0.1f, 0.9f, 0.01f, 1, step), "sgd");
            break;
          case 1:
            ok(jrnn_adam_update(cpu, count, w.data(), g.data(), a.data(), b.data(), 0.01f, 0.9f,
                                0.999f, 1e-8f, 0.1f, 0, step),
               "cpu adam");
            ok(jrnn_adam_update(gpu, count, gw, gg, ga, gb, 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 0,
                                step),
               "adam");
            break;
          case 2:
            ok(jrnn_adam_update(cpu, count, w.data(), g.data(), a.data(), b.data(), 0.01f, 0.8f,
                                0.99f, 1e-6f, 0.1f, 1, step),
               "cpu adamw");
            ok(jrnn_adam_update(gpu, count, gw, gg, ga, gb, 0.01f, 0.8f, 0.99f, 1e-6f, 0.1f, 1,
                                step),
               "adamw");
            break;
          default:
            ok(jrnn_rmsprop_update(cpu, count, w.data(), g.data(), a.data(), b.data(), 0.01f, 0.9f,
                                   1e-8f, 0.05f, 0.5f),
               "cpu rmsprop");
            ok(jrnn_rmsprop_update(gpu, count, gw, gg, ga, gb, 0.01f, 0.9f, 1e-8f, 0.05f, 0.5f),
               "rmsprop");
        }
      }
      const char* names[] = {"sgd nesterov", "adam", "adamw", "rmsprop momentum"};
      same(std::string(names[kind]) + " w", f.down(gw, count), w, 1e-6, 1e-5);
      same(std::string(names[kind]) + " state", f.down(ga, count), a, 1e-6, 1e-5);
    }
  }
}

// ---------------------------------------------------------------- TF32

void test_tf32(jrnn_context* fp32, jrnn_context* tf32) {
  std::mt19937 rng(5);
  const int64_t M = 256, I = 512, O = 256;
  const std::vector<float> x = to_float(random_values(rng, M * I, 1.0));
  const std::vector<float> w = to_float(random_values(rng, O * I, 1.0));
  DeviceTensor x1(fp32, x.size()), w1(fp32, w.size()), y1(fp32, M * O);
  DeviceTensor x2(tf32, x.size()), w2(tf32, w.size()), y2(tf32, M * O);
  x1.upload(x), w1.upload(w), x2.upload(x), w2.upload(w);
  ok(jrnn_linear_forward(fp32, M, I, O, x1.get(), w1.get(), nullptr, y1.get()), "fp32 linear");
  ok(jrnn_linear_forward(tf32, M, I, O, x2.get(), w2.get(), nullptr, y2.get()), "tf32 linear");
  const std::vector<float> a = y1.download(), b = y2.download();
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    scale = std::max(scale, double(std::fabs(a[i])));
  }
  std::printf("test_cuda: TF32 256x512x256 product: max |tf32 - fp32| / max |fp32| = %.3g\n",
              diff / scale);
  EXPECT(diff > 0, "TF32 context gives exactly the fp32 product: tensor cores not used?");
  EXPECT(diff / scale < 5e-3, "TF32 product error %.3g exceeds 5e-3", diff / scale);
  std::mt19937 lr(8);
  uint32_t seed = 2000;
  for (int cell : {JRNN_RNN_TANH, JRNN_LSTM, JRNN_GRU})
    compare_scaled(tf32, Case{cell, 10, 40, 96, 128, 2, true, true, ragged_lengths(lr, 10, 40)},
                   seed++, 3e-2, 3e-2, " [tf32]");
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
  unsetenv("JRNN_CUDA_TF32");
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CUDA, 0, 0);
  jrnn_context* cpu = jrnn_context_create(JRNN_DEVICE_CPU, 0, 2);
  EXPECT(ctx != nullptr, "jrnn_context_create(CUDA, 0): %s", jrnn_last_error());
  if (!ctx || !cpu) return finish("test_cuda");
  EXPECT(jrnn_context_create(JRNN_DEVICE_CUDA, devices, 0) == nullptr,
         "a context on CUDA device %d (of %d) was created", devices, devices);
  const bool quick = std::getenv("JRNN_TEST_QUICK") != nullptr;  // compute-sanitizer runs
  check_memory(ctx);
  check_sizes(ctx);
  std::printf("test_cuda: memory and sizes done (%d failures)\n", failures);
  run_cpu_test_cases(ctx);
  std::printf("test_cuda: CPU test cases on CUDA done (%d failures)\n", failures);
  check_lengths_staging(ctx);
  if (!quick) run_larger_cases(ctx);
  std::printf("test_cuda: larger cases done (%d failures)\n", failures);
  test_ops(ctx, cpu);
  std::printf("test_cuda: ops done (%d failures)\n", failures);
  if (!quick) {
    setenv("JRNN_CUDA_TF32", "1", 1);
    jrnn_context* tf32 = jrnn_context_create(JRNN_DEVICE_CUDA, 0, 0);
    unsetenv("JRNN_CUDA_TF32");
    EXPECT(tf32 != nullptr, "TF32 context: %s", jrnn_last_error());
    if (tf32) {
      test_tf32(ctx, tf32);
      jrnn_context_destroy(tf32);
    }
    std::printf("test_cuda: TF32 done (%d failures)\n", failures);
  }
  jrnn_context_destroy(cpu);
  jrnn_context_destroy(ctx);
  return finish("test_cuda");
}
