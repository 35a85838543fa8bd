// test_step.cc — jrnn_rnn_step on the CPU: T steps with the state updated in place (hy == hx,
// cy == cx) equal one forward over T for every cell and 1-3 layers (y per step and the final
// state), and each step equals ref::rnn_step. Also: a step with separate output buffers leaves hx
// untouched and matches the in-place one. Run: ctest -R test_step.
#include "rnn_harness.h"

using namespace jrnn::test;

namespace {

void separate_buffers_match_in_place(jrnn_context* ctx, int cell) {
  Case c{cell, 1, 3, 4, 5, 2, false, true, {}};
  Desc desc(c);
  std::mt19937 rng(7);
  const bool lstm = cell == JRNN_LSTM;
  const int64_t states = int64_t(c.L) * c.N * c.H;
  std::vector<float> x = to_float(random_values(rng, c.N * c.C, 1.0));
  std::vector<float> w = to_float(random_values(rng, jrnn_rnn_weights_count(desc.d), 0.5));
  std::vector<float> hx = to_float(random_values(rng, states, 0.8));
  std::vector<float> cx = to_float(random_values(rng, states, 0.8));
  std::vector<float> scratch(jrnn_rnn_scratch_bytes(ctx, desc.d, 1, c.N, JRNN_PASS_STEP) / 4 + 1);
  std::vector<float> y1(c.N * c.H), y2(c.N * c.H), hy(states), cy(states);
  const std::vector<float> hx_before = hx, cx_before = cx;
  jrnn_status st =
      jrnn_rnn_step(ctx, desc.d, c.N, x.data(), hx.data(), lstm ? cx.data() : nullptr, w.data(),
                    y1.data(), hy.data(), lstm ? cy.data() : nullptr, scratch.data());
  EXPECT(st == JRNN_OK, "%s: step returned %d: %s", cell_name(cell), (int)st, jrnn_last_error());
  EXPECT(hx == hx_before && cx == cx_before, "%s: step modified hx/cx", cell_name(cell));
  st = jrnn_rnn_step(ctx, desc.d, c.N, x.data(), hx.data(), lstm ? cx.data() : nullptr, w.data(),
                     y2.data(), hx.data(), lstm ? cx.data() : nullptr, scratch.data());
  EXPECT(st == JRNN_OK, "%s: in-place step returned %d: %s", cell_name(cell), (int)st,
         jrnn_last_error());
  EXPECT(y1 == y2 && hx == hy && (!lstm || cx == cy),
         "%s: the in-place step differs from the step with separate buffers", cell_name(cell));
  EXPECT(hx != hx_before, "%s: the in-place step did not update hx", cell_name(cell));
}

}  // namespace

int main() {
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, 1);
  EXPECT(ctx, "jrnn_context_create(CPU): %s", jrnn_last_error());
  if (!ctx) return finish("test_step");
  uint32_t seed = 1;
  for (int cell : {JRNN_RNN_TANH, JRNN_RNN_RELU, JRNN_LSTM, JRNN_GRU}) {
    for (int L : {1, 2, 3})
      for (bool bias : {true, false})
        compare_step_with_forward(ctx, Case{cell, 6, 3, 4, 5, L, false, bias, {}}, seed++);
    compare_step_with_forward(ctx, Case{cell, 3, 1, 2, 7, 2, false, true, {}}, seed++);  // N = 1
    separate_buffers_match_in_place(ctx, cell);
  }
  jrnn_context_destroy(ctx);
  return finish("test_step");
}
