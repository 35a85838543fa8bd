// bench_gemm.cc — development benchmark of the CPU kernels' blocked GEMM (kernels.h GemmJob)
// against OpenBLAS's cblas_sgemm on the GEMMs of a training step, same threads, same data. Prints
// one line per shape: median ms and GFLOP/s of each, and the largest difference between their
// results (relative to the largest |C|), so a blocking change is checked and timed in one go.
//   bench_gemm [--threads 2] [--reps 9]
// The shapes (M x N x K, which operand is transposed):
//   dW S2  2048 x 512 x 512   A^T  (dW_ih or dW_hh += dgᵀ·X for one backward chunk of 512 rows)
//   dW S4  4096 x 1024 x 512  A^T
//   dW S1  1024 x 256 x 512   A^T
//   dx S2  512 x 512 x 2048        (dx = dg·W_ih, not in the timed training step)
//   lin    512 x 4096 x 512   B^T  (Ops.linear: Y = X·Wᵀ, a vocabulary projection)
//   dec    64 x 1680 x 256    B^T  (the same in a decoding step: the captioner's output layer)
//   beam   320 x 1680 x 256   B^T  (... with beam 5 x 64 rows)
//   gru    320 x 768 x 256    B^T  (that decoder's recurrent product, GRU 256)
// OpenBLAS runs with whatever OPENBLAS_CORETYPE the environment sets (this machine's environment
// pins Haswell; unset it to compare against the AVX-512 kernels).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <cblas.h>

#include "cpu/isa.h"
#include "cpu/kernels.h"
#include "cpu/threads.h"

namespace {

using jrnn::cpu::GemmJob;

struct Case {
  const char* name;
  int64_t M, N, K;
  bool a_trans, b_trans;
};
const Case kCases[] = {
    {"dW S2", 2048, 512, 512, true, false}, {"dW S4", 4096, 1024, 512, true, false},
    {"dW S1", 1024, 256, 512, true, false}, {"dx S2", 512, 512, 2048, false, false},
    {"lin", 512, 4096, 512, false, true},   {"dec", 64, 1680, 256, false, true},
    {"beam", 320, 1680, 256, false, true},  {"gru", 320, 768, 256, false, true},
};

struct Call {
  const jrnn::cpu::Kernels* k;
  const GemmJob* g;
};
void region(void* arg, int tid, int nt, jrnn::cpu::Barrier*) {
  const Call& c = *static_cast<const Call*>(arg);
  c.k->gemm(*c.g, tid, nt);
}

template <class F>
double median_ms(int reps, F&& f) {
  f();  // warm-up
  std::vector<double> ms;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    int calls = 0;
    do {
      f();
      ++calls;
    } while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(100));
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
        calls);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, reps = 9;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads"))
      threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--reps"))
      reps = std::atoi(argv[i + 1]);
  }
  const jrnn::cpu::Kernels* k = jrnn::cpu::kernels_for(jrnn::cpu::active_isa());
  if (!k) {
    std::fprintf(stderr, "bench_gemm: no vector kernels on this CPU (generic path)\n");
    return 1;
  }
  openblas_set_num_threads(threads);
  std::printf("isa %s, %d threads, OpenBLAS %s\n", jrnn::cpu::isa_name(jrnn::cpu::active_isa()),
              threads, openblas_get_config());
  std::printf("%-6s %5s %5s %5s  %9s %7s  %9s %7s  %6s  %s\n", "case", "M", "N", "K", "jrnn ms",
              "GF/s", "blas ms", "GF/s", "ratio", "max rel diff");
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (const Case& c : kCases) {
    std::vector<float> a(c.M * c.K), b(c.K * c.N), c1(c.M * c.N), c2(c.M * c.N);
    for (float& v : a) v = u(rng);
    for (float& v : b) v = u(rng);
    const int64_t lda = c.a_trans ? c.M : c.K, ldb = c.b_trans ? c.K : c.N;
    const GemmJob g{c.M,      c.N, c.K,       a.data(),  lda, c.a_trans,
                    b.data(), ldb, c.b_trans, c1.data(), c.N, false};
    Call call{k, &g};
    const double ours =
        median_ms(reps, [&] { jrnn::cpu::parallel_region(threads, region, &call); });
    const double blas = median_ms(reps, [&] {
      cblas_sgemm(CblasRowMajor, c.a_trans ? CblasTrans : CblasNoTrans,
                  c.b_trans ? CblasTrans : CblasNoTrans, c.M, c.N, c.K, 1.0f, a.data(), lda,
                  b.data(), ldb, 0.0f, c2.data(), c.N);
    });
    double diff = 0, scale = 0;
    for (size_t i = 0; i < c1.size(); ++i) {
      diff = std::max(diff, (double)std::fabs(c1[i] - c2[i]));
      scale = std::max(scale, (double)std::fabs(c2[i]));
    }
    const double gf = 2.0 * c.M * c.N * c.K / 1e6;
    std::printf("%-6s %5lld %5lld %5lld  %9.3f %7.1f  %9.3f %7.1f  %6.2f  %.2e\n", c.name,
                (long long)c.M, (long long)c.N, (long long)c.K, ours, gf / ours, blas, gf / blas,
                blas / ours, diff / scale);
  }
  return 0;
}
