// test_cuda_host.cc — the CUDA backend's logic, emulated on the CPU (no GPU needed; runs in every
// build). The CUDA path is written so that everything except the launch syntax and the tensor-core
// MMA is host + device code (cuda/cell_math.h, cuda/gemm_kernels.h, cuda/gemm_plan.h,
// cuda/rnn_plan.h, cuda/cuda_layout.h, cuda/dropout_hash.h); here it runs under a CPU executor:
//   1. the reserve/scratch layouts: every array 256-byte aligned, inside the size, no overlaps;
//   2. GEMM plans: split-K ranges cover K exactly, no empty split, partials within their cap;
//   3. the GEMM block programs (SIMT tiles, TF32 tile with an emulated MMA, skinny, split-K,
//      column sums) emulated thread by thread (in both thread orders, shared memory poisoned with
//      NaN) against a double-precision product, on ragged shapes, every transpose combination,
//      beta = 0 over NaN, bias, K = 0;
//   4. the recurrent plans (forward inference/training, backward, step) under the emulated
//      executor against ref::rnn_* in double, for every cell, stacked, bidirectional, ragged,
//      with NaN in scratch/reserve before each call, NaN past each length, and canaries after
//      the buffers; also in TF32 mode (looser tolerance);
//   5. the dropout hash and threshold equal ops_ref.h's bit for bit.
// What this cannot check: the real kernels' launch configurations, barriers' placement in the
// drivers (gemm.cu: mirrored here), WMMA fragment semantics, and timing — test_cuda does, on a GPU.
// Run: ctest -R test_cuda_host.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>

#include "cuda/cuda_layout.h"
#include "cuda/dropout_hash.h"
#include "cuda/gemm_kernels.h"
#include "cuda/gemm_plan.h"
#include "cuda/rnn_plan.h"
#include "ops/ops_ref.h"
#include "ref/ref_rnn.h"
#include "test_util.h"

using namespace jrnn::test;
namespace jc = jrnn::cuda;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// ---------------------------------------------------------------- 1. layouts

struct Region {
  const void* p;
  size_t bytes;
};

void check_regions(const std::string& what, const void* base, size_t total,
                   std::vector<Region> regions) {
  const char* b = static_cast<const char*>(base);
  for (const Region& r : regions) {
    if (!r.p) continue;
    const size_t off = static_cast<const char*>(r.p) - b;
    EXPECT(off % jc::kDeviceAlign == 0, "%s: region at offset %zu is not 256-byte aligned",
           what.c_str(), off);
    EXPECT(off + r.bytes <= total, "%s: region [%zu, %zu) exceeds the size %zu", what.c_str(), off,
           off + r.bytes, total);
  }
  std::sort(regions.begin(), regions.end(),
            [](const Region& x, const Region& y) { return x.p < y.p; });
  for (size_t i = 1; i < regions.size(); ++i) {
    if (!regions[i - 1].p || !regions[i].p || regions[i - 1].p == regions[i].p) continue;
    const char* end = static_cast<const char*>(regions[i - 1].p) + regions[i - 1].bytes;
    EXPECT(end <= static_cast<const char*>(regions[i].p), "%s: regions overlap", what.c_str());
  }
}

void test_layouts() {
  std::vector<char> arena(1 << 22);
  for (int cell : {JRNN_RNN_TANH, JRNN_LSTM, JRNN_GRU})
    for (int L : {1, 3})
      for (bool bidi : {false, true})
        for (auto [T, N] : {std::pair<int64_t, int64_t>{1, 1}, {7, 3}, {5, 13}}) {
          Case c{cell, T, N, 5, 6, L, bidi, true, {}};
          Desc desc(c);
          const jrnn_rnn_desc& d = *desc.d;
          const int64_t H = d.hidden_size, GH = d.gates * H, TN = T * N, F = sizeof(float);
          const std::string name = c.describe();
          void* base = arena.data() + 256;  // a 256-aligned offset is what matters, not the address
          {
            const jc::ReserveLayout r = jc::reserve_layout(d, T, N, base);
            EXPECT(r.bytes == jc::reserve_bytes(d, T, N), "%s: reserve size differs", name.c_str());
            EXPECT(r.bytes + 256 <= arena.size(), "arena too small");
            std::vector<Region> regions;
            for (const auto& p : r.per_ld) {
              regions.push_back({p.gates, size_t(TN * GH * F)});
              regions.push_back({p.states, size_t(TN * H * F)});
              regions.push_back({p.cells, size_t(TN * H * F)});
              regions.push_back({p.ghn, size_t(TN * H * F)});
              EXPECT(p.states && (cell == JRNN_RNN_TANH) == !p.gates &&
                         (cell == JRNN_LSTM) == !!p.cells && (cell == JRNN_GRU) == !!p.ghn,
                     "%s: reserve arrays present for the wrong cells", name.c_str());
            }
            for (float* o : r.outputs)
              regions.push_back({o, size_t(TN * d.num_directions * H * F)});
            EXPECT(int(r.outputs.size()) == L - 1, "%s: %zu layer outputs kept", name.c_str(),
                   r.outputs.size());
            check_regions(name + " reserve", base, r.bytes, regions);
          }
          for (bool training : {false, true}) {
            const jc::ForwardScratch s = jc::forward_scratch(d, T, N, training, base);
            EXPECT(s.bytes == jc::scratch_bytes(d, T, N, training ? 1 : 0), "%s: size",
                   name.c_str());
            std::vector<Region> regions = {{s.lengths, size_t(N * 4)},
                                           {s.gi, size_t(TN * GH * F)},
                                           {s.gh, size_t(N * GH * F)},
                                           {s.zeros, size_t(N * H * F)}};
            for (int i = 0; i < 2; ++i) {
              regions.push_back({s.h[i], size_t(N * H * F)});
              regions.push_back({s.c[i], size_t(N * H * F)});
              regions.push_back({s.out[i], size_t(TN * d.num_directions * H * F)});
            }
            EXPECT(training == !s.h[0] && (!training && cell == JRNN_LSTM) == !!s.c[1] &&
                       (!training && L > 1) == !!s.out[0] && (!training && L > 2) == !!s.out[1],
                   "%s: forward scratch arrays present in the wrong cases", name.c_str());
            check_regions(name + (training ? " training scratch" : " inference scratch"), base,
                          s.bytes, regions);
          }
          {
            const jc::BackwardScratch s = jc::backward_scratch(d, T, N, base);
            EXPECT(s.bytes == jc::scratch_bytes(d, T, N, JRNN_PASS_BACKWARD), "%s: size",
                   name.c_str());
            std::vector<Region> regions = {
                {s.lengths, size_t(N * 4)},   {s.dgi, size_t(TN * GH * F)},
                {s.dh, size_t(N * H * F)},    {s.dc, size_t(N * H * F)},
                {s.zeros, size_t(N * H * F)}, {s.x_masked, size_t(TN * d.input_size * F)}};
            if (s.dgh != s.dgi) regions.push_back({s.dgh, size_t(TN * GH * F)});
            EXPECT((cell == JRNN_GRU) == (s.dgh != s.dgi), "%s: dgh aliasing", name.c_str());
            for (float* p : s.d_out) regions.push_back({p, size_t(TN * d.num_directions * H * F)});
            check_regions(name + " backward scratch", base, s.bytes, regions);
          }
          {
            const jc::StepScratch s = jc::step_scratch(d, N, base);
            EXPECT(s.bytes == jc::scratch_bytes(d, T, N, JRNN_PASS_STEP), "%s: size", name.c_str());
            check_regions(name + " step scratch", base, s.bytes,
                          {{s.gi, size_t(N * GH * F)},
                           {s.gh, size_t(N * GH * F)},
                           {s.zeros, size_t(N * H * F)}});
          }
        }
}

