// test_cuda_torch_parity.cc — test_torch_parity's PyTorch values (torch_cases.inc) on a CUDA
// context: y, hy, cy and dx, dh0, dc0, dw of every cell, a 2-layer bidirectional ragged batch and
// 1-layer stacks with and without bias, computed by the CUDA kernels through the C API. Without a
// CUDA device it prints "skipped" (ctest reports it so). Run: ctest -R test_cuda_torch_parity.
#include <string>

#include "internal.h"
#include "rnn_harness.h"

using namespace jrnn;
using namespace jrnn::test;

namespace {

struct TorchCase {
  int cell, T, N, C, H, L, bidi, bias;
  std::vector<int32_t> lengths;
  std::vector<double> x, h0, c0, w, dy, dhy, dcy, y, hy, cy, dx, dh0, dc0, dw;
};

const TorchCase kCases[] = {
#include "torch_cases.inc"
};

// A device copy of host doubles (as float); at least one element so the pointer is never NULL.
struct Dev {
  DeviceTensor t;
  Dev(jrnn_context* ctx, const std::vector<double>& v) : t(ctx, v.empty() ? 1 : v.size()) {
    if (!v.empty()) t.upload(to_float(v));
  }
  float* get() { return t.get(); }
  std::vector<float> down(size_t n) const {
    std::vector<float> all = t.download();
    all.resize(n);
    return all;
  }
};

void check_cuda(jrnn_context* ctx, const TorchCase& tc, const Case& c, jrnn_rnn_desc* d) {
  const bool lstm = c.cell == JRNN_LSTM;
  const std::string name = "cuda " + c.describe();
  const double atol = 2e-5, rtol = 1e-4;
  Dev x(ctx, tc.x), h0(ctx, tc.h0), c0(ctx, tc.c0), w(ctx, tc.w), dy(ctx, tc.dy), dhy(ctx, tc.dhy),
      dcy(ctx, tc.dcy);
  Dev y(ctx, tc.y), hy(ctx, tc.hy), cy(ctx, tc.cy), dx(ctx, tc.dx), dh0(ctx, tc.dh0),
      dc0(ctx, tc.dc0), dw(ctx, std::vector<double>(tc.dw.size(), 0.0));
  GuardedBuffer reserve(ctx, jrnn_rnn_reserve_bytes(ctx, d, c.T, c.N));
  GuardedBuffer scratch(
      ctx, std::max(jrnn_rnn_scratch_bytes(ctx, d, c.T, c.N, JRNN_PASS_TRAINING_FORWARD),
                    jrnn_rnn_scratch_bytes(ctx, d, c.T, c.N, JRNN_PASS_BACKWARD)));
  jrnn_status st = jrnn_rnn_forward(ctx, d, c.T, c.N, tc.lengths.data(), x.get(), h0.get(),
                                    lstm ? c0.get() : nullptr, w.get(), y.get(), hy.get(),
                                    lstm ? cy.get() : nullptr, reserve.get(), scratch.get());
  EXPECT(st == JRNN_OK, "%s forward: %s", name.c_str(), jrnn_last_error());
  expect_close(name + " y", y.down(tc.y.size()), tc.y, atol, rtol);
  expect_close(name + " hy", hy.down(tc.hy.size()), tc.hy, atol, rtol);
  if (lstm) expect_close(name + " cy", cy.down(tc.cy.size()), tc.cy, atol, rtol);
  st = jrnn_rnn_backward(ctx, d, c.T, c.N, tc.lengths.data(), x.get(), h0.get(),
                         lstm ? c0.get() : nullptr, w.get(), dy.get(), dhy.get(),
                         lstm ? dcy.get() : nullptr, dx.get(), dh0.get(),
                         lstm ? dc0.get() : nullptr, dw.get(), reserve.get(), scratch.get());
  EXPECT(st == JRNN_OK, "%s backward: %s", name.c_str(), jrnn_last_error());
  expect_close(name + " dx", dx.down(tc.dx.size()), tc.dx, atol, rtol);
  expect_close(name + " dh0", dh0.down(tc.dh0.size()), tc.dh0, atol, rtol);
  if (lstm) expect_close(name + " dc0", dc0.down(tc.dc0.size()), tc.dc0, atol, rtol);
  expect_close(name + " dw", dw.down(tc.dw.size()), tc.dw, atol, rtol);
  EXPECT(reserve.tail_intact() && scratch.tail_intact(), "%s: wrote past reserve/scratch",
         name.c_str());
}

}  // namespace

int main() {
  if (jrnn_cuda_device_count() == 0) {
    std::printf("test_cuda_torch_parity: skipped (no CUDA device)\n");
    return finish("test_cuda_torch_parity");
  }
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CUDA, 0, 0);
  EXPECT(ctx != nullptr, "jrnn_context_create(CUDA): %s", jrnn_last_error());
  if (!ctx) return finish("test_cuda_torch_parity");
  for (const TorchCase& tc : kCases) {
    const Case c{tc.cell, tc.T, tc.N, tc.C, tc.H, tc.L, tc.bidi != 0, tc.bias != 0, tc.lengths};
    Desc desc(c);
    check_cuda(ctx, tc, c, desc.d);
  }
  jrnn_context_destroy(ctx);
  return finish("test_cuda_torch_parity");
}
