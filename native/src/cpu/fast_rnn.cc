// fast_rnn.cc — the drivers of the CPU fast path (our AVX2/AVX-512 kernels, kernels.h): one
// parallel region per call (threads.h), inside it per layer and direction the weight packing, the
// input GEMM for small batches, the time loop, and for backward the weight/input-gradient GEMMs.
// Compiled for any x86-64 (and built but never called on AArch64): all vector code is behind the
// kernel table of the ISA picked at run time.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "cpu/cpu_rnn.h"
#include "cpu/cpu_util.h"
#include "cpu/fast_rnn.h"
#include "cpu/kernels.h"
#include "cpu/layout.h"

namespace jrnn::cpu {

FwdGeometry fwd_geometry(int cell, int64_t C, int64_t H, int lanes) {
  FwdGeometry g{};
  g.C = C;
  g.H = H;
  g.lanes = lanes;
  g.nacc = 4;
  g.nbx = g.nbh = cell == JRNN_GRU ? 3 : 4;
  g.units = cell == JRNN_LSTM || cell == JRNN_GRU ? lanes : 4 * lanes;
  g.panels = (H + g.units - 1) / g.units;
  g.panel_floats = (C * g.nbx + H * g.nbh + g.nacc) * lanes;
  return g;
}

int64_t fwd_pack_floats(int cell, int64_t C, int64_t H) {
  int64_t most = 0;
  for (int lanes = 8; lanes <= kMaxLanes; lanes *= 2) {
    const FwdGeometry g = fwd_geometry(cell, C, H, lanes);
    most = std::max(most, g.panels * g.panel_floats);
  }
  return most;
}

int64_t fwd_gi_cols(int cell, int64_t H) {
  int64_t most = 0;
  for (int lanes = 8; lanes <= kMaxLanes; lanes *= 2) {
    const FwdGeometry g = fwd_geometry(cell, 1, H, lanes);
    most = std::max(most, g.panels * g.nbx * lanes);
  }
  return most;
}

int64_t bwd_pack_floats(int cell, int64_t H) {
  const int64_t U = 4 * kMaxLanes;
  return (H + U - 1) / U * U * gates_per_cell(cell) * H;
}

const Kernels* kernels_for(Isa isa) {
#if defined(__x86_64__)  // the kernel files are compiled into x86-64 builds only (cpu.cmake)
  switch (isa) {
    case Isa::kAvx512:
      return avx512::kernels();
    case Isa::kAvx2:
      return avx2::kernels();
    default:
      return nullptr;
  }
#else
  (void)isa;
  return nullptr;
#endif
}

namespace {

// Experiment knobs (bench/cpu/NOTES.md), read once: JRNN_CPU_FUSED_MIN_BATCH (input product
// inside the steps from this batch size on; default kFusedMinBatch), JRNN_CPU_SPLIT=batch|hidden
// (force how threads share the time loop). Results do not depend on them except through the
// bias-gradient order of the split (both within the reference tolerances).
int64_t fused_min_batch() {
  static const int64_t v = [] {
    const char* e = std::getenv("JRNN_CPU_FUSED_MIN_BATCH");
    return e && *e ? (int64_t)std::atoll(e) : kFusedMinBatch;
  }();
  return v;
}
bool batch_split(int64_t N, int64_t pack_floats) {
  static const int forced = [] {
    const char* e = std::getenv("JRNN_CPU_SPLIT");
    return !e ? 0 : !std::strcmp(e, "batch") ? 1 : !std::strcmp(e, "hidden") ? 2 : 0;
  }();
  if (forced) return forced == 1;
  return use_batch_split(N, pack_floats);
}

// Threads worth using: no more than the context asks, than there are panels to share, and one
// for small problems (a region's start costs a few microseconds).
int threads_for(const jrnn_context& ctx, const jrnn_rnn_desc& desc, int64_t T, int64_t N,
                int lanes) {
  const int64_t H = desc.hidden_size;
  const FwdGeometry g = fwd_geometry(desc.cell, desc.input_size, H, lanes);
  const double flops = 2.0 * T * N * desc.gates * H * double(desc.input_size + H);
  int nt = ctx.num_threads;
  if (flops < 2e6) nt = 1;
  return (int)std::max<int64_t>(1, std::min<int64_t>(nt, g.panels));
}

struct ForwardCall {
  const ForwardArgs* a;
  const Kernels* k;
  const ReserveLayout* reserve;
  const ForwardScratch* scratch;
};

void forward_region(void* arg, int tid, int nt, Barrier* barrier) {
  const ForwardCall& fc = *static_cast<const ForwardCall*>(arg);
  const ForwardArgs& a = *fc.a;
  const jrnn_rnn_desc& desc = *a.desc;
  const bool training = a.reserve != nullptr;
  const int L = desc.num_layers, D = desc.num_directions;
  const int64_t T = a.T, N = a.N, H = desc.hidden_size, NH = N * H;
  const ForwardScratch& sc = *fc.scratch;
  const float* in = a.x;
  for (int l = 0; l < L; ++l) {
    const int64_t Cl = desc.layer_input_size(l);
    float* out = l == L - 1 ? a.y : training ? fc.reserve->outputs[l] : sc.out[l % 2];
    for (int d = 0; d < D; ++d) {
      const int ld = l * D + d;
      FwdJob j{};
      j.cell = desc.cell;
      j.T = T, j.N = N, j.C = Cl, j.H = H;
      j.reverse = d;
      j.lengths = a.lengths;
      j.x = in;
      j.w_ih = desc.weight_ih(a.w, l, d);
      j.w_hh = desc.weight_hh(a.w, l, d);
      j.b_ih = desc.bias_ih(a.w, l, d);
      j.b_hh = desc.bias_hh(a.w, l, d);
      j.wpack = sc.wpack;
      j.h0 = a.h0 ? a.h0 + ld * NH : sc.zeros;
      j.c0 = a.c0 ? a.c0 + ld * NH : sc.zeros;
      j.y = out + d * H;
      j.ldy = D * H;
      if (training) {
        const ReserveLayout::LayerDirection& kept = fc.reserve->per_ld[ld];
        j.states = kept.states;
        j.cells = kept.cells;
        j.gates = kept.gates;
        j.ghn = kept.ghn;
      } else {
        j.hbuf[0] = sc.h[0], j.hbuf[1] = sc.h[1];
        j.cbuf[0] = sc.c[0], j.cbuf[1] = sc.c[1];
      }
      j.hy = a.hy ? a.hy + ld * NH : nullptr;
      j.cy = a.cy ? a.cy + ld * NH : nullptr;
      j.batch_split = batch_split(N, fwd_pack_floats(desc.cell, Cl, H));
      fc.k->pack_forward(j, tid, nt);
      if (j.batch_split) barrier->wait();  // every thread reads every panel
      // small batches: input products of a chunk of steps first (inside forward_steps)
      if (N < fused_min_batch()) j.gi = sc.gi;
      j.s_begin = 0, j.s_end = T;
      fc.k->forward_steps(j, tid, nt, barrier);
      barrier->wait();  // the layer's output (and gi, wpack) are free for the next one
    }
    in = out;
  }
}

struct BackwardCall {
  const BackwardArgs* a;
  const Kernels* k;
  const ReserveLayout* reserve;
  const BackwardScratch* scratch;
  const float* x0;  // layer 0's input
};

void backward_region(void* arg, int tid, int nt, Barrier* barrier) {
  const BackwardCall& bc = *static_cast<const BackwardCall*>(arg);
  const BackwardArgs& a = *bc.a;
  const jrnn_rnn_desc& desc = *a.desc;
  const BackwardScratch& sc = *bc.scratch;
  const int L = desc.num_layers, D = desc.num_directions;
  const int64_t T = a.T, N = a.N, H = desc.hidden_size, NH = N * H, GH = desc.gates * H;
  const int lanes = bc.k->lanes;
  for (int l = L - 1; l >= 0; --l) {
    const int64_t Cl = desc.layer_input_size(l);
    const float* d_out = l == L - 1 ? a.dy : sc.d_out[(L - 2 - l) % 2];
    float* d_in = l > 0 ? sc.d_out[(L - 1 - l) % 2] : a.dx;
    const float* layer_in = l > 0 ? bc.reserve->outputs[l - 1] : bc.x0;
    for (int d = 0; d < D; ++d) {
      const int ld = l * D + d;
      const ReserveLayout::LayerDirection& kept = bc.reserve->per_ld[ld];
      const float* w_ih = desc.weight_ih(a.w, l, d);
      BwdJob j{};
      j.cell = desc.cell;
      j.T = T, j.N = N, j.H = H;
      j.reverse = d;
      j.lengths = a.lengths;
      j.w_hh = desc.weight_hh(a.w, l, d);
      j.wpack = sc.wpack;
      j.gates = kept.gates;
      j.states = kept.states;
      j.cells = kept.cells;
      j.ghn = kept.ghn;
      j.h0 = a.h0 ? a.h0 + ld * NH : sc.zeros;
      j.c0 = a.c0 ? a.c0 + ld * NH : sc.zeros;
      j.dy = d_out ? d_out + d * H : nullptr;
      j.ldy = D * H;
      j.dhy = a.dhy ? a.dhy + ld * NH : nullptr;
      j.dcy = a.dcy ? a.dcy + ld * NH : nullptr;
      j.dgi_ring[0] = sc.dgi[0], j.dgi_ring[1] = sc.dgi[1];
      j.dgh_ring[0] = sc.dgh[0], j.dgh_ring[1] = sc.dgh[1];
      j.chunk = bwd_chunk_steps(T, N);
      j.dc = sc.dc;
      j.dhd = sc.dhd;
      j.dh0 = a.dh0 ? a.dh0 + ld * NH : nullptr;
      j.dc0 = a.dc0 ? a.dc0 + ld * NH : nullptr;
      j.batch_split = batch_split(N, fwd_pack_floats(desc.cell, Cl, H));
      if (a.dw && desc.bias && !j.batch_split) {  // summed as the steps go
        j.db_ih = desc.bias_ih(a.dw, l, d);
        j.db_hh = desc.bias_hh(a.dw, l, d);
      }
      // units per panel: 4 vectors, fewer when the hidden split would leave a thread without one
      int nvb = 4;
      while (!j.batch_split && nvb > 1 && (H + nvb * lanes - 1) / (nvb * lanes) < nt) nvb /= 2;
      bc.k->pack_backward(j, nvb, tid, nt);
      if (j.batch_split) barrier->wait();  // every thread reads every panel
      float* dw_ih = a.dw ? desc.weight_ih(a.dw, l, d) : nullptr;
      float* dw_hh = a.dw ? desc.weight_hh(a.dw, l, d) : nullptr;
      // Chunks of steps: the BPTT steps, then GEMMs fold the chunk's gate gradients into the
      // weight gradients and the input gradient (rows of times t0 .. t0+steps-1).
      for (int64_t c = 0; c * j.chunk < T; ++c) {
        j.s_begin = c * j.chunk;
        j.s_end = std::min(T, j.s_begin + j.chunk);
        const int64_t steps = j.s_end - j.s_begin, t0 = bwd_chunk_t0(c, j.chunk, T, d);
        const float* dgi = sc.dgi[c % 2];
        const float* dgh = sc.dgh[c % 2];
        bc.k->backward_steps(j, nvb, tid, nt, barrier);
        barrier->wait();  // the chunk's dgi/dgh are complete (every row and unit)
        const int64_t rows = steps * N;
        if (a.dw) {
          if (desc.bias && j.batch_split) {  // column sums in row order
            if (dgh == dgi) {
              bc.k->column_sums(dgi, rows, GH, desc.bias_ih(a.dw, l, d), desc.bias_hh(a.dw, l, d),
                                tid, nt);
            } else {
              bc.k->column_sums(dgi, rows, GH, desc.bias_ih(a.dw, l, d), nullptr, tid, nt);
              bc.k->column_sums(dgh, rows, GH, desc.bias_hh(a.dw, l, d), nullptr, tid, nt);
            }
          }
          // dW_ih += dgiᵀ · X (rows past a length are zero: x there may be anything)
          GemmJob gw{GH,
                     Cl,
                     rows,
                     dgi,
                     GH,
                     true,
                     layer_in + t0 * N * Cl,
                     Cl,
                     false,
                     dw_ih,
                     Cl,
                     true,
                     l == 0 ? a.lengths : nullptr,
                     N,
                     t0};
          bc.k->gemm(gw, tid, nt);
          // dW_hh += Σ_t dgh_tᵀ · h_prev(t): the stored states one step back in time order, and
          // the initial state for the first step (t = 0 forward, T-1 reverse) when it is not 0.
          const int64_t first = d == 0 ? 0 : T - 1;  // the time whose h_prev is the initial state
          const bool has_first = first >= t0 && first < t0 + steps;
          const int64_t ta = d == 0 && has_first ? t0 + 1 : t0;  // times ta..tb-1 use
          const int64_t tb = d == 1 && has_first ? t0 + steps - 1 : t0 + steps;  // stored states
          if (tb > ta) {
            const float* hp = kept.states + (d == 0 ? ta - 1 : ta + 1) * NH;
            GemmJob gh{GH,    H, (tb - ta) * N, dgh + (ta - t0) * N * GH, GH, true, hp, H, false,
                       dw_hh, H, true};
            bc.k->gemm(gh, tid, nt);
          }
          if (has_first && a.h0) {
            GemmJob g0{
                GH,    H, N,   dgh + (first - t0) * N * GH, GH, true, a.h0 + ld * NH, H, false,
                dw_hh, H, true};
            bc.k->gemm(g0, tid, nt);
          }
        }
        if (d_in) {  // both directions add into the layer input's gradient
          GemmJob gx{rows, Cl, GH, dgi, GH, false, w_ih, Cl, false, d_in + t0 * N * Cl, Cl, d == 1};
          bc.k->gemm(gx, tid, nt);
        }
        // No barrier here: the next chunk's steps write the other ring slot; the barrier after
        // them orders these GEMMs before the slot is written again.
      }
      barrier->wait();  // dgi/dgh/wpack are reused by the next direction; d_in feeds layer l-1
    }
  }
}

}  // namespace

void fast_forward(const jrnn_context& ctx, const ForwardArgs& a, const Kernels* k) {
  CallScope scope(ctx);
  const jrnn_rnn_desc& desc = *a.desc;
  const bool training = a.reserve != nullptr;
  const ReserveLayout reserve =
      training ? reserve_layout(desc, a.T, a.N, a.reserve) : ReserveLayout{};
  const ForwardScratch scratch = forward_scratch(desc, a.T, a.N, training, a.scratch);
  std::memset(scratch.zeros, 0, a.N * desc.hidden_size * sizeof(float));
  ForwardCall call{&a, k, &reserve, &scratch};
  parallel_region(threads_for(ctx, desc, a.T, a.N, k->lanes), forward_region, &call);
}

void fast_backward(const jrnn_context& ctx, const BackwardArgs& a, const Kernels* k) {
  CallScope scope(ctx);
  const jrnn_rnn_desc& desc = *a.desc;
  const ReserveLayout reserve = reserve_layout(desc, a.T, a.N, const_cast<void*>(a.reserve));
  const BackwardScratch scratch = backward_scratch(desc, a.T, a.N, a.scratch);
  std::memset(scratch.zeros, 0, a.N * desc.hidden_size * sizeof(float));
  BackwardCall call{&a, k, &reserve, &scratch, a.x};
  parallel_region(threads_for(ctx, desc, a.T, a.N, k->lanes), backward_region, &call);
}

}  // namespace jrnn::cpu