// ---------------------------------------------------------------- 2. plans

void test_plans() {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 3000; ++trial) {
    const int64_t M = 1 + rng() % 5000, N = 1 + rng() % 5000;
    const int64_t K = trial % 10 == 0 ? 0 : 1 + rng() % 20000;
    const bool ta = rng() % 2, tb = rng() % 2, tf32 = rng() % 2;
    const int sms = int(1 + rng() % 200);
    const jc::GemmPlan p = jc::plan_gemm(sms, tf32, ta, tb, M, N, K);
    const int64_t k1 = std::max<int64_t>(K, 1);
    const bool ok = p.splits >= 1 && p.splits <= 16 && int64_t(p.splits) * p.k_chunk >= k1 &&
                    int64_t(p.splits - 1) * p.k_chunk < k1 &&
                    (p.k_chunk % 16 == 0 || p.k_chunk == k1) &&
                    jc::plan_workspace_bytes(p, M, N) <= size_t(jc::kMaxPartialBytes) &&
                    p.blocks >= 1 && p.blocks < (int64_t(1) << 31) &&
                    (p.kernel == jc::GemmKernel::kSkinny) == (M <= 8 && !ta && tb) &&
                    (p.kernel != jc::GemmKernel::kSkinny || p.splits == 1);
    EXPECT(ok, "plan M=%lld N=%lld K=%lld ta=%d tb=%d tf32=%d sms=%d: kernel %d splits %d chunk %d",
           (long long)M, (long long)N, (long long)K, ta, tb, tf32, sms, int(p.kernel), p.splits,
           p.k_chunk);
    if (!ok) break;
  }
  // The shapes that matter: LSTM H=1024, N=64 on 132 SMs.
  const jc::GemmPlan rec = jc::plan_gemm(132, false, false, true, 64, 4096, 1024);
  EXPECT(rec.kernel == jc::GemmKernel::kTiled64x32 && rec.blocks == 128 && rec.splits == 2,
         "recurrent product plan: kernel %d, %lld blocks, %d splits", int(rec.kernel),
         (long long)rec.blocks, rec.splits);
  const jc::GemmPlan proj = jc::plan_gemm(132, false, false, true, 6400, 4096, 1024);
  EXPECT(proj.kernel == jc::GemmKernel::kTiled128 && proj.splits == 1, "projection plan");
}

// ---------------------------------------------------------------- 3. GEMM emulation

float tf32_round(float v) {
  return jc::round_to_tf32(v);
}

// Emulation of the CUDA drivers in gemm.cu: the same phases between the same barriers, every
// thread (or warp) of an interval run to completion before the next, in `reverse` order or not.
template <class P>
void emulate_simt_block(const jc::GemmArgs& g, unsigned x, unsigned z, bool reverse) {
  auto sh = std::make_unique<typename P::Shared>();
  std::fill_n(reinterpret_cast<float*>(sh.get()), sizeof(typename P::Shared) / 4, kNaN);
  std::vector<typename P::Regs> r(P::kThreads);
  const jc::TileCoords tc = jc::tile_coords(g, P::kBM, P::kBN, x, z);
  auto each = [&](auto&& f) {
    for (int i = 0; i < P::kThreads; ++i) f(reverse ? P::kThreads - 1 - i : i);
  };
  each([&](int tid) { P::init(r[tid]); });
  int buf = 0;
  if (tc.k_begin < tc.k_end)
    each([&](int tid) {
      P::fetch(g, tc, tid, tc.k_begin, r[tid]);
      P::stash(*sh, tid, 0, r[tid]);
    });
  for (int k0 = tc.k_begin; k0 < tc.k_end; k0 += P::kBK) {  // each pass: one barrier interval
    const bool has_next = k0 + P::kBK < tc.k_end;
    each([&](int tid) {
      if (has_next) P::fetch(g, tc, tid, k0 + P::kBK, r[tid]);
      P::compute(*sh, tid, buf, r[tid]);
      if (has_next) P::stash(*sh, tid, buf ^ 1, r[tid]);
    });
    buf ^= 1;
  }
  each([&](int tid) { P::store(g, tc, int(z), tid, r[tid]); });
}

