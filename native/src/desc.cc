// desc.cc — builds jrnn_rnn_desc: validates the stack's shape and lays out the flat weight buffer
// in PyTorch's _flat_weights order (per layer, per direction: weight_ih, weight_hh, bias_ih,
// bias_hh), so a PyTorch state dict maps onto it view by view.
#include <cstdarg>
#include <cstdio>

#include "internal.h"

namespace jrnn {

void fail(jrnn_status status, std::string message) {
  throw Error{status, std::move(message)};
}

std::string format(const char* fmt, ...) {
  char buffer[512];
  va_list args;
  va_start(args, fmt);
  vsnprintf(buffer, sizeof buffer, fmt, args);
  va_end(args);
  return buffer;
}

jrnn_rnn_desc make_desc(int cell, int64_t input_size, int64_t hidden_size, int num_layers,
                        int bidirectional, int bias) {
  // Sizes stay far below the 32-bit BLAS dimension limit so products like G*H*(C+H) cannot
  // overflow and every matrix dimension fits an int.
  constexpr int64_t kMaxSize = int64_t(1) << 24;
  if (cell < JRNN_RNN_TANH || cell > JRNN_GRU)
    fail(JRNN_ERR_INVALID_ARGUMENT,
         format("cell = %d is not a jrnn_cell (0 RNN_TANH, 1 RNN_RELU, 2 LSTM, 3 GRU)", cell));
  if (input_size < 1 || input_size > kMaxSize)
    fail(JRNN_ERR_INVALID_ARGUMENT, format("input_size = %lld is outside 1..%lld",
                                           (long long)input_size, (long long)kMaxSize));
  if (hidden_size < 1 || hidden_size > kMaxSize)
    fail(JRNN_ERR_INVALID_ARGUMENT, format("hidden_size = %lld is outside 1..%lld",
                                           (long long)hidden_size, (long long)kMaxSize));
  if (num_layers < 1 || num_layers > 1024)
    fail(JRNN_ERR_INVALID_ARGUMENT, format("num_layers = %d is outside 1..1024", num_layers));
  if (bidirectional != 0 && bidirectional != 1)
    fail(JRNN_ERR_INVALID_ARGUMENT, format("bidirectional = %d must be 0 or 1", bidirectional));
  if (bias != 0 && bias != 1)
    fail(JRNN_ERR_INVALID_ARGUMENT, format("bias = %d must be 0 or 1", bias));

  jrnn_rnn_desc desc;
  desc.cell = cell;
  desc.input_size = input_size;
  desc.hidden_size = hidden_size;
  desc.num_layers = num_layers;
  desc.num_directions = bidirectional ? 2 : 1;
  desc.bias = bias != 0;
  desc.gates = gates_per_cell(cell);
  const int64_t rows = desc.gates * hidden_size;
  int64_t offset = 0;
  auto add = [&](const std::string& name, int64_t r, int64_t c) {
    desc.params.push_back({name, offset, r, c});
    offset += r * c;
  };
  for (int l = 0; l < num_layers; ++l)
    for (int d = 0; d < desc.num_directions; ++d) {
      const std::string suffix = "_l" + std::to_string(l) + (d == 1 ? "_reverse" : "");
      add("weight_ih" + suffix, rows, desc.layer_input_size(l));
      add("weight_hh" + suffix, rows, hidden_size);
      if (desc.bias) {
        add("bias_ih" + suffix, rows, 1);
        add("bias_hh" + suffix, rows, 1);
      }
    }
  desc.weights_count = offset;
  if (offset > (int64_t(1) << 40))
    fail(JRNN_ERR_INVALID_ARGUMENT,
         format("the stack has %lld weights, more than jrnn supports", (long long)offset));
  return desc;
}

}  // namespace jrnn
