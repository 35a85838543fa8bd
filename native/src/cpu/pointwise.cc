// pointwise.cc — the fused per-step passes (see pointwise.h). Plain loops over a row's H values,
// written so the compiler can vectorise them; hand-written AVX-512 comes later.
#include "cpu/pointwise.h"

#include <cmath>
#include <cstring>

#include "jrnn/jrnn.h"

namespace jrnn::cpu {
namespace {

inline float sigmoidf(float v) {
  return 1.0f / (1.0f + std::exp(-v));
}
inline float bias_at(const float* b, int64_t i) {
  return b ? b[i] : 0.0f;
}
inline bool row_valid(const int32_t* lengths, int64_t n, int64_t t) {
  return !lengths || t < lengths[n];
}

}  // namespace

void forward_pointwise(const ForwardStep& s) {
  const int64_t H = s.H;
  const int G = s.cell == JRNN_LSTM ? 4 : s.cell == JRNN_GRU ? 3 : 1;
  for (int64_t n = 0; n < s.N; ++n) {
    const float* h_prev = s.h_prev + n * H;
    float* h_out = s.h_out + n * H;
    float* y = s.y ? s.y + n * s.y_stride : nullptr;
    if (!row_valid(s.lengths, n, s.t)) {  // carry the state, output zero
      if (h_out != h_prev) std::memcpy(h_out, h_prev, H * sizeof(float));
      if (s.cell == JRNN_LSTM && s.c_out != s.c_prev)
        std::memcpy(s.c_out + n * H, s.c_prev + n * H, H * sizeof(float));
      if (y) std::memset(y, 0, H * sizeof(float));
      continue;
    }
    const float* gi = s.gi + n * G * H;
    const float* gh = s.gh + n * G * H;
    switch (s.cell) {
      case JRNN_RNN_TANH:
      case JRNN_RNN_RELU:
        for (int64_t j = 0; j < H; ++j) {
          const float a = gi[j] + gh[j] + bias_at(s.b_ih, j) + bias_at(s.b_hh, j);
          h_out[j] = s.cell == JRNN_RNN_TANH ? std::tanh(a) : (0.0f > a ? 0.0f : a);  // NaN stays
        }
        break;
      case JRNN_LSTM: {
        const float* c_prev = s.c_prev + n * H;
        float* c_out = s.c_out + n * H;
        float* gates = s.gates ? s.gates + n * 4 * H : nullptr;
        for (int64_t j = 0; j < H; ++j) {
          float a[4];
          for (int k = 0; k < 4; ++k)
            a[k] = gi[k * H + j] + gh[k * H + j] + bias_at(s.b_ih, k * H + j) +
                   bias_at(s.b_hh, k * H + j);
          const float i = sigmoidf(a[0]), f = sigmoidf(a[1]), g = std::tanh(a[2]),
                      o = sigmoidf(a[3]);
          const float c = f * c_prev[j] + i * g;
          c_out[j] = c;
          h_out[j] = o * std::tanh(c);
          if (gates) gates[j] = i, gates[H + j] = f, gates[2 * H + j] = g, gates[3 * H + j] = o;
        }
        break;
      }
      case JRNN_GRU: {
        float* gates = s.gates ? s.gates + n * 3 * H : nullptr;
        float* ghn_out = s.ghn ? s.ghn + n * H : nullptr;
        for (int64_t j = 0; j < H; ++j) {
          const float r = sigmoidf(gi[j] + gh[j] + bias_at(s.b_ih, j) + bias_at(s.b_hh, j));
          const float z =
              sigmoidf(gi[H + j] + gh[H + j] + bias_at(s.b_ih, H + j) + bias_at(s.b_hh, H + j));
          const float ghn = gh[2 * H + j] + bias_at(s.b_hh, 2 * H + j);
          const float nn = std::tanh(gi[2 * H + j] + bias_at(s.b_ih, 2 * H + j) + r * ghn);
          const float hp = h_prev[j];  // read before h_out[j] is written (in-place step)
          h_out[j] = (1.0f - z) * nn + z * hp;
          if (gates) gates[j] = r, gates[H + j] = z, gates[2 * H + j] = nn;
          if (ghn_out) ghn_out[j] = ghn;
        }
        break;
      }
    }
    if (y) std::memcpy(y, h_out, H * sizeof(float));
  }
}

void backward_pointwise(const BackwardStep& s) {
  const int64_t H = s.H;
  const int G = s.cell == JRNN_LSTM ? 4 : s.cell == JRNN_GRU ? 3 : 1;
  for (int64_t n = 0; n < s.N; ++n) {
    float* dgi = s.dgi + n * G * H;
    float* dgh = s.dgh + n * G * H;
    float* dh = s.dh + n * H;
    if (!row_valid(s.lengths, n, s.t)) {  // the state passed through: so does its gradient
      std::memset(dgi, 0, G * H * sizeof(float));
      if (dgh != dgi) std::memset(dgh, 0, G * H * sizeof(float));
      continue;
    }
    const float* dy = s.dy ? s.dy + n * s.dy_stride : nullptr;
    switch (s.cell) {
      case JRNN_RNN_TANH:
      case JRNN_RNN_RELU: {
        const float* h = s.h + n * H;
        for (int64_t j = 0; j < H; ++j) {
          const float g = dh[j] + (dy ? dy[j] : 0.0f);
          dgi[j] = s.cell == JRNN_RNN_TANH ? g * (1.0f - h[j] * h[j]) : (h[j] > 0.0f ? g : 0.0f);
          dh[j] = 0.0f;
        }
        break;
      }
      case JRNN_LSTM: {
        const float* gates = s.gates + n * 4 * H;
        const float* c = s.c + n * H;
        const float* c_prev = s.c_prev + n * H;
        float* dc = s.dc + n * H;
        for (int64_t j = 0; j < H; ++j) {
          const float i = gates[j], f = gates[H + j], g = gates[2 * H + j], o = gates[3 * H + j];
          const float g_h = dh[j] + (dy ? dy[j] : 0.0f);
          const float tc = std::tanh(c[j]);
          const float dct = dc[j] + g_h * o * (1.0f - tc * tc);
          dgi[j] = dct * g * i * (1.0f - i);
          dgi[H + j] = dct * c_prev[j] * f * (1.0f - f);
          dgi[2 * H + j] = dct * i * (1.0f - g * g);
          dgi[3 * H + j] = g_h * tc * o * (1.0f - o);
          dc[j] = dct * f;
          dh[j] = 0.0f;
        }
        break;
      }
      case JRNN_GRU: {
        const float* gates = s.gates + n * 3 * H;
        const float* h_prev = s.h_prev + n * H;
        const float* ghn = s.ghn + n * H;
        for (int64_t j = 0; j < H; ++j) {
          const float r = gates[j], z = gates[H + j], nn = gates[2 * H + j];
          const float g_h = dh[j] + (dy ? dy[j] : 0.0f);
          const float dan = g_h * (1.0f - z) * (1.0f - nn * nn);
          const float dar = dan * ghn[j] * r * (1.0f - r);
          const float daz = g_h * (h_prev[j] - nn) * z * (1.0f - z);
          dgi[j] = dgh[j] = dar;
          dgi[H + j] = dgh[H + j] = daz;
          dgi[2 * H + j] = dan;
          dgh[2 * H + j] = dan * r;
          dh[j] = g_h * z;
        }
        break;
      }
    }
  }
}

}  // namespace jrnn::cpu
