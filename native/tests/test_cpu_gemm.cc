// test_cpu_gemm.cc — the vector kernels' blocked GEMM (cpu/kernels.h GemmJob: the weight and input
// gradients of every backward pass, Ops.linear, decoding steps with N >= 8) on its own, for each
// ISA this CPU has, against a double-precision product: both operand layouts (A or A^T, B or B^T),
// C = A·B and C += A·B, and rows of B zeroed past sequence lengths (even when they hold NaN). The
// sizes cross every blocking edge of both blockings (in place for small C, packed for large C): M
// past one row block and not a multiple of the tile rows, N past one column block and not a
// multiple of the panel width, K over several K blocks with a partial last one; and tiny ones (a
// single partial tile). Results must be bit-identical on 1, 2 and 3
// threads.
// Also cpu::gemm (cpu_util.h: OpenBLAS, the generic path's products) on the shapes OpenBLAS turns
// into matrix-vector products (one row or one column of C) with a long K, in every layout: as
// accurate as the x86-64 kernels on every machine (on AArch64 through cpu_util.cc's split sums).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "cpu/cpu_util.h"
#include "cpu/isa.h"
#include "cpu/kernels.h"
#include "cpu/threads.h"
#include "test_util.h"

namespace cpu = jrnn::cpu;

namespace {

struct Call {
  const cpu::Kernels* k;
  const cpu::GemmJob* g;
};
void region(void* arg, int tid, int nt, cpu::Barrier*) {
  const Call& c = *static_cast<const Call*>(arg);
  c.k->gemm(*c.g, tid, nt);
}

struct Size {
  int64_t M, N, K;
};

// One configuration on nt threads; returns C. b_n > 0: B's rows are (time, sequence) pairs of
// b_n sequences with the given lengths (rows past a length hold NaN and must count as zero).
std::vector<float> run(const cpu::Kernels* k, const Size& s, bool a_trans, bool b_trans,
                       bool accumulate, const std::vector<int32_t>* lengths, int nt,
                       const std::vector<float>& a, const std::vector<float>& b,
                       const std::vector<float>& c0) {
  std::vector<float> c = c0;
  cpu::GemmJob g{s.M,
                 s.N,
                 s.K,
                 a.data(),
                 a_trans ? s.M : s.K,
                 a_trans,
                 b.data(),
                 b_trans ? s.K : s.N,
                 b_trans,
                 c.data(),
                 s.N,
                 accumulate};
  if (lengths) g.b_lengths = lengths->data(), g.b_n = (int64_t)lengths->size(), g.b_t0 = 0;
  Call call{k, &g};
  cpu::parallel_region(nt, region, &call);
  return c;
}

// C [M, N] (+)= op(A) · op(B) through cpu::gemm with M = 1 or N = 1 and K = 3000, against a
// double product: relative error by norm (max |error| / max(1, max |C|)) below 1e-6, which a
// single chain of 3000 float additions exceeds (ARMV8 OpenBLAS's gemv unsplit: 1.1-1.9e-6).
void test_blas_gemv_shapes() {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const Size sizes[] = {{1, 300, 3000}, {300, 1, 3000}, {1, 40, 257}};
  for (const Size& s : sizes)
    for (int layout = 0; layout < 4; ++layout)
      for (float beta : {0.0f, 1.0f}) {
        const bool a_trans = layout & 1, b_trans = layout & 2;
        std::vector<float> a(s.M * s.K), b(s.K * s.N), c(s.M * s.N);
        for (float& v : a) v = u(rng);
        for (float& v : b) v = u(rng);
        for (float& v : c) v = beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : u(rng);
        std::vector<double> want(s.M * s.N);
        double diff = 0, ref = 1.0;
        for (int64_t m = 0; m < s.M; ++m)
          for (int64_t n = 0; n < s.N; ++n) {
            double sum = beta == 0.0f ? 0.0 : c[m * s.N + n];
            for (int64_t k = 0; k < s.K; ++k)
              sum += 0.5 * (a_trans ? a[k * s.M + m] : a[m * s.K + k]) *
                     double(b_trans ? b[n * s.K + k] : b[k * s.N + n]);
            want[m * s.N + n] = sum;
            ref = std::max(ref, std::fabs(sum));
          }
        cpu::gemm(a_trans, b_trans, s.M, s.N, s.K, 0.5f, a.data(), a_trans ? s.M : s.K, b.data(),
                  b_trans ? s.K : s.N, beta, c.data(), s.N);
        for (int64_t i = 0; i < s.M * s.N; ++i)
          diff = std::isnan(c[i]) ? INFINITY : std::max(diff, std::fabs(c[i] - want[i]));
        EXPECT(diff / ref < 1e-6,
               "cpu::gemm %lldx%lldx%lld a_trans=%d b_trans=%d beta=%g: relative error %.3g",
               (long long)s.M, (long long)s.N, (long long)s.K, a_trans, b_trans, beta, diff / ref);
      }
}

}  // namespace

