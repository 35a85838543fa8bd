// bench_ceiling.cc — what this machine's cores can do at most, measured with the same instructions
// our kernels use, and what that implies for the LSTM targets (bench/cpu/NOTES.md, "Ceilings").
// Development tool; measures each instruction set the CPU has, AVX-512 (16-lane zmm, what
// kernels_avx512.cc uses) and AVX2 + FMA (8-lane ymm, kernels_avx2.cc), or the one --isa names.
//   bench_ceiling [--threads 2] [--reps 7] [--isa avx512|avx2] [--torch-ms S3,S2,S4]
// Measures, each on 1 and on --threads threads (every thread on its own data):
//  - FMA peak: independent accumulator chains of vfmadd on registers (no memory), GFLOP/s: 24 zmm
//    chains (AVX-512), 12 ymm chains (AVX2: what its micro-kernels may hold in 16 registers).
//  - Weight streaming: the per-step recurrent product of a batch-1 step (broadcast h[k], load the
//    k-th row of the packed weights, 4 FMAs into 4 gate accumulators: 64 floats a row with
//    AVX-512, 32 with AVX2), the same loop as kernels_impl.h's kloop_rows<1,...>, over a
//    per-thread block of 256 KB, 512 KB (LSTM H = 256 split over 2 threads: L2-resident) and 1 MB
//    (the same on one thread), in GB/s per thread and us per pass.
//  - Barrier: a round of jrnn::cpu::Barrier (threads.h) between --threads spinning threads.
// Then the lower bounds they put on LSTM S3 forward and S2/S4 training (2 threads), printed next
// to the times the ratios ask for (from the libtorch times given with --torch-ms).
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "cpu/threads.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs body(tid) on nt threads started together; returns the slowest thread's seconds.
template <class Body>
double run_threads(int nt, Body body) {
  std::atomic<int> ready{0};
  std::vector<double> secs(nt);
  auto worker = [&](int tid) {
    ready.fetch_add(1);
    while (ready.load() < nt) _mm_pause();
    const auto t0 = Clock::now();
    body(tid);
    secs[tid] = seconds_since(t0);
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < nt; ++t) threads.emplace_back(worker, t);
  worker(0);
  for (auto& th : threads) th.join();
  return *std::max_element(secs.begin(), secs.end());
}

// The median of reps runs of fn() (seconds).
template <class Fn>
double median_of(int reps, Fn fn) {
  std::vector<double> s;
  for (int r = 0; r < reps; ++r) s.push_back(fn());
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

__attribute__((target("avx512f,fma"), noinline)) float fma_chains_avx512(long iters) {
  __m512 acc[24];
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_ps(0.001f * i);
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(0.0001f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 s = acc[0];
  for (int i = 1; i < 24; ++i) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"), noinline)) float fma_chains_avx2(long iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(0.001f * i);
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.0001f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
  alignas(32) float t[8];
  _mm256_store_ps(t, s);
  float r = 0;
  for (float v : t) r += v;
  return r;
}

// passes over w ([rows][64] floats) as a batch-1 recurrent product: acc[v] += h[k] * w[k][v].
__attribute__((target("avx512f,fma"), noinline)) float stream_rows_avx512(const float* w,
                                                                          const float* h, long rows,
                                                                          int passes) {
  __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                   _mm512_setzero_ps()};
  for (int p = 0; p < passes; ++p) {
    const float* b = w;
    for (long k = 0; k < rows; ++k) {
      const __m512 a = _mm512_set1_ps(h[k & 255]);
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) acc[v] = _mm512_fmadd_ps(a, _mm512_load_ps(b + 16 * v), acc[v]);
      b += 64;
    }
  }
  return _mm512_reduce_add_ps(
      _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3])));
}

// The same with AVX2: rows of 32 floats (4 gates x 8 units), 4 ymm accumulators.
__attribute__((target("avx2,fma"), noinline)) float stream_rows_avx2(const float* w, const float* h,
                                                                     long rows, int passes) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                   _mm256_setzero_ps()};
  for (int p = 0; p < passes; ++p) {
    const float* b = w;
    for (long k = 0; k < rows; ++k) {
      const __m256 a = _mm256_set1_ps(h[k & 255]);
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) acc[v] = _mm256_fmadd_ps(a, _mm256_load_ps(b + 8 * v), acc[v]);
      b += 32;
    }
  }
  alignas(32) float t[8];
  _mm256_store_ps(t, _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
  float r = 0;
  for (float v : t) r += v;
  return r;
}

std::atomic<float> g_sink{0};  // keeps results alive

double fma_gflops(bool avx512, int nt, int reps) {
  const long iters = 20'000'000;
  // flops per iteration: chains x lanes x 2
  const double per_iter = avx512 ? 24 * 32 : 12 * 16;
  const double s = median_of(reps, [&] {
    return run_threads(nt, [&](int) {
      g_sink = g_sink + (avx512 ? fma_chains_avx512(iters) : fma_chains_avx2(iters));
    });
  });
  return double(iters) * per_iter * nt / s / 1e9;
}

