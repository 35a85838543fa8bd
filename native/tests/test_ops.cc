// test_ops.cc — tests of the training building blocks (ops_ref.h, ops_cpu.cc, and their C API).
//   1. finite-difference gradient checks in double precision on the reference;
//   2. the CPU float32 versions against the reference;
//   3. optimiser updates against values computed by torch.optim (PyTorch 1.13, float64);
//   4. the C API: argument validation (messages name the problem) and dispatch to the CPU path.
// Run: scripts/test-native.sh (ctest), or build/native-test/test_ops directly.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "jrnn/jrnn.h"
#include "cpu/isa.h"
#include "ops/ops_cpu.h"
#include "ops/ops_ref.h"

namespace {

int failures = 0;
int checks = 0;

#define EXPECT(cond, ...)                                       \
  do {                                                          \
    ++checks;                                                   \
    if (!(cond)) {                                              \
      ++failures;                                               \
      std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      std::fprintf(stderr, __VA_ARGS__);                        \
      std::fprintf(stderr, "\n");                               \
    }                                                           \
  } while (0)

using Vec = std::vector<double>;

Vec random_vec(std::mt19937& rng, size_t n, double scale = 1.0) {
  std::uniform_real_distribution<double> u(-scale, scale);
  Vec v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

std::vector<float> to_float(const Vec& v) {
  return std::vector<float>(v.begin(), v.end());
}

// max |a-b| / max(1, max|b|): the relative error by norm used throughout jrnn's tests
double rel_error(const std::vector<float>& a, const Vec& b) {
  double diff = 0, ref = 1e-30;
  for (size_t i = 0; i < b.size(); ++i) {
    // fmax drops NaN: a NaN where the reference has a number must fail, not vanish
    if (std::isnan(a[i]) != std::isnan(b[i])) return INFINITY;
    diff = std::fmax(diff, std::fabs(a[i] - b[i]));
    ref = std::fmax(ref, std::fabs(b[i]));
  }
  return diff / std::fmax(ref, 1.0);
}

// Central-difference check of an analytic gradient `grad` of scalar f at `x` (modified and
// restored).
void check_gradient(const char* what, Vec& x, const std::function<double()>& f, const Vec& grad) {
  const double h = 1e-6;
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + h;
    const double up = f();
    x[i] = keep - h;
    const double down = f();
    x[i] = keep;
    const double numeric = (up - down) / (2 * h);
    const double err =
        std::fabs(numeric - grad[i]) / std::fmax(1e-3, std::fabs(numeric) + std::fabs(grad[i]));
    worst = std::fmax(worst, err);
  }
  EXPECT(worst < 1e-6, "%s: finite differences disagree, worst relative error %.3g", what, worst);
}

double dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

void test_linear(std::mt19937& rng) {
  const int64_t M = 5, I = 4, O = 3;
  Vec x = random_vec(rng, M * I), w = random_vec(rng, O * I), b = random_vec(rng, O);
  const Vec dy = random_vec(rng, M * O);
  auto f = [&] {
    Vec y(M * O);
    jrnn::ref::linear_forward<double>(M, I, O, x.data(), w.data(), b.data(), y.data());
    return dot(y, dy);
  };
  Vec dx(M * I), dw(O * I, 0.0), db(O, 0.0);
  jrnn::ref::linear_backward<double>(M, I, O, x.data(), w.data(), dy.data(), dx.data(), dw.data(),
                                     db.data());
  check_gradient("linear dx", x, f, dx);
  check_gradient("linear dw", w, f, dw);
  check_gradient("linear db", b, f, db);

  // CPU against the reference; dw/db accumulate onto existing values
  Vec y(M * O);
  jrnn::ref::linear_forward<double>(M, I, O, x.data(), w.data(), b.data(), y.data());
  auto xf = to_float(x), wf = to_float(w), bf = to_float(b), dyf = to_float(dy);
  std::vector<float> yf(M * O), dxf(M * I), dwf(O * I, 0.5f), dbf(O, -0.25f);
  jrnn::cpu::linear_forward(M, I, O, xf.data(), wf.data(), bf.data(), yf.data());
  EXPECT(rel_error(yf, y) < 1e-6, "linear cpu forward");
  jrnn::cpu::linear_forward(M, I, O, xf.data(), wf.data(), nullptr, yf.data());
  Vec y_nobias(M * O);
  jrnn::ref::linear_forward<double>(M, I, O, x.data(), w.data(), nullptr, y_nobias.data());
  EXPECT(rel_error(yf, y_nobias) < 1e-6, "linear cpu forward without bias");
  jrnn::cpu::linear_backward(M, I, O, xf.data(), wf.data(), dyf.data(), dxf.data(), dwf.data(),
                             dbf.data());
  for (auto& v : dw) v += 0.5;
  for (auto& v : db) v -= 0.25;
  EXPECT(rel_error(dxf, dx) < 1e-6, "linear cpu dx");
  EXPECT(rel_error(dwf, dw) < 1e-6, "linear cpu dw accumulates");
  EXPECT(rel_error(dbf, db) < 1e-6, "linear cpu db accumulates");
}

void test_embedding(std::mt19937& rng) {
  const int64_t M = 6, V = 4, E = 3;
  const std::vector<int32_t> ids = {2, 0, -1, 2, 3, 1};
  Vec table = random_vec(rng, V * E);
  const Vec dy = random_vec(rng, M * E);
  auto f = [&] {
    Vec y(M * E);
    jrnn::ref::embedding_forward<double>(M, E, ids.data(), table.data(), y.data());
    return dot(y, dy);
  };
  Vec dtable(V * E, 0.0);
  jrnn::ref::embedding_backward<double>(M, E, ids.data(), dy.data(), dtable.data());
  check_gradient("embedding dtable", table, f, dtable);
  Vec y(M * E);
  jrnn::ref::embedding_forward<double>(M, E, ids.data(), table.data(), y.data());
  for (int64_t e = 0; e < E; ++e) EXPECT(y[2 * E + e] == 0.0, "padding id -1 gives a zero row");
  auto tf = to_float(table), dyf = to_float(dy);
  std::vector<float> yf(M * E), dtf(V * E, 0.0f);
  jrnn::cpu::embedding_forward(M, E, ids.data(), tf.data(), yf.data());
  jrnn::cpu::embedding_backward(M, E, ids.data(), dyf.data(), dtf.data());
  EXPECT(rel_error(yf, y) < 1e-7, "embedding cpu forward");
  EXPECT(rel_error(dtf, dtable) < 1e-6, "embedding cpu backward");
}

void test_cross_entropy(std::mt19937& rng) {
  const int64_t M = 5, K = 7;
  const std::vector<int32_t> targets = {3, -1, 0, 6, 2};
  for (double smoothing : {0.0, 0.1}) {
    Vec logits = random_vec(rng, M * K, 3.0);
    auto f = [&] {
      Vec loss(M);
      jrnn::ref::softmax_cross_entropy<double>(M, K, logits.data(), targets.data(), smoothing, 1.0,
                                               loss.data(), nullptr);
      double s = 0;
      for (double v : loss) s += v;
      return s;
    };
    Vec loss(M), dlogits(M * K);
    jrnn::ref::softmax_cross_entropy<double>(M, K, logits.data(), targets.data(), smoothing, 1.0,
                                             loss.data(), dlogits.data());
    check_gradient(smoothing > 0 ? "cross-entropy (smoothed)" : "cross-entropy", logits, f,
                   dlogits);
    EXPECT(loss[1] == 0.0, "ignored row has zero loss");
    // unsmoothed loss equals -log_softmax at the target
    if (smoothing == 0.0) {
      Vec logp(M * K);
      jrnn::ref::softmax<double>(M, K, logits.data(), true, logp.data());
      EXPECT(std::fabs(loss[0] + logp[0 * K + 3]) < 1e-12, "CE = -log p(target)");
    }
    auto lf = to_float(logits);
    std::vector<float> lossf(M), df(M * K);
    jrnn::cpu::softmax_cross_entropy(M, K, lf.data(), targets.data(), float(smoothing), 0.5f,
                                     lossf.data(), df.data());
    for (auto& v : dlogits) v *= 0.5;
    EXPECT(rel_error(lossf, loss) < 1e-5, "CE cpu loss");
    EXPECT(rel_error(df, dlogits) < 1e-5, "CE cpu gradient with scale");
    // in place: dlogits may equal logits
    jrnn::cpu::softmax_cross_entropy(M, K, lf.data(), targets.data(), float(smoothing), 0.5f,
                                     lossf.data(), lf.data());
    EXPECT(rel_error(lf, dlogits) < 1e-5, "CE cpu gradient in place");
  }
  Vec x = random_vec(rng, M * K, 4.0), sm(M * K);
  jrnn::ref::softmax<double>(M, K, x.data(), false, sm.data());
  for (int64_t m = 0; m < M; ++m) {
    double s = 0;
    for (int64_t k = 0; k < K; ++k) s += sm[m * K + k];
    EXPECT(std::fabs(s - 1) < 1e-12, "softmax row %lld sums to 1", (long long)m);
  }
  auto xf = to_float(x);
  std::vector<float> smf(M * K);
  jrnn::cpu::softmax(M, K, xf.data(), false, smf.data());
  EXPECT(rel_error(smf, sm) < 1e-6, "softmax cpu");
}

// linear_forward and linear_backward on every kernel variant this CPU has, 1-3 threads: the
// matrix-vector path (M < 8) and the blocked GEMM (M >= 8: several row tiles, a partial one,
// several k blocks and column panels, partial ones), with and without bias, against the double
// reference. Results must not depend on the thread count, and the output's previous contents
// (NaN) must not leak.
void test_linear_paths(std::mt19937& rng) {
  namespace cpu = jrnn::cpu;
  struct Shape {
    int64_t M, I, O;
  };
  const Shape shapes[] = {{1, 256, 1680},  {3, 37, 70},    {7, 300, 129}, {8, 5, 3},
                          {64, 256, 1680}, {13, 600, 200}, {61, 17, 65}};
  for (cpu::Isa isa : {cpu::Isa::kGeneric, cpu::Isa::kAvx2, cpu::Isa::kAvx512}) {
    if ((int)isa > (int)cpu::detected_isa()) continue;
    cpu::set_isa_override(isa);
    for (const Shape& s : shapes) {
      Vec x = random_vec(rng, s.M * s.I), w = random_vec(rng, s.O * s.I, 0.2),
          b = random_vec(rng, s.O);
      Vec y(s.M * s.O), y0(s.M * s.O);
      jrnn::ref::linear_forward<double>(s.M, s.I, s.O, x.data(), w.data(), b.data(), y.data());
      jrnn::ref::linear_forward<double>(s.M, s.I, s.O, x.data(), w.data(), nullptr, y0.data());
      auto xf = to_float(x), wf = to_float(w), bf = to_float(b);
      std::vector<float> one;
      for (int threads = 1; threads <= 3; ++threads) {
        std::vector<float> yf(s.M * s.O, NAN), y0f(s.M * s.O, NAN);
        cpu::linear_forward(s.M, s.I, s.O, xf.data(), wf.data(), bf.data(), yf.data(), threads);
        cpu::linear_forward(s.M, s.I, s.O, xf.data(), wf.data(), nullptr, y0f.data(), threads);
        EXPECT(rel_error(yf, y) < 1e-6 && rel_error(y0f, y0) < 1e-6,
               "%s linear M=%lld I=%lld O=%lld threads=%d: %g / %g (no bias)", cpu::isa_name(isa),
               (long long)s.M, (long long)s.I, (long long)s.O, threads, rel_error(yf, y),
               rel_error(y0f, y0));
        if (threads == 1)
          one = yf;
        else if (isa != cpu::Isa::kGeneric)  // OpenBLAS's own threads may round differently
          EXPECT(one == yf, "%s linear M=%lld: %d threads give other bits than 1",
                 cpu::isa_name(isa), (long long)s.M, threads);
      }
      // backward: dx overwritten (NaN before), dw and db accumulated onto what they held
      Vec dy = random_vec(rng, s.M * s.O), dw0 = random_vec(rng, s.O * s.I),
          db0 = random_vec(rng, s.O);
      Vec dx(s.M * s.I), dw = dw0, db = db0;
      jrnn::ref::linear_backward<double>(s.M, s.I, s.O, x.data(), w.data(), dy.data(), dx.data(),
                                         dw.data(), db.data());
      auto dyf = to_float(dy);
      std::vector<float> one_dx, one_dw, one_db;
      for (int threads = 1; threads <= 3; ++threads) {
        std::vector<float> dxf(s.M * s.I, NAN), dwf = to_float(dw0), dbf = to_float(db0);
        cpu::linear_backward(s.M, s.I, s.O, xf.data(), wf.data(), dyf.data(), dxf.data(),
                             dwf.data(), dbf.data(), threads);
        EXPECT(rel_error(dxf, dx) < 1e-6 && rel_error(dwf, dw) < 1e-6 && rel_error(dbf, db) < 1e-6,
               "%s linear backward M=%lld I=%lld O=%lld threads=%d: dx %g dw %g db %g",
               cpu::isa_name(isa), (long long)s.M, (long long)s.I, (long long)s.O, threads,
               rel_error(dxf, dx), rel_error(dwf, dw), rel_error(dbf, db));
        if (threads == 1) {
          one_dx = dxf, one_dw = dwf, one_db = dbf;
        } else if (isa != cpu::Isa::kGeneric) {
          EXPECT(one_dx == dxf && one_dw == dwf && one_db == dbf,
                 "%s linear backward M=%lld: %d threads give other bits than 1", cpu::isa_name(isa),
                 (long long)s.M, threads);
        }
      }
    }
  }
  cpu::reset_isa_override();
}

// Softmax, log-softmax and cross-entropy over a vocabulary-sized row (several 512-wide exp
// chunks and a partial one) on every kernel variant this CPU has, in place and not, with -inf
// (masked) and very negative logits, against the double reference: entry-wise relative error,
// exact zeros where the reference underflows.
void test_softmax_rows(std::mt19937& rng) {
  namespace cpu = jrnn::cpu;
  const int64_t M = 3, K = 1500;
  Vec x = random_vec(rng, M * K, 8.0);
  x[5] = -INFINITY;
  x[K + 7] = -200.0;
  x[2 * K + 1] = 40.0;  // dominant entry
  const std::vector<int32_t> targets = {4, 1, 1499};
  Vec logp(M * K), p(M * K), loss(M), dl(M * K);
  jrnn::ref::softmax<double>(M, K, x.data(), true, logp.data());
  jrnn::ref::softmax<double>(M, K, x.data(), false, p.data());
  jrnn::ref::softmax_cross_entropy<double>(M, K, x.data(), targets.data(), 0.1, 0.5, loss.data(),
                                           dl.data());
  auto worst = [](const std::vector<float>& got, const Vec& want, double floor) -> double {
    double e = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      if (std::isinf(want[i]) || want[i] == 0.0) {
        if (got[i] != (float)want[i]) return HUGE_VAL;
        continue;
      }
      e = std::max(e, std::fabs(got[i] - want[i]) / std::max(std::fabs(want[i]), floor));
    }
    return e;
  };
  for (cpu::Isa isa : {cpu::Isa::kGeneric, cpu::Isa::kAvx2, cpu::Isa::kAvx512}) {
    if ((int)isa > (int)cpu::detected_isa()) continue;
    cpu::set_isa_override(isa);
    const char* name = cpu::isa_name(isa);
    const std::vector<float> xf = to_float(x);
    std::vector<float> out(M * K), inplace = xf;
    cpu::softmax(M, K, xf.data(), true, out.data());
    EXPECT(worst(out, logp, 1.0) < 2e-6, "%s log_softmax: %g", name, worst(out, logp, 1.0));
    cpu::softmax(M, K, inplace.data(), true, inplace.data());
    EXPECT(inplace == out, "%s log_softmax in place differs", name);
    cpu::softmax(M, K, xf.data(), false, out.data());
    // Probabilities: x - max rounds to 2^-24 |x - max| in float, and exp turns that absolute
    // error into a relative one: up to 56 * 6e-8 = 3.3e-6 for this row (the float reference
    // loop has the same), plus a few ulps.
    EXPECT(worst(out, p, 1e-30) < 4e-6, "%s softmax: %g", name, worst(out, p, 1e-30));
    EXPECT(out[5] == 0.0f && out[K + 7] == 0.0f, "%s softmax of -inf / -200 is not exactly 0",
           name);
    inplace = xf;
    cpu::softmax(M, K, inplace.data(), false, inplace.data());
    EXPECT(inplace == out, "%s softmax in place differs", name);
    std::vector<float> lossf(M), dlf(M * K);
    cpu::softmax_cross_entropy(M, K, xf.data(), targets.data(), 0.1f, 0.5f, lossf.data(),
                               dlf.data());
    EXPECT(worst(lossf, loss, 1.0) < 2e-6, "%s cross-entropy loss: %g", name,
           worst(lossf, loss, 1.0));
    EXPECT(rel_error(dlf, dl) < 1e-6, "%s cross-entropy gradient: %g", name, rel_error(dlf, dl));
    inplace = xf;
    cpu::softmax_cross_entropy(M, K, inplace.data(), targets.data(), 0.1f, 0.5f, lossf.data(),
                               inplace.data());
    EXPECT(inplace == dlf, "%s cross-entropy gradient in place differs", name);
    std::vector<float> nan_row = xf;
    nan_row[K + 3] = NAN;
    cpu::softmax(M, K, nan_row.data(), true, out.data());
    EXPECT(std::isnan(out[K]) && std::isnan(out[2 * K - 1]) && !std::isnan(out[0]),
           "%s log_softmax: a NaN must spread over its row only", name);
  }
  cpu::reset_isa_override();
}