// acc[16][16] += A (16x8, row-major, lda) · B (8x16, row-major, ldb): what the WMMA calls do.
void emulated_mma(float (&acc)[16][16], const float* a, int lda, const float* b, int ldb) {
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      float s = acc[i][j];
      for (int k = 0; k < 8; ++k) s += a[i * lda + k] * b[k * ldb + j];
      acc[i][j] = s;
    }
}

template <class P>
void emulate_tf32_block(const jc::GemmArgs& g, unsigned x, unsigned z, bool reverse) {
  auto sh = std::make_unique<typename P::Shared>();
  std::fill_n(reinterpret_cast<float*>(sh.get()), sizeof(typename P::Shared) / 4, kNaN);
  std::vector<typename P::Regs> r(P::kThreads);
  constexpr int kWarps = P::kThreads / 32;
  struct WarpAcc {
    float f[2][2][16][16];
  };
  std::vector<WarpAcc> acc(kWarps);
  for (WarpAcc& w : acc) std::fill_n(&w.f[0][0][0][0], 2 * 2 * 16 * 16, 0.0f);
  const jc::TileCoords tc = jc::tile_coords(g, P::kBM, P::kBN, x, z);
  auto each_warp = [&](auto&& f) {
    for (int i = 0; i < kWarps; ++i) f(reverse ? kWarps - 1 - i : i);
  };
  int buf = 0;
  if (tc.k_begin < tc.k_end)
    for (int tid = 0; tid < P::kThreads; ++tid) {
      P::fetch(g, tc, tid, tc.k_begin, r[tid]);
      P::stash(*sh, tid, 0, r[tid]);
    }
  for (int k0 = tc.k_begin; k0 < tc.k_end; k0 += P::kBK) {
    const bool has_next = k0 + P::kBK < tc.k_end;
    each_warp([&](int warp) {
      for (int lane = 0; lane < 32; ++lane)
        if (has_next) P::fetch(g, tc, warp * 32 + lane, k0 + P::kBK, r[warp * 32 + lane]);
      for (int kk = 0; kk < P::kBK; kk += 8)
        for (int i = 0; i < 2; ++i)
          for (int j = 0; j < 2; ++j)
            emulated_mma(acc[warp].f[i][j], P::a_frag(*sh, buf, warp, i, kk), P::LDA,
                         P::b_frag(*sh, buf, warp, j, kk), P::LDB);
      for (int lane = 0; lane < 32; ++lane)
        if (has_next) P::stash(*sh, warp * 32 + lane, buf ^ 1, r[warp * 32 + lane]);
    });
    buf ^= 1;
  }
  each_warp([&](int warp) {
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        float* c = P::c_frag(*sh, warp, i, j);
        for (int a = 0; a < 16; ++a)
          for (int b = 0; b < 16; ++b) c[a * P::LDC + b] = acc[warp].f[i][j][a][b];
      }
  });
  for (int tid = 0; tid < P::kThreads; ++tid) P::epilogue(g, tc, int(z), tid, *sh);
}

template <bool TA, bool TB>
void emulate_tiles(const jc::GemmPlan& p, const jc::GemmArgs& g, bool reverse) {
  for (unsigned z = 0; z < unsigned(p.splits); ++z)
    for (unsigned x = 0; x < unsigned(p.blocks); ++x) switch (p.kernel) {
        case jc::GemmKernel::kTiled128:
          emulate_simt_block<jc::SimtTile<TA, TB, 128, 128, 8, 8, 8>>(g, x, z, reverse);
          break;
        case jc::GemmKernel::kTiled64:
          emulate_simt_block<jc::SimtTile<TA, TB, 64, 64, 8, 4, 4>>(g, x, z, reverse);
          break;
        case jc::GemmKernel::kTiled64x32:
          emulate_simt_block<jc::SimtTile<TA, TB, 64, 32, 16, 4, 2>>(g, x, z, reverse);
          break;
        case jc::GemmKernel::kTf32:
          emulate_tf32_block<jc::Tf32Tile<TA, TB>>(g, x, z, reverse);
          break;
        case jc::GemmKernel::kSkinny:
          break;
      }
}

// Runs plan p for the product described by the arguments, as gemm.cu launches it. With
// `keep_partials` (gemm_parts), split-K partials go there and are not reduced.
void emulate_gemm(const jc::GemmPlan& p, bool ta, bool tb, int64_t M, int64_t N, int64_t K,
                  float alpha, const float* A, int64_t lda, const float* B, int64_t ldb, float beta,
                  float* C, int64_t ldc, const float* bias, bool reverse,
                  std::vector<float>* keep_partials = nullptr) {
  if (M == 0 || N == 0) return;
  jc::GemmArgs g{};
  g.M = int(M), g.N = int(N), g.K = int(K);
  g.lda = lda, g.ldb = ldb, g.ldc = ldc;
  g.alpha = alpha, g.beta = beta;
  g.A = A, g.B = B, g.C = C, g.bias = bias;
  g.k_chunk = p.k_chunk;
  std::vector<float> partial;
  std::vector<float>& parts = keep_partials ? *keep_partials : partial;
  if (p.splits > 1) {
    parts.assign(size_t(p.splits) * M * N, kNaN);  // every partial must be written
    g.partial = parts.data();
  }
  if (p.kernel == jc::GemmKernel::kSkinny) {
    for (int64_t col = 0; col < N; ++col) {
      float lanes[32][8];
      for (int lane = 0; lane < 32; ++lane) jc::skinny_lane_sums<8>(g, col, lane, lanes[lane]);
      for (int r = 0; r < 8 && r < M; ++r) {
        float v[32];
        for (int lane = 0; lane < 32; ++lane) v[lane] = lanes[lane][r];
        for (int offset = 16; offset > 0; offset /= 2)  // the shuffle tree, lane 0's view
          for (int lane = 0; lane < offset; ++lane) v[lane] += v[lane + offset];
        jc::store_c(g, 0, r, int(col), v[0]);
      }
    }
    return;
  }
  if (ta) {
    if (tb)
      emulate_tiles<true, true>(p, g, reverse);
    else
      emulate_tiles<true, false>(p, g, reverse);
  } else {
    if (tb)
      emulate_tiles<false, true>(p, g, reverse);
    else
      emulate_tiles<false, false>(p, g, reverse);
  }
  if (p.splits > 1 && !keep_partials)
    for (int64_t idx = 0; idx < M * N; ++idx) jc::splitk_element(g, p.splits, idx);
}

