// test_cpu_vs_ref.cc — the CPU kernels (through the C API) against the double-precision reference:
// y, hy, cy of inference and training forwards, and dx, dh0, dc0, dw of backward, for every cell,
// 1-3 layers, uni/bidirectional, bias on/off, full and ragged lengths (with NaN past each length,
// which must be ignored), sizes from N=1/T=1 up to a few hundred rows, 1 and 2 BLAS threads.
// Also checks that reserve/scratch sizes cover what the kernels write. Run: ctest -R cpu_vs_ref.
#include "rnn_harness.h"

using namespace jrnn::test;

int main() {
  jrnn_context* one_thread = jrnn_context_create(JRNN_DEVICE_CPU, 0, 1);
  jrnn_context* two_threads = jrnn_context_create(JRNN_DEVICE_CPU, 0, 2);
  EXPECT(one_thread && two_threads, "jrnn_context_create(CPU): %s", jrnn_last_error());
  if (!one_thread || !two_threads) return finish("test_cpu_vs_ref");

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
            compare_with_reference(seed % 2 ? one_thread : two_threads, c, seed);
            ++seed;
          }
  // Larger problems, where OpenBLAS takes its blocked/threaded paths.
  for (int cell : {JRNN_RNN_TANH, JRNN_LSTM, JRNN_GRU}) {
    Case c{cell, 9, 16, 32, 64, 2, true, true, ragged_lengths(rng, 9, 16)};
    compare_with_reference(two_threads, c, seed++);
  }
  jrnn_context_destroy(one_thread);
  jrnn_context_destroy(two_threads);
  return finish("test_cpu_vs_ref");
}