// jrnn_log_softmax_top against a brute force over the full log-softmax of the same kernels:
// the same values bit for bit, descending, ties to the lower index, NaN / -inf / excluded columns
// never chosen, short rows padded with -1 / -inf; and the C API's argument checks.
void test_log_softmax_top(std::mt19937& rng) {
  namespace cpu = jrnn::cpu;
  const int64_t M = 5, K = 700, top = 11;
  std::vector<float> x(M * K);
  std::uniform_int_distribution<int> level(-40, 40);
  for (auto& v : x) v = 0.25f * level(rng);  // coarse values: many exact ties
  x[3] = NAN;                                // row 0 holds a NaN: every entry NaN, none chosen
  for (int64_t k = 0; k < K; ++k) x[K + k] = -INFINITY;  // row 1: only 4 eligible entries
  x[K + 10] = 1.0f, x[K + 20] = 1.0f, x[K + 30] = 3.0f, x[K + 699] = 1.0f;
  x[2 * K + 0] = 50.0f, x[2 * K + 1] = 50.0f;  // row 2: a tie at the top, column 0 excluded
  const std::vector<int32_t> exclude = {0, 30, 699};
  for (cpu::Isa isa : {cpu::Isa::kGeneric, cpu::Isa::kAvx2, cpu::Isa::kAvx512}) {
    if ((int)isa > (int)cpu::detected_isa()) continue;
    cpu::set_isa_override(isa);
    const char* name = cpu::isa_name(isa);
    std::vector<float> full(M * K), values(M * top);
    std::vector<int32_t> indices(M * top);
    cpu::softmax(M, K, x.data(), true, full.data());
    cpu::log_softmax_top(M, K, x.data(), top, exclude.data(), (int64_t)exclude.size(),
                         values.data(), indices.data());
    for (int64_t m = 0; m < M; ++m) {
      std::vector<int32_t> order;  // brute force: eligible columns by (value desc, index asc)
      for (int64_t k = 0; k < K; ++k) {
        const float v = full[m * K + k];
        const bool skip = k == 0 || k == 30 || k == 699;
        if (v > -INFINITY && !skip) order.push_back((int32_t)k);
      }
      std::stable_sort(order.begin(), order.end(),
                       [&](int32_t a, int32_t b) { return full[m * K + a] > full[m * K + b]; });
      bool same = true;
      for (int64_t i = 0; i < top; ++i) {
        const int32_t want = i < (int64_t)order.size() ? order[i] : -1;
        const float want_v = want >= 0 ? full[m * K + want] : -INFINITY;
        same = same && indices[m * top + i] == want &&
               std::memcmp(&values[m * top + i], &want_v, sizeof(float)) == 0;
      }
      EXPECT(same, "%s log_softmax_top row %lld: top %lld differs from the brute force", name,
             (long long)m, (long long)top);
    }
    EXPECT(indices[0] == -1 && indices[top - 1] == -1, "%s: a NaN row has no eligible entry", name);
    EXPECT(indices[top] == 10 && indices[top + 1] == 20 && indices[top + 2] == -1,
           "%s: -inf and excluded columns are skipped, ties go to the lower index", name);
    EXPECT(indices[2 * top] == 1, "%s: the excluded column 0 loses the tie to column 1", name);
  }
  cpu::reset_isa_override();

  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, 1);
  if (!ctx) return;
  float values[4];
  int32_t indices[4];
  const int32_t bad[1] = {9};
  EXPECT(jrnn_log_softmax_top(ctx, 1, 3, x.data() + 2 * K, 2, nullptr, 0, values, indices) ==
                 JRNN_OK &&
             indices[0] == 0 && indices[1] == 1,
         "log_softmax_top through the C API");
  EXPECT(jrnn_log_softmax_top(ctx, 1, 3, x.data(), 2, bad, 1, values, indices) ==
                 JRNN_ERR_INVALID_ARGUMENT &&
             std::strstr(jrnn_last_error(), "exclude[0] = 9") != nullptr,
         "an excluded column out of range is named: %s", jrnn_last_error());
  EXPECT(jrnn_log_softmax_top(ctx, 1, 3, x.data(), 0, nullptr, 0, values, indices) ==
             JRNN_ERR_INVALID_ARGUMENT,
         "top 0 refused");
  jrnn_context_destroy(ctx);
}