// A plan for a given kernel and split count (the planner picks; tests force every combination).
jc::GemmPlan forced_plan(jc::GemmKernel kernel, int want_splits, int64_t M, int64_t N, int64_t K) {
  jc::GemmPlan p{};
  p.kernel = kernel;
  const int bm[] = {128, 64, 64, 64, 0}, bn[] = {128, 64, 32, 64, 0};
  p.bm = bm[int(kernel)], p.bn = bn[int(kernel)];
  p.blocks = kernel == jc::GemmKernel::kSkinny ? jc::ceil_div64(N, jc::kSkinnyWarps)
                                               : jc::ceil_div64(M, p.bm) * jc::ceil_div64(N, p.bn);
  const int64_t k1 = std::max<int64_t>(K, 1);
  const int64_t chunk = jc::ceil_div64(jc::ceil_div64(k1, want_splits), 16) * 16;
  p.k_chunk = int(std::min<int64_t>(chunk, k1));
  p.splits = int(jc::ceil_div64(k1, p.k_chunk));
  return p;
}

std::vector<double> ref_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha,
                             const std::vector<float>& A, int64_t lda, const std::vector<float>& B,
                             int64_t ldb, double beta, const std::vector<float>& C0, int64_t ldc,
                             const float* bias) {
  std::vector<double> out(size_t(M) * N);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k)
        s += double(ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
      double v = alpha * s;
      if (beta != 0) v += beta * C0[i * ldc + j];
      if (bias) v += bias[j];
      out[i * N + j] = v;
    }
  return out;
}

void test_gemm_kernels() {
  std::mt19937 rng(11);
  struct Shape {
    int64_t M, N, K;
  };
  const Shape shapes[] = {{1, 1, 1},     {3, 5, 0},    {7, 33, 17}, {65, 31, 40},
                          {129, 130, 9}, {2, 70, 600}, {8, 9, 100}, {70, 140, 300}};
  int count = 0;
  for (const Shape& s : shapes)
    for (int kernel = 0; kernel < 5; ++kernel)
      for (int combo = 0; combo < 4; ++combo) {
        const bool ta = combo & 1, tb = combo & 2;
        const auto kind = jc::GemmKernel(kernel);
        if (kind == jc::GemmKernel::kSkinny && (ta || !tb || s.M > 8)) continue;
        for (int splits : {1, 3}) {
          if (kind == jc::GemmKernel::kSkinny && splits > 1) continue;
          const int64_t lda = (ta ? s.M : s.K) + 3, ldb = (tb ? s.K : s.N) + 2, ldc = s.N + 1;
          const std::vector<float> A =
              to_float(random_values(rng, (ta ? s.K : s.M) * lda + 1, 1.0));
          const std::vector<float> B =
              to_float(random_values(rng, (tb ? s.N : s.K) * ldb + 1, 1.0));
          const std::vector<float> bias = to_float(random_values(rng, s.N, 1.0));
          const bool tf32 = kind == jc::GemmKernel::kTf32;
          for (int variant = 0; variant < 2; ++variant) {
            const float alpha = variant ? 0.75f : 1.0f, beta = variant ? -0.5f : 0.0f;
            std::vector<float> C = to_float(random_values(rng, s.M * ldc, 1.0));
            if (beta == 0.0f) std::fill(C.begin(), C.end(), kNaN);  // must not be read
            const std::vector<float> C0 = C;
            const float* b = variant ? bias.data() : nullptr;
            // TF32 reference: the inputs rounded as the kernel rounds them.
            std::vector<float> Ar = A, Br = B;
            if (tf32) {
              for (float& v : Ar) v = tf32_round(v);
              for (float& v : Br) v = tf32_round(v);
            }
            const std::vector<double> want =
                ref_gemm(ta, tb, s.M, s.N, s.K, alpha, Ar, lda, Br, ldb, beta, C0, ldc, b);
            const jc::GemmPlan p = forced_plan(kind, splits, s.M, s.N, s.K);
            emulate_gemm(p, ta, tb, s.M, s.N, s.K, alpha, A.data(), lda, B.data(), ldb, beta,
                         C.data(), ldc, b, (count++) % 2 == 1);
            std::vector<float> got(size_t(s.M) * s.N);
            bool padding_intact = true;
            for (int64_t i = 0; i < s.M; ++i) {
              for (int64_t j = 0; j < s.N; ++j) got[i * s.N + j] = C[i * ldc + j];
              const float pad = C[i * ldc + s.N], pad0 = C0[i * ldc + s.N];
              padding_intact &= std::memcmp(&pad, &pad0, 4) == 0;
            }
            char name[160];
            std::snprintf(name, sizeof name, "gemm kernel %d %s%s M=%lld N=%lld K=%lld splits %d%s",
                          kernel, ta ? "T" : "N", tb ? "T" : "N", (long long)s.M, (long long)s.N,
                          (long long)s.K, p.splits, variant ? " alpha/beta/bias" : "");
            expect_close(name, got, want, 1e-5, 1e-5);
            EXPECT(padding_intact, "%s: wrote outside the MxN block of C", name);
          }
        }
      }
}

