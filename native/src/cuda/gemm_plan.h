// gemm_plan.h — which GEMM kernel runs a product, with how many K splits (host code, shared by
// gemm.cu and test_cuda_host, which checks the plans' invariants and emulates them on the CPU).
//   - M <= 8, A not transposed, B transposed (the recurrent product and the single step at small
//     batch): the skinny warp-per-column kernel, fp32 even in TF32 mode (it is bandwidth-bound);
//   - TF32 mode: the 64x64 tensor-core tile;
//   - else the largest SIMT tile (128x128, 64x64, 64x32) whose grid still fills the GPU;
//   - a grid smaller than the GPU with K >= 512 splits K (at most 16 ways, chunks a multiple of
//     16, partials at most 64 MiB), summed afterwards in a fixed order.
#pragma once

#include <algorithm>
#include <cstdint>

namespace jrnn::cuda {

enum class GemmKernel { kTiled128, kTiled64, kTiled64x32, kTf32, kSkinny };

struct GemmPlan {
  GemmKernel kernel;
  int bm, bn;      // block tile (0 for skinny)
  int splits;      // K splits (1: none)
  int k_chunk;     // K per split
  int64_t blocks;  // grid x: tiles (skinny: blocks of 8 warps, one warp per column)
};

// The result of a product left unreduced (gemm_parts): the product itself (splits == 1), or
// `splits` partial products `stride` floats apart, to be summed in order by the consumer.
struct GemmParts {
  const float* data;
  int splits;
  int64_t stride;
};

constexpr int kSkinnyWarps = 8;
constexpr int64_t kMaxPartialBytes = int64_t(64) << 20;

inline int64_t ceil_div64(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

inline GemmPlan plan_gemm(int sm_count, bool tf32, bool ta, bool tb, int64_t M, int64_t N,
                          int64_t K) {
  GemmPlan p{};
  const int64_t sms = sm_count > 0 ? sm_count : 1;
  const int64_t k1 = std::max<int64_t>(K, 1);
  p.splits = 1;
  if (M <= 8 && !ta && tb) {
    p.kernel = GemmKernel::kSkinny;
    p.k_chunk = int(k1);
    p.blocks = ceil_div64(N, kSkinnyWarps);
    return p;
  }
  if (tf32) {
    p.kernel = GemmKernel::kTf32, p.bm = 64, p.bn = 64;
  } else if (ceil_div64(M, 128) * ceil_div64(N, 128) >= sms) {
    p.kernel = GemmKernel::kTiled128, p.bm = 128, p.bn = 128;
  } else if (ceil_div64(M, 64) * ceil_div64(N, 64) >= sms) {
    p.kernel = GemmKernel::kTiled64, p.bm = 64, p.bn = 64;
  } else {
    p.kernel = GemmKernel::kTiled64x32, p.bm = 64, p.bn = 32;
  }
  p.blocks = ceil_div64(M, p.bm) * ceil_div64(N, p.bn);
  int64_t splits = 1;
  if (p.blocks < sms && K >= 512) {
    splits = std::min<int64_t>({ceil_div64(sms, p.blocks), K / 256, 16});
    while (splits > 1 && splits * M * N * int64_t(sizeof(float)) > kMaxPartialBytes) --splits;
  }
  // Chunks are whole multiples of 16 (every tile's K step divides 16); no empty split.
  const int64_t chunk = ceil_div64(ceil_div64(k1, splits), 16) * 16;
  p.k_chunk = int(std::min<int64_t>(chunk, k1));
  p.splits = int(ceil_div64(k1, p.k_chunk));
  return p;
}

inline size_t plan_workspace_bytes(const GemmPlan& p, int64_t M, int64_t N) {
  return p.splits > 1 ? size_t(p.splits) * size_t(M) * size_t(N) * sizeof(float) : 0;
}

// Column sums: chunks of rows so that about two blocks per SM run (at most 64 chunks, each of at
// least 256 rows); partials [chunks][cols] when more than one chunk.
inline int column_chunks(int sm_count, int64_t rows, int64_t cols) {
  const int64_t col_blocks = ceil_div64(cols, 32);
  const int64_t want = ceil_div64(2 * int64_t(std::max(sm_count, 1)), col_blocks);
  return int(std::max<int64_t>(1, std::min<int64_t>({want, ceil_div64(rows, 256), 64})));
}

}  // namespace jrnn::cuda