void test_bce_mse(std::mt19937& rng) {
  const int64_t M = 6, K = 3;
  Vec z = random_vec(rng, M, 4.0);
  const Vec t = {0, 1, 1, 0, 0.3, 1};
  const Vec w = {1, 0.5, 0, 2, 1, 1};
  auto f_bce = [&] {
    Vec loss(M);
    jrnn::ref::bce_with_logits<double>(M, z.data(), t.data(), w.data(), 1.0, loss.data(), nullptr);
    double s = 0;
    for (double v : loss) s += v;
    return s;
  };
  Vec loss(M), dz(M);
  jrnn::ref::bce_with_logits<double>(M, z.data(), t.data(), w.data(), 1.0, loss.data(), dz.data());
  check_gradient("bce dz", z, f_bce, dz);
  // against the textbook form -t log σ(z) - (1-t) log(1-σ(z))
  const double s0 = 1 / (1 + std::exp(-z[0]));
  EXPECT(std::fabs(loss[0] - (-(t[0] * std::log(s0) + (1 - t[0]) * std::log(1 - s0)))) < 1e-12,
         "bce textbook form");
  EXPECT(loss[2] == 0.0 && dz[2] == 0.0, "bce weight 0 masks a row");

  Vec p = random_vec(rng, M * K), tt = random_vec(rng, M * K);
  auto f_mse = [&] {
    Vec l(M);
    jrnn::ref::mse<double>(M, K, p.data(), tt.data(), w.data(), 1.0, l.data(), nullptr);
    double s = 0;
    for (double v : l) s += v;
    return s;
  };
  Vec lm(M), dp(M * K);
  jrnn::ref::mse<double>(M, K, p.data(), tt.data(), w.data(), 1.0, lm.data(), dp.data());
  check_gradient("mse dp", p, f_mse, dp);
}