void test_column_sums() {
  std::mt19937 rng(3);
  for (auto [rows, cols, sms] : {std::tuple<int64_t, int64_t, int>{1, 1, 132},
                                 {700, 45, 132},
                                 {5000, 3, 132},
                                 {300, 200, 1}}) {
    const std::vector<float> m = to_float(random_values(rng, rows * cols, 1.0));
    std::vector<float> sums = to_float(random_values(rng, cols, 1.0));
    std::vector<double> want(sums.begin(), sums.end());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) want[c] += m[r * cols + c];
    const int chunks = jc::column_chunks(sms, rows, cols);
    const int64_t per = jc::ceil_div64(rows, chunks);
    std::vector<float> partial(size_t(chunks) * cols, kNaN);
    for (int chunk = 0; chunk < chunks; ++chunk)
      for (int64_t col = 0; col < cols; ++col) {
        float total = 0.0f;
        for (int y = 0; y < 8; ++y)
          total += jc::column_lane_sum(rows, cols, per, m.data(), col, chunk, y);
        if (chunks > 1)
          partial[chunk * cols + col] = total;
        else
          sums[col] += total;
      }
    if (chunks > 1)
      for (int64_t col = 0; col < cols; ++col) {
        float total = 0.0f;
        for (int z = 0; z < chunks; ++z) total += partial[z * cols + col];
        sums[col] += total;
      }
    expect_close("column sums rows=" + std::to_string(rows) + " chunks=" + std::to_string(chunks),
                 sums, want, 1e-4, 1e-5);
  }
}

// ---------------------------------------------------------------- 4. recurrent plans

int g_small_steps = 0, g_unreduced = 0;  // how often the plans took these paths

class HostExec {
 public:
  HostExec(int sm_count, bool tf32) : sms_(sm_count), tf32_(tf32) {}
  void prepare_forward(const jrnn_rnn_desc&, int64_t, int64_t, bool) {}
  void prepare_backward(const jrnn_rnn_desc&, int64_t, int64_t) {}
  void prepare_step(const jrnn_rnn_desc&, int64_t) {}
  const int32_t* lengths(int32_t* dst, const int32_t* host, int64_t N) {
    std::memcpy(dst, host, N * sizeof(int32_t));
    return dst;
  }
  void zero(void* dst, size_t bytes) { std::memset(dst, 0, bytes); }
  void copy(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
  void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
            int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    const jc::GemmPlan p = jc::plan_gemm(sms_, tf32_, ta, tb, M, N, K);
    emulate_gemm(p, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, nullptr, (calls_++) % 2);
  }
  jc::GemmParts gemm_parts(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A,
                           int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc) {
    const jc::GemmPlan p = jc::plan_gemm(sms_, tf32_, ta, tb, M, N, K);
    emulate_gemm(p, ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc, nullptr, (calls_++) % 2,
                 &parts_);
    if (p.splits > 1) {
      ++g_unreduced;
      return jc::GemmParts{parts_.data(), p.splits, M * N};
    }
    return jc::GemmParts{C, 1, 0};
  }
  void small_step(int cell, const jc::SmallStep& a) {
    ++g_small_steps;
    switch (cell) {
      case JRNN_RNN_TANH:
        small<JRNN_RNN_TANH>(a);
        break;
      case JRNN_RNN_RELU:
        small<JRNN_RNN_RELU>(a);
        break;
      case JRNN_LSTM:
        small<JRNN_LSTM>(a);
        break;
      default:
        small<JRNN_GRU>(a);
        break;
    }
  }
  void forward_cell(int cell, const jc::FwdStep& s) {
    switch (cell) {
      case JRNN_RNN_TANH:
        run(s, jc::forward_element<JRNN_RNN_TANH>);
        break;
      case JRNN_RNN_RELU:
        run(s, jc::forward_element<JRNN_RNN_RELU>);
        break;
      case JRNN_LSTM:
        run(s, jc::forward_element<JRNN_LSTM>);
        break;
      default:
        run(s, jc::forward_element<JRNN_GRU>);
        break;
    }
  }
  void backward_cell(int cell, const jc::BwdStep& s) {
    switch (cell) {
      case JRNN_RNN_TANH:
        run(s, jc::backward_element<JRNN_RNN_TANH>);
        break;
      case JRNN_RNN_RELU:
        run(s, jc::backward_element<JRNN_RNN_RELU>);
        break;
      case JRNN_LSTM:
        run(s, jc::backward_element<JRNN_LSTM>);
        break;
      default:
        run(s, jc::backward_element<JRNN_GRU>);
        break;
    }
  }
  void mask_rows(int64_t T, int64_t N, int64_t C, const int32_t* lengths, const float* x,
                 float* out) {
    for (int64_t idx = 0; idx < T * N * C; ++idx) jc::mask_element(N, C, lengths, x, out, idx);
  }
  void column_sums(int64_t rows, int64_t cols, const float* m, float* sums) {
    const int chunks = jc::column_chunks(sms_, rows, cols);
    const int64_t per = jc::ceil_div64(rows, chunks);
    for (int64_t col = 0; col < cols; ++col) {
      float total = 0.0f;
      for (int chunk = 0; chunk < chunks; ++chunk) {
        float part = 0.0f;
        for (int y = 0; y < 8; ++y) part += jc::column_lane_sum(rows, cols, per, m, col, chunk, y);
        total += part;
      }
      sums[col] += total;
    }
  }

