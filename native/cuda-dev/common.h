// common.h — shared helpers of the CUDA kernel workshop (native/cuda-dev, in the spirit of
// llm.c's dev/cuda): error checks, random data, validation against a CPU reference, and timing
// with CUDA events. Each <kernel>.cu is one program: a CPU reference, versions 1..n of the kernel,
// `./<kernel> [version]` validates every version (or one) and times it with napkin math.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#define cudaCheck(call)                                                     \
  do {                                                                      \
    const cudaError_t err_ = (call);                                        \
    if (err_ != cudaSuccess) {                                              \
      std::fprintf(stderr, "CUDA error at %s:%d: %s\n", __FILE__, __LINE__, \
                   cudaGetErrorString(err_));                               \
      std::exit(2);                                                         \
    }                                                                       \
  } while (0)

inline int ceil_div(int a, int b) {
  return (a + b - 1) / b;
}

inline std::vector<float> random_floats(size_t n, float scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

template <typename T>
T* to_device(const std::vector<T>& v) {
  T* p = nullptr;
  cudaCheck(cudaMalloc(&p, std::max<size_t>(v.size(), 1) * sizeof(T)));
  cudaCheck(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
  return p;
}

template <typename T>
std::vector<T> to_host(const T* p, size_t n) {
  std::vector<T> v(n);
  cudaCheck(cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
  return v;
}

// Max |got - want| / max(1, max |want|); prints the worst element. Returns whether it is <= tol.
inline bool validate(const char* what, const std::vector<float>& got,
                     const std::vector<double>& want, double tol) {
  double worst = 0, scale = 1;
  size_t at = 0;
  for (size_t i = 0; i < want.size(); ++i) scale = std::max(scale, std::fabs(want[i]));
  for (size_t i = 0; i < want.size(); ++i) {
    const double e = std::fabs(double(got[i]) - want[i]);
    if (!(e <= worst)) worst = std::isnan(e) ? INFINITY : e, at = i;
  }
  const double rel = worst / scale;
  const bool ok = rel <= tol;
  std::printf("  %-34s %s  max rel err %.2e (element %zu: %.7g vs %.7g)\n", what,
              ok ? "ok  " : "FAIL", rel, at, got.empty() ? 0.0 : double(got[at]),
              want.empty() ? 0.0 : want[at]);
  return ok;
}

// Median milliseconds of `repeats` runs of fn() (each run timed with events around `iters` calls).
template <typename F>
float time_ms(F&& fn, int iters = 20, int repeats = 5) {
  fn();  // warm-up
  cudaCheck(cudaDeviceSynchronize());
  cudaEvent_t a, b;
  cudaCheck(cudaEventCreate(&a));
  cudaCheck(cudaEventCreate(&b));
  std::vector<float> runs;
  for (int r = 0; r < repeats; ++r) {
    cudaCheck(cudaEventRecord(a));
    for (int i = 0; i < iters; ++i) fn();
    cudaCheck(cudaEventRecord(b));
    cudaCheck(cudaEventSynchronize(b));
    float ms = 0;
    cudaCheck(cudaEventElapsedTime(&ms, a, b));
    runs.push_back(ms / iters);
  }
  cudaCheck(cudaGetLastError());
  cudaCheck(cudaEventDestroy(a));
  cudaCheck(cudaEventDestroy(b));
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}