void test_dropout() {
  const int64_t count = 100000;
  std::vector<float> x(count, 1.0f), y(count), dy(count, 1.0f), dx(count);
  jrnn::cpu::dropout(count, 0.25f, 42, x.data(), y.data());
  int64_t kept = 0;
  for (float v : y) {
    if (v != 0) {
      ++kept;
      EXPECT(std::fabs(v - 1 / 0.75f) < 1e-6, "kept elements are scaled by 1/(1-p)");
      if (std::fabs(v - 1 / 0.75f) >= 1e-6) break;
    }
  }
  EXPECT(std::fabs(kept / double(count) - 0.75) < 0.01, "keep fraction %.4f near 0.75",
         kept / double(count));
  jrnn::cpu::dropout(count, 0.25f, 42, dy.data(), dx.data());
  EXPECT(std::memcmp(dx.data(), y.data(), sizeof(float) * count) == 0,
         "the same seed reproduces the mask (backward needs no stored mask)");
  jrnn::cpu::dropout(count, 0.25f, 43, x.data(), dx.data());
  EXPECT(std::memcmp(dx.data(), y.data(), sizeof(float) * count) != 0,
         "another seed, another mask");
  jrnn::cpu::dropout(count, 0.0f, 7, x.data(), dx.data());
  EXPECT(std::memcmp(dx.data(), x.data(), sizeof(float) * count) == 0, "p = 0 is the identity");
}