 private:
  // small_step.h as small_step_kernel runs it: MR picked as on the device; per unit j the 32
  // lanes' partial sums, the warp reduction (lane 0's view of the butterfly: every lane ends with
  // the same bits), then lanes n < N finish; units in alternating orders.
  template <int CELL>
  void small(const jc::SmallStep& a) {
    if (a.s.N <= 1)
      small_mr<CELL, 1>(a);
    else if (a.s.N <= 2)
      small_mr<CELL, 2>(a);
    else if (a.s.N <= 4)
      small_mr<CELL, 4>(a);
    else
      small_mr<CELL, jc::kSmallBatch>(a);
  }
  template <int CELL, int MR>
  void small_mr(const jc::SmallStep& a) {
    constexpr int G = jc::gates_of(CELL);
    const bool reverse = (calls_++) % 2;
    // The kernel reads all of h_prev while other warps write h_out: they must not overlap.
    const float* hp = a.s.h_prev;
    const float* ho = a.s.h_out;
    EXPECT(!(hp < ho + a.s.N * a.s.H && ho < hp + a.s.N * a.s.H),
           "small_step called with h_prev overlapping h_out (a race on the GPU)");
    std::vector<jc::SmallStepSums<CELL, MR>> lanes(32);
    for (int64_t u = 0; u < a.s.H; ++u) {
      const int64_t j = reverse ? a.s.H - 1 - u : u;
      for (int lane = 0; lane < 32; ++lane) jc::small_step_lane<CELL, MR>(a, j, lane, lanes[lane]);
      for (int offset = 16; offset > 0; offset /= 2)
        for (int lane = 0; lane < offset; ++lane)
          for (int k = 0; k < G; ++k)
            for (int r = 0; r < MR; ++r) {
              lanes[lane].gh[k][r] += lanes[lane + offset].gh[k][r];
              lanes[lane].gi[k][r] += lanes[lane + offset].gi[k][r];
            }
      for (int64_t n = 0; n < a.s.N; ++n) jc::small_step_finish<CELL, MR>(a, j, n, lanes[0]);
    }
  }
  // All elements of a step, in alternating orders (any order must give the same result).
  template <typename Step, typename F>
  void run(const Step& s, F&& element) {
    const int64_t count = s.N * s.H;
    const bool reverse = (calls_++) % 2;
    for (int64_t i = 0; i < count; ++i) element(s, reverse ? count - 1 - i : i);
  }
  int sms_;
  bool tf32_;
  int calls_ = 0;
  std::vector<float> parts_;  // the last gemm_parts' partials (consumed before the next product)
};

// Host buffer of `bytes` poisoned with NaN (0xFF bytes), plus a canary tail.
class Poisoned {
 public:
  explicit Poisoned(size_t bytes) : bytes_(bytes), data_(bytes + 256 + 256, 0xFF) {
    std::fill(data_.begin() + 256 + bytes, data_.end(), 0xA5);
  }
  void* get() { return bytes_ ? data_.data() + 256 : nullptr; }  // 256-aligned offset in tests
  bool tail_intact() const {
    return std::all_of(data_.begin() + 256 + bytes_, data_.end(),
                       [](unsigned char b) { return b == 0xA5; });
  }

 private:
  size_t bytes_;
  std::vector<unsigned char> data_;
};

void poison_past_lengths(std::vector<float>& v, const Case& c, int64_t F) {
  for (int64_t t = 0; t < c.T; ++t)
    for (int64_t n = 0; n < c.N; ++n)
      if (t >= c.length(n))
        for (int64_t k = 0; k < F; ++k) v[(t * c.N + n) * F + k] = kNaN;
}