// Seconds per pass over `bytes` of weights per thread (each thread its own block, L2-warm).
double stream_pass_seconds(bool avx512, int nt, size_t bytes, int reps) {
  const int row_floats = avx512 ? 64 : 32;
  const long rows = long(bytes / (row_floats * sizeof(float)));
  const int passes = int(std::max<long>(50, (200L << 20) / long(bytes)));
  std::vector<float*> blocks(nt);
  std::vector<float> h(256, 0.5f);
  for (int t = 0; t < nt; ++t) {
    blocks[t] = static_cast<float*>(std::aligned_alloc(64, bytes));
    for (long i = 0; i < rows * row_floats; ++i) blocks[t][i] = 1e-3f * float(i % 97);
  }
  auto stream = [&](const float* w, int n) {
    return avx512 ? stream_rows_avx512(w, h.data(), rows, n)
                  : stream_rows_avx2(w, h.data(), rows, n);
  };
  const double s = median_of(reps, [&] {
    return run_threads(nt, [&](int tid) {
      stream(blocks[tid], 2);  // warm this core's caches
      g_sink = g_sink + stream(blocks[tid], passes);
    });
  });
  for (float* b : blocks) std::free(b);
  // the warm-up passes are in the time too: count them
  return s / (passes + 2);
}

double barrier_us(int nt, int reps) {
  if (nt < 2) return 0;
  const int rounds = 200'000;
  const double s = median_of(reps, [&] {
    jrnn::cpu::Barrier barrier(nt);
    return run_threads(nt, [&](int) {
      for (int r = 0; r < rounds; ++r) barrier.wait();
    });
  });
  return s / rounds * 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, reps = 7;
  std::string only;                                 // --isa: measure this one only
  double torch_s3 = 0, torch_s2 = 0, torch_s4 = 0;  // libtorch ms of the run compared with
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--threads")
      threads = std::atoi(value);
    else if (flag == "--reps")
      reps = std::atoi(value);
    else if (flag == "--isa" && (!std::strcmp(value, "avx512") || !std::strcmp(value, "avx2")))
      only = value;
    else if (flag == "--torch-ms")
      std::sscanf(value, "%lf,%lf,%lf", &torch_s3, &torch_s2, &torch_s4);
    else {
      std::fprintf(stderr,
                   "usage: bench_ceiling [--threads 2] [--reps 7] [--isa avx512|avx2] "
                   "[--torch-ms S3,S2,S4]\n");
      return 2;
    }
  }
  __builtin_cpu_init();
  const bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  const bool has2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  threads = std::max(1, threads);
  bool any = false;
  for (const bool avx512 : {true, false}) {
    const char* name = avx512 ? "avx512" : "avx2";
    if (!only.empty() && only != name) continue;
    if (!(avx512 ? has512 : has2)) {
      std::printf("bench_ceiling: this CPU has no %s; not measured\n", name);
      continue;
    }
    any = true;
    std::printf("# bench_ceiling %s: %d thread(s), median of %d\n", name, threads, reps);
    const double peak1 = fma_gflops(avx512, 1, reps), peak = fma_gflops(avx512, threads, reps);
    std::printf("%-6s FMA peak (%d chains)   1 thread %7.1f GFLOP/s   %d threads %7.1f GFLOP/s\n",
                name, avx512 ? 24 : 12, peak1, threads, peak);
    double pass_512k = 0;
    for (size_t kb : {256, 512, 1024}) {
      const size_t bytes = kb << 10;
      const double s1 = stream_pass_seconds(avx512, 1, bytes, reps),
                   sn = stream_pass_seconds(avx512, threads, bytes, reps);
      if (kb == 512) pass_512k = sn;
      std::printf(
          "%-6s weight stream %4zu KB/thread   1 thread %6.1f GB/s %6.2f us   %d threads %6.1f "
          "GB/s/thread %6.2f us\n",
          name, kb, bytes / s1 / 1e9, s1 * 1e6, threads, bytes / sn / 1e9, threads, sn * 1e6);
    }
    const double bar = barrier_us(threads, reps);
    std::printf("barrier round (%d threads)     %.3f us\n", threads, bar);
    if (threads != 2) continue;

    // Lower bounds, LSTM, 2 threads. S3 forward: the input product x·W_ihᵀ (2*T*4H*C flops) at
    // the FMA peak, then T steps that each stream this thread's half of W_hh (512 KB) once and
    // meet at a barrier. Training (no input gradient): 2*T*N*4H*(2C+3H) flops at the FMA peak.
    const double s3_gi = 2.0 * 200 * 1024 * 256 / (peak * 1e9);
    const double s3 = (s3_gi + 200 * (pass_512k + bar * 1e-6)) * 1e3;
    const double s2 = 2.0 * 100 * 32 * 2048 * (2 * 512 + 3 * 512) / (peak * 1e9) * 1e3;
    const double s4 = 2.0 * 25 * 128 * 4096 * (2 * 1024 + 3 * 1024) / (peak * 1e9) * 1e3;
    std::printf(
        "%-6s bound LSTM S3 fwd   >= %7.3f ms (input GEMM %.3f + 200 x (stream %.2f us + barrier "
        "%.2f us))",
        name, s3, s3_gi * 1e3, pass_512k * 1e6, bar);
    if (torch_s3 > 0) std::printf("; 2x libtorch needs %.3f ms", torch_s3 / 2);
    std::printf("\n%-6s bound LSTM S2 train >= %7.2f ms (33.55 GFLOP at the FMA peak)", name, s2);
    if (torch_s2 > 0) std::printf("; 2x libtorch needs %.2f ms", torch_s2 / 2);
    std::printf("\n%-6s bound LSTM S4 train >= %7.1f ms (134.2 GFLOP at the FMA peak)", name, s4);
    if (torch_s4 > 0) std::printf("; 1.5x libtorch needs %.1f ms", torch_s4 / 1.5);
    std::printf("\n");
  }
  if (!any) std::printf("bench_ceiling: nothing measured (no AVX2 + FMA)\n");
  return 0;
}