void test_gather_last(std::mt19937& rng) {
  const int64_t T = 4, N = 3, F = 2;
  const std::vector<int32_t> lengths = {4, 1, 2};
  Vec y = random_vec(rng, T * N * F);
  const Vec dout = random_vec(rng, N * F);
  auto f = [&] {
    Vec out(N * F);
    jrnn::ref::gather_last<double>(T, N, F, lengths.data(), y.data(), out.data());
    return dot(out, dout);
  };
  Vec dy(T * N * F, 0.0);
  jrnn::ref::gather_last_backward<double>(T, N, F, lengths.data(), dout.data(), dy.data());
  check_gradient("gather_last", y, f, dy);
  Vec out(N * F);
  jrnn::ref::gather_last<double>(T, N, F, lengths.data(), y.data(), out.data());
  EXPECT(out[1 * F] == y[(0 * N + 1) * F], "length 1 picks t = 0");
  EXPECT(out[2 * F + 1] == y[(1 * N + 2) * F + 1], "length 2 picks t = 1");
}

// Three steps from w0 with fixed gradients; expected values printed by torch.optim in float64.
void test_optimisers() {
  const double w0[3] = {0.5, -1.25, 2.0};
  const double grads[3][3] = {{0.1, -0.3, 0.7}, {-0.2, 0.05, 0.4}, {0.3, 0.3, -0.6}};
  struct Case {
    const char* name;
    std::function<void(double*, const double*, double*, double*, int64_t)> step;
    double expected[3];
  };
  using jrnn::ref::adam_update;
  using jrnn::ref::rmsprop_update;
  using jrnn::ref::sgd_update;
  const Case cases[] = {
      {"sgd",
       [](double* w, const double* g, double* a, double*, int64_t s) {
         sgd_update<double>(3, w, g, a, 0.1, 0.0, 0.0, false, s);
       },
       {0.47999999999999998, -1.2549999999999999, 1.95}},
      {"sgd momentum + weight decay",
       [](double* w, const double* g, double* a, double*, int64_t s) {
         sgd_update<double>(3, w, g, a, 0.1, 0.9, 0.01, false, s);
       },
       {0.47811538949999993, -1.2013024687499998, 1.783395528}},
      {"sgd nesterov",
       [](double* w, const double* g, double* a, double*, int64_t s) {
         sgd_update<double>(3, w, g, a, 0.1, 0.9, 0.0, true, s);
       },
       {0.46281, -1.2173800000000001, 1.7648699999999999}},
      {"adam (L2)",
       [](double* w, const double* g, double* a, double* b, int64_t s) {
         adam_update<double>(3, w, g, a, b, 0.01, 0.9, 0.999, 1e-8, 0.1, false, s);
       },
       {0.4853293242210629, -1.2289118769363987, 1.9754978216129124}},
      {"adamw",
       [](double* w, const double* g, double* a, double* b, int64_t s) {
         adam_update<double>(3, w, g, a, b, 0.01, 0.8, 0.99, 1e-6, 0.1, true, s);
       },
       {0.48886823742637786, -1.2338179849694626, 1.9734807417449578}},
      {"rmsprop",
       [](double* w, const double* g, double* a, double* b, int64_t) {
         rmsprop_update<double>(3, w, g, a, b, 0.01, 0.99, 1e-8, 0.05, 0.0);
       },
       {0.39925760198701293, -1.2039176587132723, 1.894998475262311}},
      {"rmsprop momentum",
       [](double* w, const double* g, double* a, double* b, int64_t) {
         rmsprop_update<double>(3, w, g, a, b, 0.01, 0.9, 1e-8, 0.0, 0.5);
       },
       {0.46161090941133687, -1.2262121385559046, 1.9401756407797039}},
  };
  for (const Case& c : cases) {
    double w[3] = {w0[0], w0[1], w0[2]}, a[3] = {0, 0, 0}, b[3] = {0, 0, 0};
    for (int s = 0; s < 3; ++s) c.step(w, grads[s], a, b, s + 1);
    for (int i = 0; i < 3; ++i)
      EXPECT(std::fabs(w[i] - c.expected[i]) < 1e-12, "%s: w[%d] = %.17g, torch.optim gives %.17g",
             c.name, i, w[i], c.expected[i]);
  }
  // the float CPU pass matches the reference (same three Adam steps)
  float wf[3] = {0.5f, -1.25f, 2.0f}, mf[3] = {0, 0, 0}, vf[3] = {0, 0, 0};
  for (int s = 0; s < 3; ++s) {
    const float gf[3] = {float(grads[s][0]), float(grads[s][1]), float(grads[s][2])};
    jrnn::cpu::adam_update(3, wf, gf, mf, vf, 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, false, s + 1);
  }
  for (int i = 0; i < 3; ++i)
    EXPECT(std::fabs(wf[i] - cases[3].expected[i]) < 1e-6, "adam cpu float w[%d]", i);
}

