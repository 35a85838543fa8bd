// test_gradcheck.cc — finite-difference gradient checks of the reference stack (ref/ref_rnn.cc) in
// double precision: central differences of L = sum(y*dy) + sum(hy*dhy) + sum(cy*dcy) wrt every
// element of x, h0, c0 and every weight and bias, against ref::rnn_backward. Covers every cell,
// uni- and bidirectional, 1-3 layers, ragged lengths that include 1 and T, bias on and off, with
// dy, dhy and dcy all nonzero. Also checks that dw ACCUMULATES. Run: ctest -R test_gradcheck.
#include <cmath>

#include "internal.h"
#include "ref/ref_rnn.h"
#include "test_util.h"

using namespace jrnn;
using namespace jrnn::test;

namespace {

struct Problem {
  Case c;
  std::vector<double> x, h0, c0, w, dy, dhy, dcy;
};

double loss(const jrnn_rnn_desc& desc, const Problem& p) {
  const int64_t states = int64_t(p.c.L) * p.c.D() * p.c.N * p.c.H;
  std::vector<double> y(p.c.T * p.c.N * p.c.D() * p.c.H), hy(states), cy(states);
  const bool lstm = p.c.cell == JRNN_LSTM;
  ref::rnn_forward<double>(desc, p.c.T, p.c.N, p.c.lengths_or_null(), p.x.data(), p.h0.data(),
                           lstm ? p.c0.data() : nullptr, p.w.data(), y.data(), hy.data(),
                           lstm ? cy.data() : nullptr);
  double sum = 0;
  for (size_t i = 0; i < y.size(); ++i) sum += y[i] * p.dy[i];
  for (size_t i = 0; i < hy.size(); ++i) sum += hy[i] * p.dhy[i];
  if (lstm)
    for (size_t i = 0; i < cy.size(); ++i) sum += cy[i] * p.dcy[i];
  return sum;
}

// Compares analytic[i] with the central difference of loss() wrt values[i] for every i.
void check_tensor(const char* name, const jrnn_rnn_desc& desc, Problem& p,
                  std::vector<double>& values, const std::vector<double>& analytic) {
  const double eps = 1e-6;
  int bad = 0;
  double worst_rel = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const double saved = values[i];
    values[i] = saved + eps;
    const double plus = loss(desc, p);
    values[i] = saved - eps;
    const double minus = loss(desc, p);
    values[i] = saved;
    const double numeric = (plus - minus) / (2 * eps);
    const double abs_err = std::fabs(numeric - analytic[i]);
    const double rel_err = abs_err / std::max(std::fabs(numeric) + std::fabs(analytic[i]), 1e-300);
    // Relative error with an absolute floor: tiny gradients are compared absolutely.
    const bool ok = abs_err < 1e-8 || rel_err < 1e-6;
    if (!ok) {
      if (bad++ < 3)
        std::fprintf(stderr, "  %s: d/d%s[%zu] analytic %.10g numeric %.10g (rel %.2g)\n",
                     p.c.describe().c_str(), name, i, analytic[i], numeric, rel_err);
    }
    if (abs_err >= 1e-8) worst_rel = std::max(worst_rel, rel_err);
  }
  EXPECT(bad == 0, "%s: %d of %zu gradients wrt %s differ from finite differences (worst rel %.2g)",
         p.c.describe().c_str(), bad, values.size(), name, worst_rel);
}

void run(const Case& c, uint32_t seed) {
  std::mt19937 rng(seed);
  Desc desc(c);
  const jrnn_rnn_desc& d = *desc.d;
  const int64_t states = int64_t(c.L) * c.D() * c.N * c.H;
  Problem p{c, {}, {}, {}, {}, {}, {}, {}};
  p.x = random_values(rng, c.T * c.N * c.C, 1.0);
  p.h0 = random_values(rng, states, 0.8);
  p.c0 = random_values(rng, states, 0.8);
  p.w = random_values(rng, jrnn_rnn_weights_count(desc.d), 0.6);
  p.dy = random_values(rng, c.T * c.N * c.D() * c.H, 1.0);
  p.dhy = random_values(rng, states, 1.0);
  p.dcy = random_values(rng, states, 1.0);
  const bool lstm = c.cell == JRNN_LSTM;

  std::vector<double> dx(p.x.size()), dh0(states), dc0(states), dw(p.w.size(), 0.0);
  ref::rnn_backward<double>(d, c.T, c.N, c.lengths_or_null(), p.x.data(), p.h0.data(),
                            lstm ? p.c0.data() : nullptr, p.w.data(), p.dy.data(), p.dhy.data(),
                            lstm ? p.dcy.data() : nullptr, dx.data(), dh0.data(),
                            lstm ? dc0.data() : nullptr, dw.data());
  check_tensor("x", d, p, p.x, dx);
  check_tensor("h0", d, p, p.h0, dh0);
  if (lstm) check_tensor("c0", d, p, p.c0, dc0);
  check_tensor("w", d, p, p.w, dw);

  // Past each length x is ignored, so its gradient must be exactly zero.
  bool zero_past_length = true;
  for (int64_t t = 0; t < c.T; ++t)
    for (int64_t n = 0; n < c.N; ++n)
      if (t >= c.length(n))
        for (int64_t k = 0; k < c.C; ++k) zero_past_length &= dx[(t * c.N + n) * c.C + k] == 0.0;
  EXPECT(zero_past_length, "%s: dx is not zero past each length", c.describe().c_str());

  // dw accumulates: a second backward into the same buffer doubles it.
  std::vector<double> dw2 = dw;
  ref::rnn_backward<double>(d, c.T, c.N, c.lengths_or_null(), p.x.data(), p.h0.data(),
                            lstm ? p.c0.data() : nullptr, p.w.data(), p.dy.data(), p.dhy.data(),
                            lstm ? p.dcy.data() : nullptr, nullptr, nullptr, nullptr, dw2.data());
  std::vector<double> doubled(dw.size());
  for (size_t i = 0; i < dw.size(); ++i) doubled[i] = 2 * dw[i];
  expect_close(c.describe() + " dw accumulates", dw2, doubled, 1e-12, 1e-12);
}

}  // namespace

int main() {
  std::mt19937 rng(1234);
  uint32_t seed = 1;
  for (int cell : {JRNN_RNN_TANH, JRNN_RNN_RELU, JRNN_LSTM, JRNN_GRU}) {
    for (bool bidi : {false, true})
      for (int L : {1, 2}) {
        Case c{cell, 4, 3, 3, 3, L, bidi, true, ragged_lengths(rng, 4, 3)};
        run(c, seed++);
      }
    run(Case{cell, 3, 2, 2, 3, 3, true, true, ragged_lengths(rng, 3, 2)}, seed++);
    run(Case{cell, 3, 2, 2, 4, 3, false, false, {}}, seed++);
    run(Case{cell, 1, 2, 3, 2, 2, true, true, {}}, seed++);  // T = 1
  }
  return finish("test_gradcheck");
}
