// test_util.h — jrnn's tiny test helpers (no external framework): EXPECT with a printf message,
// array comparison that reports the worst element, random data, and the RNN case description
// shared by the native tests. A test binary returns finish()'s exit code.
#pragma once

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "jrnn/jrnn.h"

namespace jrnn::test {

extern int failures;
extern int checks;

#define EXPECT(cond, ...)                                       \
  do {                                                          \
    ++::jrnn::test::checks;                                     \
    if (!(cond)) {                                              \
      ++::jrnn::test::failures;                                 \
      std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      std::fprintf(stderr, __VA_ARGS__);                        \
      std::fprintf(stderr, "\n");                               \
    }                                                           \
  } while (0)

// Prints "<name>: N checks, M failures" and returns the process exit code.
int finish(const char* name);

// |got - want| <= atol + rtol*|want| for every element (NaN never passes). On failure reports the
// worst element under `what`. Returns whether it passed.
bool expect_close(const std::string& what, const std::vector<double>& got,
                  const std::vector<double>& want, double atol, double rtol);
bool expect_close(const std::string& what, const std::vector<float>& got,
                  const std::vector<double>& want, double atol, double rtol);

std::vector<double> random_values(std::mt19937& rng, size_t count, double scale);
std::vector<float> to_float(const std::vector<double>& v);
std::vector<double> to_double(const std::vector<float>& v);

const char* cell_name(int cell);

// One stack shape plus batch: what every RNN test iterates over.
struct Case {
  int cell;
  int64_t T, N, C, H;
  int L;
  bool bidirectional, bias;
  std::vector<int32_t> lengths;  // empty: all T (pass NULL)
  int D() const { return bidirectional ? 2 : 1; }
  const int32_t* lengths_or_null() const { return lengths.empty() ? nullptr : lengths.data(); }
  int64_t length(int64_t n) const { return lengths.empty() ? T : lengths[n]; }
  std::string describe() const;
};

// Lengths in 1..T that include both 1 and T whenever N >= 2 (N == 1: a random length).
std::vector<int32_t> ragged_lengths(std::mt19937& rng, int64_t T, int64_t N);

// Owns a descriptor; aborts the test binary if creation fails (nothing else can run then).
struct Desc {
  jrnn_rnn_desc* d;
  explicit Desc(const Case& c);
  ~Desc() { jrnn_rnn_desc_destroy(d); }
  Desc(const Desc&) = delete;
  Desc& operator=(const Desc&) = delete;
};

}  // namespace jrnn::test