void test_reductions() {
  std::vector<float> x = {3.0f, -4.0f, 0.5f};
  EXPECT(std::fabs(jrnn::cpu::sum_squares(3, x.data()) - 25.25) < 1e-12, "sum of squares");
  EXPECT(jrnn::cpu::first_non_finite(3, x.data()) == -1, "all finite");
  x[1] = std::nanf("");
  EXPECT(jrnn::cpu::first_non_finite(3, x.data()) == 1, "NaN found at index 1");
  std::vector<float> c = {3.0f, -4.0f, 0.5f};
  jrnn::cpu::clip_values(3, 1.0f, c.data());
  EXPECT(c[0] == 1.0f && c[1] == -1.0f && c[2] == 0.5f, "clip by value");
  std::vector<float> nf = {std::nanf(""), INFINITY, -INFINITY, -0.25f};
  jrnn::cpu::clip_values(4, 2.0f, nf.data());
  EXPECT(std::isnan(nf[0]) && nf[1] == 2.0f && nf[2] == -2.0f && nf[3] == -0.25f,
         "clip by value keeps NaN and clamps infinities (torch.clamp)");
}

// The C API validates before it computes, and names the problem.
void test_api() {
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, 1);
  EXPECT(ctx != nullptr, "cpu context");
  if (!ctx) return;
  const float table[6] = {1, 2, 3, 4, 5, 6};  // V = 3, E = 2
  float y[4] = {-1, -1, -1, -1};
  const int32_t good[2] = {2, -1}, bad[2] = {0, 9};
  EXPECT(jrnn_embedding_forward(ctx, 2, 3, 2, good, table, y) == JRNN_OK, "embedding ok");
  EXPECT(y[0] == 5 && y[1] == 6 && y[2] == 0 && y[3] == 0, "embedding rows through the C API");
  EXPECT(jrnn_embedding_forward(ctx, 2, 3, 2, bad, table, y) == JRNN_ERR_INVALID_ARGUMENT,
         "embedding id out of range");
  EXPECT(std::strstr(jrnn_last_error(), "ids[1] = 9 is outside 0..2") != nullptr,
         "message names the id: %s", jrnn_last_error());
  float logits[3] = {0.1f, 0.2f, 0.3f}, loss[1];
  const int32_t target[1] = {3};
  EXPECT(jrnn_softmax_cross_entropy(ctx, 1, 3, logits, target, 0.0f, 1.0f, loss, nullptr) ==
             JRNN_ERR_INVALID_ARGUMENT,
         "target out of range");
  EXPECT(std::strstr(jrnn_last_error(), "targets[0] = 3") != nullptr, "message names the target");
  EXPECT(jrnn_softmax_cross_entropy(ctx, 1, 3, logits, nullptr, 0.0f, 1.0f, loss, nullptr) ==
             JRNN_ERR_INVALID_ARGUMENT,
         "null targets");
  EXPECT(std::strstr(jrnn_last_error(), "targets is NULL") != nullptr, "message names targets");
  EXPECT(jrnn_dropout(ctx, 3, 1.0f, 1, logits, logits) == JRNN_ERR_INVALID_ARGUMENT,
         "p = 1 refused");
  const int32_t lengths[2] = {1, 5};
  float seq[8] = {0}, out[2];
  EXPECT(jrnn_gather_last(ctx, 4, 2, 1, lengths, seq, out) == JRNN_ERR_INVALID_ARGUMENT,
         "length beyond T");
  EXPECT(std::strstr(jrnn_last_error(), "lengths[1] = 5 is outside 1..T (T = 4)") != nullptr,
         "message names the length: %s", jrnn_last_error());
  float w[2] = {1, 2}, g[2] = {1, 1}, m[2] = {0, 0}, v[2] = {0, 0};
  EXPECT(jrnn_adam_update(ctx, 2, w, g, m, v, 0.1f, 0.9f, 0.999f, 1e-8f, 0, 0, 0) ==
             JRNN_ERR_INVALID_ARGUMENT,
         "adam step 0 refused");
  EXPECT(jrnn_adam_update(ctx, 2, w, g, m, v, 0.1f, 0.9f, 0.999f, 1e-8f, 0, 0, 1) == JRNN_OK,
         "adam step 1");
  EXPECT(std::fabs(w[0] - 0.9f) < 1e-6f && std::fabs(w[1] - 1.9f) < 1e-6f,
         "first Adam step moves each weight by lr");
  double sum = 0;
  EXPECT(jrnn_sum_squares(ctx, 2, g, &sum) == JRNN_OK && sum == 2.0, "sum of squares");
  int finite = -1;
  int64_t first = -2;
  g[1] = INFINITY;
  EXPECT(jrnn_check_finite(ctx, 2, g, &finite, &first) == JRNN_OK && finite == 0 && first == 1,
         "check_finite finds the Inf");
  jrnn_context_destroy(ctx);
}

