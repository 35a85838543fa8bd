// test_cpu_isa.cc — every CPU kernel variant (cpu/isa.h: generic, avx2, avx512 — each one this
// CPU supports), forced in turn, against the double-precision reference (the same harness and
// tolerances as test_cpu_vs_ref), on shapes that reach the variants' edge cases: several panels
// and a partial last one, batches that are not a multiple of the micro-kernel's rows, small
// batches (input product before the loop, in chunks of steps) and larger ones (input product
// fused into the step),
// ragged lengths with NaN past them, stacks, both directions, 1-3 threads, and jrnn_rnn_step.
// Then:
//  - results are bit-identical for 1, 2 and 3 threads (each variant);
//  - the vector activations (exp, sigmoid, tanh) against double precision, in float32 ulps;
//  - a forked child (no worker threads of its own yet) runs threaded passes.
// Variants the CPU lacks are reported as not run.
#include <cmath>
#include <cstring>
#include <limits>

#include <sys/wait.h>
#include <unistd.h>

#include "cpu/isa.h"
#include "cpu/kernels.h"
#include "rnn_harness.h"

using namespace jrnn::test;
namespace cpu = jrnn::cpu;

namespace {

// Forward (inference and training) and backward outputs of one case on ctx, as raw floats. The
// outputs, reserve and scratch start filled with `fill` (bit pattern), all but dw.
std::vector<float> run_all(jrnn_context* ctx, const Case& c, uint32_t seed, float fill = 0.0f) {
  std::mt19937 rng(seed);
  Desc desc(c);
  const bool lstm = c.cell == JRNN_LSTM;
  const int64_t states = int64_t(c.L) * c.D() * c.N * c.H, y_count = c.T * c.N * c.D() * c.H;
  const int64_t nw = jrnn_rnn_weights_count(desc.d);
  std::vector<float> x = to_float(random_values(rng, c.T * c.N * c.C, 1.0));
  std::vector<float> h0 = to_float(random_values(rng, states, 0.8));
  std::vector<float> c0 = to_float(random_values(rng, states, 0.8));
  std::vector<float> w = to_float(random_values(rng, nw, 0.5));
  std::vector<float> dy = to_float(random_values(rng, y_count, 1.0));
  std::vector<float> y(y_count, fill), hy(states, fill), cy(states, fill), dx(x.size(), fill),
      dh0(states, fill), dc0(states, fill), dw(nw, 0.0f);
  size_t scratch_bytes = 0;
  for (int pass = 0; pass <= 2; ++pass)
    scratch_bytes = std::max(scratch_bytes, jrnn_rnn_scratch_bytes(ctx, desc.d, c.T, c.N, pass));
  const size_t reserve_bytes = jrnn_rnn_reserve_bytes(ctx, desc.d, c.T, c.N);
  std::vector<float> scratch(scratch_bytes / 4 + 16, fill), reserve(reserve_bytes / 4 + 16, fill);
  std::vector<float> out;
  auto keep = [&](const std::vector<float>& v) { out.insert(out.end(), v.begin(), v.end()); };
  jrnn_status st = jrnn_rnn_forward(ctx, desc.d, c.T, c.N, c.lengths_or_null(), x.data(), h0.data(),
                                    lstm ? c0.data() : nullptr, w.data(), y.data(), hy.data(),
                                    lstm ? cy.data() : nullptr, nullptr, scratch.data());
  EXPECT(st == JRNN_OK, "inference: %s", jrnn_last_error());
  keep(y), keep(hy);
  if (lstm) keep(cy);
  auto refill = [fill](std::vector<float>& v) { std::fill(v.begin(), v.end(), fill); };
  refill(y), refill(hy), refill(cy), refill(scratch);
  st = jrnn_rnn_forward(ctx, desc.d, c.T, c.N, c.lengths_or_null(), x.data(), h0.data(),
                        lstm ? c0.data() : nullptr, w.data(), y.data(), hy.data(),
                        lstm ? cy.data() : nullptr, reserve.data(), scratch.data());
  EXPECT(st == JRNN_OK, "training forward: %s", jrnn_last_error());
  keep(y);
  refill(scratch);
  st = jrnn_rnn_backward(ctx, desc.d, c.T, c.N, c.lengths_or_null(), x.data(), h0.data(),
                         lstm ? c0.data() : nullptr, w.data(), dy.data(), hy.data(),
                         lstm ? cy.data() : nullptr, dx.data(), dh0.data(),
                         lstm ? dc0.data() : nullptr, dw.data(), reserve.data(), scratch.data());
  EXPECT(st == JRNN_OK, "backward: %s", jrnn_last_error());
  keep(dx), keep(dh0), keep(dw);
  if (lstm) keep(dc0);
  return out;
}

// max |got - want| in units of float32 spacing at want (ulps), over x in [lo, hi].
double max_ulps(const cpu::Kernels* k, int kind, float lo, float hi, float* worst_x) {
  const int n = 200001;
  std::vector<float> x(n), y(n);
  for (int i = 0; i < n; ++i) x[i] = lo + (hi - lo) * float(i) / float(n - 1);
  k->activation(kind, x.data(), y.data(), n);
  double worst = 0;
  for (int i = 0; i < n; ++i) {
    const double xd = x[i];
    const double want = kind == 0   ? 1.0 / (1.0 + std::exp(-xd))
                        : kind == 1 ? std::tanh(xd)
                                    : std::exp(xd);
    const float wf = (float)want;
    // spacing of floats at |want|; below the smallest normal, the smallest normal's spacing
    const double ulp = std::max<double>(std::nextafter(std::fabs(wf), INFINITY) - std::fabs(wf),
                                        std::numeric_limits<float>::min() * 1.1920929e-7);
    const double e = std::fabs(y[i] - want) / ulp;
    if (!(e <= worst)) worst = e, *worst_x = x[i];
  }
  return worst;
}

}  // namespace