int main() {
  test_blas_gemv_shapes();
  // All but the last take the in-place blocking, the last the packed one (C >= 2^20 elements,
  // kernels_dense_impl.h kGemmPackedMinC; on AVX2 from 2^16, so the first is packed there too):
  // both cross their row, column and K block edges.
  // {13, 64, 129}, {37, 700, 300} and {85, 400, 70} with B^T take the transposed product
  // (M <= N/4; the last stores whole 16-column vectors of 6-row tiles and their edges).
  const Size sizes[] = {{197, 531, 263}, {5, 7, 3},     {13, 64, 129},    {390, 40, 512},
                        {37, 700, 300},  {85, 400, 70}, {1030, 1030, 140}};
  for (cpu::Isa isa : {cpu::Isa::kAvx2, cpu::Isa::kAvx512}) {
    const cpu::Kernels* k = (int)isa <= (int)cpu::detected_isa() ? cpu::kernels_for(isa) : nullptr;
    if (!k) {
      std::printf("test_cpu_gemm: %s not run (the CPU lacks it)\n", cpu::isa_name(isa));
      continue;
    }
    const int failures_before = jrnn::test::failures;
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (const Size& s : sizes)
      for (int layout = 0; layout < 4; ++layout)
        for (int variant = 0; variant < 3; ++variant) {  // 0: C = A·B, 1: C += A·B, 2: + lengths
          const bool a_trans = layout & 1, b_trans = layout & 2;
          const bool accumulate = variant >= 1;
          std::vector<float> a(s.M * s.K), b(s.K * s.N), c0(s.M * s.N);
          for (float& v : a) v = u(rng);
          for (float& v : b) v = u(rng);
          for (float& v : c0) v = accumulate ? u(rng) : std::numeric_limits<float>::quiet_NaN();
          // lengths: rows k = t * n_seq + n; zero (and NaN in B) where t >= lengths[n]
          std::vector<int32_t> lengths;
          const bool with_lengths = variant == 2 && !b_trans;  // only row-major B supports them
          const int64_t n_seq = 3;
          if (with_lengths) {
            const int64_t steps = (s.K + n_seq - 1) / n_seq;
            lengths = {(int32_t)steps, (int32_t)(steps / 2), 0};
          }
          auto row_live = [&](int64_t kk) {
            return !with_lengths || kk / n_seq < lengths[kk % n_seq];
          };
          if (with_lengths)
            for (int64_t kk = 0; kk < s.K; ++kk)
              if (!row_live(kk))
                for (int64_t n = 0; n < s.N; ++n)
                  b[kk * s.N + n] = std::numeric_limits<float>::quiet_NaN();
          double worst = 0;
          const std::vector<float> one = run(k, s, a_trans, b_trans, accumulate,
                                             with_lengths ? &lengths : nullptr, 1, a, b, c0);
          for (int64_t m = 0; m < s.M; ++m)
            for (int64_t n = 0; n < s.N; ++n) {
              double want = accumulate ? c0[m * s.N + n] : 0.0, bound = std::fabs(want);
              for (int64_t kk = 0; kk < s.K; ++kk) {
                if (!row_live(kk)) continue;
                const double av = a_trans ? a[kk * s.M + m] : a[m * s.K + kk];
                const double bv = b_trans ? b[n * s.K + kk] : b[kk * s.N + n];
                want += av * bv;
                bound += std::fabs(av * bv);
              }
              // float32: at most one rounding per k (an FMA) and one per K block (added into
              // C, at most K of them), each relative to a partial sum <= bound.
              const double allowed = (2.0 * s.K + 2) * 0x1p-24 * bound + 1e-30;
              const double err = std::fabs(one[m * s.N + n] - want);
              if (!(err <= allowed))
                worst = std::max(worst, std::isnan(err) ? 1e30 : err / allowed);
            }
          EXPECT(worst == 0,
                 "%s gemm %lldx%lldx%lld a_trans=%d b_trans=%d accumulate=%d lengths=%d: "
                 "error %.3g x the bound",
                 cpu::isa_name(isa), (long long)s.M, (long long)s.N, (long long)s.K, a_trans,
                 b_trans, accumulate, with_lengths, worst);
          for (int nt = 2; nt <= 3; ++nt) {
            const std::vector<float> more = run(k, s, a_trans, b_trans, accumulate,
                                                with_lengths ? &lengths : nullptr, nt, a, b, c0);
            EXPECT(std::memcmp(one.data(), more.data(), one.size() * sizeof(float)) == 0,
                   "%s gemm %lldx%lldx%lld layout %d variant %d: %d threads differ from 1",
                   cpu::isa_name(isa), (long long)s.M, (long long)s.N, (long long)s.K, layout,
                   variant, nt);
          }
        }
    std::printf("test_cpu_gemm: %s: %s\n", cpu::isa_name(isa),
                jrnn::test::failures == failures_before ? "all cases pass" : "FAILURES");
  }
  return jrnn::test::finish("test_cpu_gemm");
}