void compare_plans_with_reference(const Case& c, uint32_t seed, int sms, bool tf32) {
  std::mt19937 rng(seed);
  Desc desc(c);
  const jrnn_rnn_desc& d = *desc.d;
  const bool lstm = c.cell == JRNN_LSTM;
  const int64_t states = int64_t(c.L) * c.D() * c.N * c.H, y_count = c.T * c.N * c.D() * c.H;
  const bool use_h0 = seed % 3 != 0, use_c0 = seed % 4 != 1 && lstm;
  const bool use_dhy = seed % 5 != 2, use_dcy = seed % 2 == 0 && lstm;
  const double atol = tf32 ? 3e-2 : 1e-4, rtol = tf32 ? 3e-2 : 1e-3;
  const std::string name = c.describe() + (tf32 ? " [tf32]" : "") + " sms=" + std::to_string(sms);
  HostExec ex(sms, tf32);

  std::vector<float> x = to_float(random_values(rng, c.T * c.N * c.C, 1.0));
  std::vector<float> h0 = to_float(random_values(rng, states, 0.8));
  std::vector<float> c0 = to_float(random_values(rng, states, 0.8));
  // Weights ~ U(±0.5) as in rnn_harness for small H; ~ U(±1/√H) (PyTorch's init) for larger H,
  // where ±0.5 makes a tanh RNN chaotic and its gradients ill-conditioned even on the CPU path.
  const double w_scale = c.H <= 17 ? 0.5 : 1.0 / std::sqrt(double(c.H));
  std::vector<float> w = to_float(random_values(rng, d.weights_count, w_scale));
  std::vector<float> dy = to_float(random_values(rng, y_count, 1.0));
  std::vector<float> dhy = to_float(random_values(rng, states, 1.0));
  std::vector<float> dcy = to_float(random_values(rng, states, 1.0));
  std::vector<float> dw = to_float(random_values(rng, d.weights_count, 1.0));
  poison_past_lengths(x, c, c.C);
  poison_past_lengths(dy, c, c.D() * c.H);

  std::vector<double> want_y(y_count), want_hy(states), want_cy(states), want_dx(x.size()),
      want_dh0(states), want_dc0(states), want_dw = to_double(dw);
  const std::vector<double> xd = to_double(x), h0d = to_double(h0), c0d = to_double(c0),
                            wd = to_double(w), dyd = to_double(dy), dhyd = to_double(dhy),
                            dcyd = to_double(dcy);
  jrnn::ref::rnn_forward<double>(d, c.T, c.N, c.lengths_or_null(), xd.data(),
                                 use_h0 ? h0d.data() : nullptr, use_c0 ? c0d.data() : nullptr,
                                 wd.data(), want_y.data(), want_hy.data(),
                                 lstm ? want_cy.data() : nullptr);
  jrnn::ref::rnn_backward<double>(d, c.T, c.N, c.lengths_or_null(), xd.data(),
                                  use_h0 ? h0d.data() : nullptr, use_c0 ? c0d.data() : nullptr,
                                  wd.data(), dyd.data(), use_dhy ? dhyd.data() : nullptr,
                                  use_dcy ? dcyd.data() : nullptr, want_dx.data(), want_dh0.data(),
                                  lstm ? want_dc0.data() : nullptr, want_dw.data());

  std::vector<float> y(y_count, kNaN), hy(states, kNaN), cy(states, kNaN);
  // inference
  {
    Poisoned scratch(jc::scratch_bytes(d, c.T, c.N, JRNN_PASS_INFERENCE));
    const jrnn::ForwardArgs a{&d,
                              c.T,
                              c.N,
                              c.lengths_or_null(),
                              x.data(),
                              use_h0 ? h0.data() : nullptr,
                              use_c0 ? c0.data() : nullptr,
                              w.data(),
                              y.data(),
                              hy.data(),
                              lstm ? cy.data() : nullptr,
                              nullptr,
                              scratch.get()};
    jc::forward_plan(ex, a);
    expect_close(name + " inference y", y, want_y, atol, rtol);
    expect_close(name + " inference hy", hy, want_hy, atol, rtol);
    if (lstm) expect_close(name + " inference cy", cy, want_cy, atol, rtol);
    EXPECT(scratch.tail_intact(), "%s: inference wrote past its scratch", name.c_str());
  }
  // training forward + backward
  Poisoned reserve(jc::reserve_bytes(d, c.T, c.N));
  {
    std::fill(y.begin(), y.end(), kNaN), std::fill(hy.begin(), hy.end(), kNaN);
    std::fill(cy.begin(), cy.end(), kNaN);
    Poisoned scratch(jc::scratch_bytes(d, c.T, c.N, JRNN_PASS_TRAINING_FORWARD));
    const jrnn::ForwardArgs a{&d,
                              c.T,
                              c.N,
                              c.lengths_or_null(),
                              x.data(),
                              use_h0 ? h0.data() : nullptr,
                              use_c0 ? c0.data() : nullptr,
                              w.data(),
                              y.data(),
                              hy.data(),
                              lstm ? cy.data() : nullptr,
                              reserve.get(),
                              scratch.get()};
    jc::forward_plan(ex, a);
    expect_close(name + " training y", y, want_y, atol, rtol);
    expect_close(name + " training hy", hy, want_hy, atol, rtol);
    if (lstm) expect_close(name + " training cy", cy, want_cy, atol, rtol);
    EXPECT(scratch.tail_intact() && reserve.tail_intact(),
           "%s: training forward wrote past its "
           "buffers",
           name.c_str());
  }
  {
    std::vector<float> dx(x.size(), kNaN), dh0(states, kNaN), dc0(states, kNaN);
    Poisoned scratch(jc::scratch_bytes(d, c.T, c.N, JRNN_PASS_BACKWARD));
    const jrnn::BackwardArgs a{&d,
                               c.T,
                               c.N,
                               c.lengths_or_null(),
                               x.data(),
                               use_h0 ? h0.data() : nullptr,
                               use_c0 ? c0.data() : nullptr,
                               w.data(),
                               dy.data(),
                               use_dhy ? dhy.data() : nullptr,
                               use_dcy ? dcy.data() : nullptr,
                               dx.data(),
                               dh0.data(),
                               lstm ? dc0.data() : nullptr,
                               dw.data(),
                               reserve.get(),
                               scratch.get()};
    jc::backward_plan(ex, a);
    expect_close(name + " dx", dx, want_dx, atol, rtol);
    expect_close(name + " dh0", dh0, want_dh0, atol, rtol);
    if (lstm) expect_close(name + " dc0", dc0, want_dc0, atol, rtol);
    expect_close(name + " dw (accumulated)", dw, want_dw, atol, rtol);
    bool zero_past = true;
    for (int64_t t = 0; t < c.T; ++t)
      for (int64_t n = 0; n < c.N; ++n)
        if (t >= c.length(n))
          for (int64_t k = 0; k < c.C; ++k) zero_past &= dx[(t * c.N + n) * c.C + k] == 0.0f;
    EXPECT(zero_past, "%s: dx not exactly zero past each length", name.c_str());
    EXPECT(scratch.tail_intact(), "%s: backward wrote past its scratch", name.c_str());
  }
  // steps (unidirectional): T steps in place vs the reference forward over the full lengths
  if (!c.bidirectional) {
    const int64_t NH = c.N * c.H, lstates = int64_t(c.L) * NH;
    std::vector<double> full_y(c.T * NH), full_hy(lstates), full_cy(lstates);
    jrnn::ref::rnn_forward<double>(d, c.T, c.N, nullptr, xd.data(), use_h0 ? h0d.data() : nullptr,
                                   use_c0 ? c0d.data() : nullptr, wd.data(), full_y.data(),
                                   full_hy.data(), lstm ? full_cy.data() : nullptr);
    // x past lengths holds NaN: a full-length run needs finite inputs there.
    bool finite = std::all_of(x.begin(), x.end(), [](float v) { return std::isfinite(v); });
    if (finite) {
      std::vector<float> h(h0.begin(), h0.end()), cs(c0.begin(), c0.end()), yt(NH, kNaN);
      if (!use_h0) std::fill(h.begin(), h.end(), 0.0f);
      if (!use_c0) std::fill(cs.begin(), cs.end(), 0.0f);
      Poisoned scratch(jc::scratch_bytes(d, 1, c.N, JRNN_PASS_STEP));
      for (int64_t t = 0; t < c.T; ++t) {
        const float* hx = t == 0 && !use_h0 ? nullptr : h.data();  // NULL: zeros
        const float* cx = !lstm || (t == 0 && !use_c0) ? nullptr : cs.data();
        const jrnn::StepArgs a{
            &d,        c.N,      x.data() + t * c.N * c.C,   hx,           cx, w.data(),
            yt.data(), h.data(), lstm ? cs.data() : nullptr, scratch.get()};
        jc::step_plan(ex, a);
        const std::vector<double> want_yt(full_y.begin() + t * NH, full_y.begin() + (t + 1) * NH);
        expect_close(name + " step y t=" + std::to_string(t), yt, want_yt, atol, rtol);
      }
      expect_close(name + " step final h", h, full_hy, atol, rtol);
      if (lstm) expect_close(name + " step final c", cs, full_cy, atol, rtol);
      EXPECT(scratch.tail_intact(), "%s: step wrote past its scratch", name.c_str());
    }
  }
}