int main() {
  jrnn_context* ctx[3] = {jrnn_context_create(JRNN_DEVICE_CPU, 0, 1),
                          jrnn_context_create(JRNN_DEVICE_CPU, 0, 2),
                          jrnn_context_create(JRNN_DEVICE_CPU, 0, 3)};
  EXPECT(ctx[0] && ctx[1] && ctx[2], "jrnn_context_create: %s", jrnn_last_error());
  if (!ctx[0] || !ctx[1] || !ctx[2]) return finish("test_cpu_isa");
  std::printf("test_cpu_isa: this CPU's best variant is %s\n", cpu::isa_name(cpu::detected_isa()));

  struct Shape {
    int64_t T, N, C, H;
  };
  // N: 1, 5 (input product first), 8, 13, 20 (fused; partial row tiles); H: partial panels,
  // several panels (RNN panels hold 4 vectors of units).
  const Shape shapes[] = {
      {3, 1, 5, 40}, {4, 5, 7, 33}, {3, 8, 9, 70}, {5, 13, 6, 17}, {2, 20, 3, 150}};
  for (cpu::Isa isa : {cpu::Isa::kGeneric, cpu::Isa::kAvx2, cpu::Isa::kAvx512}) {
    if ((int)isa > (int)cpu::detected_isa()) {
      std::printf("test_cpu_isa: %s not run (the CPU lacks it)\n", cpu::isa_name(isa));
      continue;
    }
    cpu::set_isa_override(isa);
    EXPECT(cpu::active_isa() == isa, "override to %s did not take", cpu::isa_name(isa));
    const int failures_before = failures;
    std::mt19937 rng(5);
    uint32_t seed = 100;
    int k = 0;
    for (int cell : {JRNN_RNN_TANH, JRNN_RNN_RELU, JRNN_LSTM, JRNN_GRU})
      for (bool bidi : {false, true})
        for (int L : {1, 2})
          for (bool ragged : {false, true}) {
            const Shape& s = shapes[(k++) % 5];
            Case c{cell, s.T, s.N, s.C, s.H, L, bidi, (k % 3) != 0, {}};
            if (ragged) c.lengths = ragged_lengths(rng, s.T, s.N);
            compare_with_reference(ctx[k % 3], c, seed++);
          }
    // jrnn_rnn_step: matrix-vector kernel (N < 8) and GEMM (N >= 8), 1-2 layers, against forward
    for (int cell : {JRNN_RNN_TANH, JRNN_RNN_RELU, JRNN_LSTM, JRNN_GRU})
      for (int64_t N : {1, 3, 9, 10}) {  // N = 10: sizes with whole transpose blocks
        Case c{cell, 4, N, N == 10 ? 40 : 7, N == 10 ? 36 : 21, N == 3 ? 1 : 2, false, true, {}};
        compare_step_with_forward(ctx[seed % 3], c, seed);
        ++seed;
      }
    // Input products computed a chunk of steps at a time (cpu/kernels.h gi_chunk_steps): small
    // batches over many steps, and (generic path) larger batches over more steps than a chunk.
    for (int cell : {JRNN_RNN_TANH, JRNN_LSTM, JRNN_GRU})
      for (bool bidi : {false, true}) {
        Case a{cell, 120, 6, 4, 20, 1, bidi, true, ragged_lengths(rng, 120, 6)};
        compare_with_reference(ctx[seed % 3], a, seed);
        ++seed;
        Case b{cell, 20, 40, 5, 12, 2, bidi, true, {}};
        compare_with_reference(ctx[seed % 3], b, seed);
        ++seed;
      }
    // Larger problems, on 2 threads (test_cpu_vs_ref's size), then larger still: results must
    // not depend on the thread count (our kernels; OpenBLAS's threads may change the generic
    // path's rounding, so that one is not held to it).
    for (int cell : {JRNN_RNN_TANH, JRNN_LSTM, JRNN_GRU}) {
      // (a plain RNN this wide saturates: float rounding in 1-h^2 exceeds the tolerance, even on
      // the generic path, so it gets fewer units)
      Case r{cell,
             9,
             16,
             32,
             cell == JRNN_RNN_TANH ? 24 : 64,
             2,
             true,
             true,
             ragged_lengths(rng, 9, 16)};
      compare_with_reference(ctx[1], r, seed++);
      if (isa == cpu::Isa::kGeneric) continue;
      // N = 16: threads split batch rows; N = 12: threads split hidden units (cpu/kernels.h);
      // N = 7: AVX2's 3-row tiles and a 1-row tail; N = 1: the batch-1 kernels (AVX2: even and
      // odd k in two sets of chains)
      for (int64_t N : {16, 12, 7, 1}) {
        Case c{cell, 8, N, 48, 96, 2, true, true, ragged_lengths(rng, 8, N)};
        const std::vector<float> one = run_all(ctx[0], c, seed);
        for (int t = 1; t < 3; ++t) {
          const std::vector<float> more = run_all(ctx[t], c, seed);
          EXPECT(one.size() == more.size() &&
                     std::memcmp(one.data(), more.data(), one.size() * sizeof(float)) == 0,
                 "%s %s: %d threads give different bits than 1 thread", cpu::isa_name(isa),
                 c.describe().c_str(), t + 1);
        }
        ++seed;
      }
    }
    // Gate rows (G*H) past one backward K block (kernels_impl.h kBwdKBlock = 1024, partial last
    // block), both thread splits: against the reference, and the same bits on 1 and 3 threads.
    if (isa != cpu::Isa::kGeneric)
      for (int cell : {JRNN_LSTM, JRNN_GRU})
        for (int64_t N : {16, 5, 1}) {
          Case c{cell,
                 3,
                 N,
                 12,
                 cell == JRNN_LSTM ? 260 : 350,
                 1,
                 true,
                 true,
                 ragged_lengths(rng, 3, N)};
          compare_with_reference(ctx[1], c, seed);
          const std::vector<float> one = run_all(ctx[0], c, seed), three = run_all(ctx[2], c, seed);
          EXPECT(one.size() == three.size() &&
                     std::memcmp(one.data(), three.data(), one.size() * sizeof(float)) == 0,
                 "%s %s: 3 threads give different results than 1", cpu::isa_name(isa),
                 c.describe().c_str());
          ++seed;
        }
    if (const cpu::Kernels* kern = cpu::kernels_for(isa)) {
      // sigmoid and tanh as the cells use them; exp where it stays finite and normal
      const char* names[3] = {"sigmoid", "tanh", "exp"};
      const float lo[3] = {-30.0f, -12.0f, -80.0f}, hi[3] = {30.0f, 12.0f, 80.0f};
      for (int kind = 0; kind < 3; ++kind) {
        float wx = 0;
        const double u = max_ulps(kern, kind, lo[kind], hi[kind], &wx);
        std::printf("test_cpu_isa: %s %s: max error %.2f ulp (at x = %.6g)\n", cpu::isa_name(isa),
                    names[kind], u, wx);
        EXPECT(u <= 4.0, "%s %s: %.2f ulp at x = %g (allowed 4)", cpu::isa_name(isa), names[kind],
               u, wx);
      }
      // saturation and special values
      const float sx[5] = {-1e30f, -100.0f, 0.0f, 100.0f, 1e30f};
      float sy[5];
      kern->activation(1, sx, sy, 5);
      EXPECT(sy[0] == -1.0f && sy[1] == -1.0f && sy[2] == 0.0f && sy[3] == 1.0f && sy[4] == 1.0f,
             "%s tanh saturation: %g %g %g %g %g", cpu::isa_name(isa), sy[0], sy[1], sy[2], sy[3],
             sy[4]);
      kern->activation(0, sx, sy, 5);
      EXPECT(sy[0] >= 0.0f && sy[0] < 1e-37f && sy[1] >= 0.0f && sy[1] < 1e-37f && sy[2] == 0.5f &&
                 sy[3] == 1.0f && sy[4] == 1.0f,
             "%s sigmoid saturation: %g %g %g %g %g", cpu::isa_name(isa), sy[0], sy[1], sy[2],
             sy[3], sy[4]);
    }
    // jrnn_alloc_uninitialized is enough for outputs, reserve and scratch: what they held before
    // (here NaN) must not reach any result, on any path (ragged lengths, stacks, both directions,
    // small batches with the input product first, larger ones with it fused, both thread splits).
    for (int cell : {JRNN_RNN_TANH, JRNN_RNN_RELU, JRNN_LSTM, JRNN_GRU})
      for (int64_t N : {3, 12, 16}) {
        Case c{cell, 7, N, 10, 40, 2, true, true, ragged_lengths(rng, 7, N)};
        const std::vector<float> zeroed = run_all(ctx[1], c, seed);
        const std::vector<float> poisoned =
            run_all(ctx[1], c, seed, std::numeric_limits<float>::quiet_NaN());
        EXPECT(zeroed.size() == poisoned.size() &&
                   std::memcmp(zeroed.data(), poisoned.data(), zeroed.size() * sizeof(float)) == 0,
               "%s %s: results depend on what outputs/reserve/scratch held before the call",
               cpu::isa_name(isa), c.describe().c_str());
        ++seed;
      }
    std::printf("test_cpu_isa: %s: %s\n", cpu::isa_name(isa),
                failures == failures_before ? "all cases pass" : "FAILURES");
  }
  cpu::reset_isa_override();
  // A forked child has none of the parent's worker threads: its threaded passes must still run.
  {
    Case c{JRNN_LSTM, 8, 12, 48, 96, 1, false, true, {}};
    const std::vector<float> parent = run_all(ctx[1], c, 7);
    const pid_t pid = fork();
    if (pid == 0) {
      const std::vector<float> child = run_all(ctx[1], c, 7);
      _exit(child == parent ? 0 : 1);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    EXPECT(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "a forked child's threaded pass failed or differed (status %d)", status);
  }
  for (jrnn_context* c : ctx) jrnn_context_destroy(c);
  return finish("test_cpu_isa");
}