// A NaN weight must give NaN outputs (as in PyTorch), on whatever CPU kernels this machine picks:
// vectorised activations that clamp their input must not turn NaN into a finite number.
void test_nan_propagates() {
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, 1);
  if (!ctx) return;
  for (int cell : {JRNN_RNN_TANH, JRNN_RNN_RELU, JRNN_LSTM, JRNN_GRU}) {
    const int64_t T = 3, N = 16, C = 8, H = 32;
    jrnn_rnn_desc* desc = jrnn_rnn_desc_create(cell, C, H, 1, 0, 1);
    const int64_t count = jrnn_rnn_weights_count(desc);
    std::vector<float> w(count, 0.01f), x(T * N * C, 0.5f), y(T * N * H, 0.0f);
    // weight_hh_l0 is param 1: a NaN there reaches every unit from step 1 on
    w[jrnn_rnn_param_offset(desc, 1)] = std::nanf("");
    std::vector<char> scratch(jrnn_rnn_scratch_bytes(ctx, desc, T, N, JRNN_PASS_INFERENCE) + 64);
    const jrnn_status st =
        jrnn_rnn_forward(ctx, desc, T, N, nullptr, x.data(), nullptr, nullptr, w.data(), y.data(),
                         nullptr, nullptr, nullptr, scratch.data());
    EXPECT(st == JRNN_OK, "forward with a NaN weight runs (cell %d)", cell);
    // h_0 = 0 at t = 0 hides the NaN in W_hh; at t = 1 it multiplies a nonzero state
    EXPECT(std::isnan(y[(1 * N + 0) * H + 0]), "cell %d: a NaN weight gives a NaN output", cell);
    jrnn_rnn_desc_destroy(desc);
  }
  jrnn_context_destroy(ctx);
}

}  // namespace

int main() {
  std::mt19937 rng(1234);
  test_linear(rng);
  test_embedding(rng);
  test_cross_entropy(rng);
  test_softmax_rows(rng);
  test_log_softmax_top(rng);
  test_linear_paths(rng);
  test_bce_mse(rng);
  test_dropout();
  test_gather_last(rng);
  test_optimisers();
  test_reductions();
  test_api();
  test_nan_propagates();
  std::printf("test_ops: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
