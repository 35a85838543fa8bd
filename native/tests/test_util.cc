// test_util.cc — implementation of the test helpers in test_util.h.
#include "test_util.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace jrnn::test {

int failures = 0;
int checks = 0;

int finish(const char* name) {
  std::printf("%s: %d checks, %d failures\n", name, checks, failures);
  return failures == 0 ? 0 : 1;
}

template <typename G>
static bool close_impl(const std::string& what, const std::vector<G>& got,
                       const std::vector<double>& want, double atol, double rtol) {
  ++checks;
  if (got.size() != want.size()) {
    ++failures;
    std::fprintf(stderr, "FAIL %s: size %zu, expected %zu\n", what.c_str(), got.size(),
                 want.size());
    return false;
  }
  size_t worst = 0;
  double worst_excess = 0;  // error / allowed error; > 1 fails
  bool ok = true;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(double(got[i]) - want[i]);
    const double allowed = atol + rtol * std::fabs(want[i]);
    const double excess = std::isnan(err) ? INFINITY : err / allowed;
    if (!(excess <= 1.0)) ok = false;
    if (!(excess <= worst_excess)) worst_excess = excess, worst = i;
  }
  if (!ok) {
    ++failures;
    std::fprintf(stderr, "FAIL %s: element %zu is %.9g, expected %.9g (%.3gx the tolerance)\n",
                 what.c_str(), worst, double(got[worst]), want[worst], worst_excess);
  }
  return ok;
}

bool expect_close(const std::string& what, const std::vector<double>& got,
                  const std::vector<double>& want, double atol, double rtol) {
  return close_impl(what, got, want, atol, rtol);
}
bool expect_close(const std::string& what, const std::vector<float>& got,
                  const std::vector<double>& want, double atol, double rtol) {
  return close_impl(what, got, want, atol, rtol);
}

std::vector<double> random_values(std::mt19937& rng, size_t count, double scale) {
  std::uniform_real_distribution<double> u(-scale, scale);
  std::vector<double> v(count);
  for (double& x : v) x = u(rng);
  return v;
}

std::vector<float> to_float(const std::vector<double>& v) {
  return {v.begin(), v.end()};
}
std::vector<double> to_double(const std::vector<float>& v) {
  return {v.begin(), v.end()};
}

const char* cell_name(int cell) {
  switch (cell) {
    case JRNN_RNN_TANH:
      return "RNN_TANH";
    case JRNN_RNN_RELU:
      return "RNN_RELU";
    case JRNN_LSTM:
      return "LSTM";
    case JRNN_GRU:
      return "GRU";
  }
  return "?";
}

std::string Case::describe() const {
  std::string s = std::string(cell_name(cell)) + " T=" + std::to_string(T) +
                  " N=" + std::to_string(N) + " C=" + std::to_string(C) +
                  " H=" + std::to_string(H) + " L=" + std::to_string(L) +
                  (bidirectional ? " bidi" : " uni") + (bias ? " bias" : " nobias") + " lengths=";
  if (lengths.empty()) return s + "all";
  for (size_t n = 0; n < lengths.size(); ++n) s += (n ? "," : "") + std::to_string(lengths[n]);
  return s;
}

std::vector<int32_t> ragged_lengths(std::mt19937& rng, int64_t T, int64_t N) {
  std::uniform_int_distribution<int32_t> u(1, (int32_t)T);
  std::vector<int32_t> lengths(N);
  for (int32_t& len : lengths) len = u(rng);
  if (N >= 2) {
    lengths[0] = (int32_t)T;
    lengths[N - 1] = 1;
    std::shuffle(lengths.begin(), lengths.end(), rng);
  }
  return lengths;
}

Desc::Desc(const Case& c)
    : d(jrnn_rnn_desc_create(c.cell, c.C, c.H, c.L, c.bidirectional, c.bias)) {
  if (!d) {
    std::fprintf(stderr, "FATAL: jrnn_rnn_desc_create(%s): %s\n", c.describe().c_str(),
                 jrnn_last_error());
    std::exit(2);
  }
}

}  // namespace jrnn::test