void test_recurrent_plans() {
  std::mt19937 rng(99);
  struct Shape {
    int64_t T, N, C, H;
  };
  const Shape shapes[] = {{1, 1, 3, 4}, {5, 3, 4, 5}, {6, 1, 2, 8}, {7, 5, 6, 17}, {4, 4, 1, 3}};
  uint32_t seed = 1, k = 0;
  for (int cell : {JRNN_RNN_TANH, JRNN_RNN_RELU, JRNN_LSTM, JRNN_GRU})
    for (bool bidi : {false, true})
      for (int L : {1, 2, 3})
        for (bool bias : {true, false}) {
          const Shape& s = shapes[(k++) % 5];
          Case c{cell, s.T, s.N, s.C, s.H, L, bidi, bias, {}};
          if (seed % 2 == 0 || s.N == 1) c.lengths = ragged_lengths(rng, s.T, s.N);
          compare_plans_with_reference(c, seed, seed % 3 == 0 ? 1 : 132, false);
          ++seed;
        }
  // Larger: split-K in the recurrent and weight-gradient products, several tiles, TF32.
  for (int cell : {JRNN_RNN_TANH, JRNN_LSTM, JRNN_GRU}) {
    Case c{cell, 9, 12, 40, 72, 2, true, true, ragged_lengths(rng, 9, 12)};
    compare_plans_with_reference(c, seed++, 132, false);
    compare_plans_with_reference(c, seed++, 132, true);
  }
  Case wide{JRNN_LSTM, 3, 70, 20, 40, 1, false, true, {}};  // N > 64: 64x32 tiles over 2 rows
  compare_plans_with_reference(wide, seed++, 132, false);
  Case deep{JRNN_GRU, 4, 2, 600, 8, 1, false, true, {}};  // K = 600 input projection: split-K
  compare_plans_with_reference(deep, seed++, 132, false);
  // N > 8 with H >= 512: the recurrent product's split-K partials go unreduced to the cell kernel
  // (forward and, unidirectional and full-length, the single step).
  const int unreduced_before = g_unreduced;
  compare_plans_with_reference(Case{JRNN_LSTM, 3, 16, 8, 512, 1, false, true, {}}, seed++, 132,
                               false);
  compare_plans_with_reference(
      Case{JRNN_GRU, 2, 12, 8, 520, 1, true, true, {2, 1, 2, 2, 1, 2, 2, 2, 1, 2, 2, 1}}, seed++,
      132, false);
  EXPECT(g_unreduced > unreduced_before,
         "no recurrent product left its split-K partials unreduced");
  EXPECT(g_small_steps > 0, "the small-batch fused step never ran");
}

// ---------------------------------------------------------------- 5. dropout hash

void test_dropout_hash() {
  std::mt19937_64 rng(17);
  bool same = true;
  for (int i = 0; i < 200000 && same; ++i) {
    const uint64_t seed = i < 100 ? uint64_t(i) : rng(), index = i % 7 == 0 ? rng() : uint64_t(i);
    same = jc::dropout_draw(seed, index) == jrnn::ref::dropout_draw(seed, index);
  }
  EXPECT(same, "cuda::dropout_draw differs from ref::dropout_draw");
  for (float p : {0.0f, 1e-7f, 0.1f, 0.25f, 0.5f, 0.9f, 0.999999f}) {
    EXPECT(jc::dropout_threshold(p) == jrnn::ref::dropout_threshold(p), "threshold at p=%g", p);
    float x = 1.0f, y = 0.0f;
    // ref::dropout<float> keeps element 0 for some seed; its kept value is the keep scale.
    for (uint64_t seed = 0; seed < 1000; ++seed)
      if (jrnn::ref::dropout_draw(seed, 0) >= jrnn::ref::dropout_threshold(p)) {
        jrnn::ref::dropout<float>(1, p, seed, &x, &y);
        break;
      }
    EXPECT(p >= 0.99f || y == jc::dropout_keep_scale(p), "keep scale at p=%g: %.9g vs %.9g", p, y,
           jc::dropout_keep_scale(p));
  }
}

}  // namespace

int main() {
  test_layouts();
  test_plans();
  test_gemm_kernels();
  test_column_sums();
  test_recurrent_plans();
  test_dropout_hash();
  return finish("test_cuda_host");
}
