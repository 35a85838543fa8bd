// bench_rnn.cc — times jrnn's C API on the CPU: inference forward, and training (forward with
// reserve + backward with weight gradients) for RNN_TANH, LSTM and GRU stacks (1 layer, uni) on
// the agreed shapes (N/T/C/H): S1 64/50/256/256, S2 32/100/512/512, S3 1/200/256/256,
// S4 128/25/1024/1024. Reports the median ms per call and GFLOP/s of the GEMM work
// (2*T*N*G*H*(C+H) flops per forward; backward counts twice that).
// Build: cmake -DJRNN_BUILD_BENCH=ON ...; run: bench_rnn [--shape S1] [--cell LSTM]
//        [--threads 2] [--iters 10]. The full sweep takes minutes: run it on a quiet machine.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "jrnn/jrnn.h"

namespace {

struct Shape { const char* name; int64_t N, T, C, H; };
const Shape kShapes[] = {{"S1", 64, 50, 256, 256}, {"S2", 32, 100, 512, 512},
                         {"S3", 1, 200, 256, 256}, {"S4", 128, 25, 1024, 1024}};
struct CellKind { const char* name; int cell, gates; };
const CellKind kCells[] = {{"RNN_TANH", JRNN_RNN_TANH, 1}, {"LSTM", JRNN_LSTM, 4}, {"GRU", JRNN_GRU, 3}};

void check(jrnn_status st, const char* what) {
  if (st != JRNN_OK) {
    std::fprintf(stderr, "%s failed: %s\n", what, jrnn_last_error());
    std::exit(1);
  }
}

template <typename F>
double median_ms(int iters, F&& call) {
  call();  // warm-up (page faults, OpenBLAS thread start)
  std::vector<double> ms;
  for (int i = 0; i < iters; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    call();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void bench(jrnn_context* ctx, const Shape& s, const CellKind& k, int iters) {
  jrnn_rnn_desc* desc = jrnn_rnn_desc_create(k.cell, s.C, s.H, 1, 0, 1);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-0.1f, 0.1f);
  auto buffer = [&](int64_t count) {
    std::vector<float> v(count);
    for (float& f : v) f = u(rng);
    return v;
  };
  std::vector<float> x = buffer(s.T * s.N * s.C), w = buffer(jrnn_rnn_weights_count(desc));
  std::vector<float> y(s.T * s.N * s.H), hy(s.N * s.H), cy(s.N * s.H), dy = buffer(s.T * s.N * s.H);
  std::vector<float> dx(x.size()), dw(w.size());
  const bool lstm = k.cell == JRNN_LSTM;
  std::vector<char> reserve(jrnn_rnn_reserve_bytes(ctx, desc, s.T, s.N));
  size_t scratch_size = 0;
  for (int pass = 0; pass <= 2; ++pass)
    scratch_size = std::max(scratch_size, jrnn_rnn_scratch_bytes(ctx, desc, s.T, s.N, pass));
  std::vector<char> scratch(scratch_size);

  const double ms_inf = median_ms(iters, [&] {
    check(jrnn_rnn_forward(ctx, desc, s.T, s.N, nullptr, x.data(), nullptr, nullptr, w.data(),
                           y.data(), hy.data(), lstm ? cy.data() : nullptr, nullptr, scratch.data()),
          "forward");
  });
  const double ms_train = median_ms(iters, [&] {
    check(jrnn_rnn_forward(ctx, desc, s.T, s.N, nullptr, x.data(), nullptr, nullptr, w.data(),
                           y.data(), hy.data(), lstm ? cy.data() : nullptr, reserve.data(),
                           scratch.data()), "training forward");
    check(jrnn_rnn_backward(ctx, desc, s.T, s.N, nullptr, x.data(), nullptr, nullptr, w.data(),
                            dy.data(), nullptr, nullptr, dx.data(), nullptr, nullptr, dw.data(),
                            reserve.data(), scratch.data()), "backward");
  });
  const double fwd_flops = 2.0 * s.T * s.N * k.gates * s.H * double(s.C + s.H);
  std::printf("%-3s %-8s N=%-4lld T=%-4lld C=%-5lld H=%-5lld  inference %9.2f ms (%6.1f GFLOP/s)"
              "  training %9.2f ms (%6.1f GFLOP/s)\n",
              s.name, k.name, (long long)s.N, (long long)s.T, (long long)s.C, (long long)s.H, ms_inf,
              fwd_flops / ms_inf * 1e-6, ms_train, 3 * fwd_flops / ms_train * 1e-6);
  jrnn_rnn_desc_destroy(desc);
}

}  // namespace

int main(int argc, char** argv) {
  std::string shape_filter, cell_filter;
  int threads = 0, iters = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--shape")) shape_filter = argv[i + 1];
    else if (!std::strcmp(argv[i], "--cell")) cell_filter = argv[i + 1];
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--iters")) iters = std::max(1, std::atoi(argv[i + 1]));
  }
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, threads);
  if (!ctx) return std::fprintf(stderr, "%s\n", jrnn_last_error()), 1;
  std::printf("jrnn %s, CPU, %d BLAS thread(s), median of %d\n", jrnn_version(),
              jrnn_context_num_threads(ctx), iters);
  for (const Shape& s : kShapes)
    for (const CellKind& k : kCells)
      if ((shape_filter.empty() || shape_filter == s.name) &&
          (cell_filter.empty() || cell_filter == k.name))
        bench(ctx, s, k, iters);
  jrnn_context_destroy(ctx);
  return 0;
}
