// test_torch_parity.cc — the reference (double) and the CPU kernels (float, through the C API)
// against values PyTorch computed (torch_cases.inc, from make_torch_cases.py): y, hy, cy and the
// gradients dx, dh0, dc0, dw of sum(y*dy) + sum(hy*dhy) + sum(cy*dcy), for every cell, a 2-layer
// bidirectional ragged batch, and 1-layer stacks with and without bias. Finite differences show
// that backward matches forward; this shows that forward means what PyTorch means.
#include <string>

#include "internal.h"
#include "ref/ref_rnn.h"
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

void check_reference(const TorchCase& tc, const Case& c, const jrnn_rnn_desc& d) {
  const bool lstm = c.cell == JRNN_LSTM;
  const std::string name = "ref " + c.describe();
  std::vector<double> y(tc.y.size()), hy(tc.hy.size()), cy(tc.cy.size(), 0.0);
  ref::rnn_forward<double>(d, c.T, c.N, tc.lengths.data(), tc.x.data(), tc.h0.data(),
                           lstm ? tc.c0.data() : nullptr, tc.w.data(), y.data(), hy.data(),
                           lstm ? cy.data() : nullptr);
  expect_close(name + " y", y, tc.y, 1e-12, 1e-9);
  expect_close(name + " hy", hy, tc.hy, 1e-12, 1e-9);
  if (lstm) expect_close(name + " cy", cy, tc.cy, 1e-12, 1e-9);
  std::vector<double> dx(tc.dx.size()), dh0(tc.dh0.size()), dc0(tc.dc0.size(), 0.0),
      dw(tc.dw.size(), 0.0);
  ref::rnn_backward<double>(d, c.T, c.N, tc.lengths.data(), tc.x.data(), tc.h0.data(),
                            lstm ? tc.c0.data() : nullptr, tc.w.data(), tc.dy.data(), tc.dhy.data(),
                            lstm ? tc.dcy.data() : nullptr, dx.data(), dh0.data(),
                            lstm ? dc0.data() : nullptr, dw.data());
  expect_close(name + " dx", dx, tc.dx, 1e-12, 1e-9);
  expect_close(name + " dh0", dh0, tc.dh0, 1e-12, 1e-9);
  if (lstm) expect_close(name + " dc0", dc0, tc.dc0, 1e-12, 1e-9);
  expect_close(name + " dw", dw, tc.dw, 1e-12, 1e-9);
}

void check_cpu(jrnn_context* ctx, const TorchCase& tc, const Case& c, jrnn_rnn_desc* d) {
  const bool lstm = c.cell == JRNN_LSTM;
  const std::string name = "cpu " + c.describe();
  const double atol = 2e-5, rtol = 1e-4;
  std::vector<float> x = to_float(tc.x), h0 = to_float(tc.h0), c0 = to_float(tc.c0),
                     w = to_float(tc.w), dy = to_float(tc.dy), dhy = to_float(tc.dhy),
                     dcy = to_float(tc.dcy);
  std::vector<float> y(tc.y.size()), hy(tc.hy.size()), cy(tc.cy.size()), dx(tc.dx.size()),
      dh0(tc.dh0.size()), dc0(tc.dc0.size()), dw(tc.dw.size(), 0.0f);
  std::vector<unsigned char> reserve(jrnn_rnn_reserve_bytes(ctx, d, c.T, c.N));
  std::vector<unsigned char> scratch(
      std::max(jrnn_rnn_scratch_bytes(ctx, d, c.T, c.N, JRNN_PASS_TRAINING_FORWARD),
               jrnn_rnn_scratch_bytes(ctx, d, c.T, c.N, JRNN_PASS_BACKWARD)));
  jrnn_status st = jrnn_rnn_forward(ctx, d, c.T, c.N, tc.lengths.data(), x.data(), h0.data(),
                                    lstm ? c0.data() : nullptr, w.data(), y.data(), hy.data(),
                                    lstm ? cy.data() : nullptr, reserve.data(), scratch.data());
  EXPECT(st == JRNN_OK, "%s forward: %s", name.c_str(), jrnn_last_error());
  expect_close(name + " y", y, tc.y, atol, rtol);
  expect_close(name + " hy", hy, tc.hy, atol, rtol);
  if (lstm) expect_close(name + " cy", cy, tc.cy, atol, rtol);
  st = jrnn_rnn_backward(ctx, d, c.T, c.N, tc.lengths.data(), x.data(), h0.data(),
                         lstm ? c0.data() : nullptr, w.data(), dy.data(), dhy.data(),
                         lstm ? dcy.data() : nullptr, dx.data(), dh0.data(),
                         lstm ? dc0.data() : nullptr, dw.data(), reserve.data(), scratch.data());
  EXPECT(st == JRNN_OK, "%s backward: %s", name.c_str(), jrnn_last_error());
  expect_close(name + " dx", dx, tc.dx, atol, rtol);
  expect_close(name + " dh0", dh0, tc.dh0, atol, rtol);
  if (lstm) expect_close(name + " dc0", dc0, tc.dc0, atol, rtol);
  expect_close(name + " dw", dw, tc.dw, atol, rtol);
}

}  // namespace

int main() {
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, 1);
  for (const TorchCase& tc : kCases) {
    const Case c{tc.cell, tc.T, tc.N, tc.C, tc.H, tc.L, tc.bidi != 0, tc.bias != 0, tc.lengths};
    Desc desc(c);
    EXPECT(jrnn_rnn_weights_count(desc.d) == (int64_t)tc.w.size(),
           "%s: %lld weights, PyTorch has %zu", c.describe().c_str(),
           (long long)jrnn_rnn_weights_count(desc.d), tc.w.size());
    if (jrnn_rnn_weights_count(desc.d) != (int64_t)tc.w.size()) continue;
    check_reference(tc, c, *desc.d);
    check_cpu(ctx, tc, c, desc.d);
  }
  jrnn_context_destroy(ctx);
  return finish("test_torch_parity");
}
