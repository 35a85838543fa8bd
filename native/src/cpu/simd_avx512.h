// simd_avx512.h — the vector traits of the AVX-512 kernels (16 float lanes, 32 registers). Only
// kernels_avx512.cc includes it (compiled with -mavx512f -mavx512dq ... -mfma).
#pragma once

#include <immintrin.h>

namespace jrnn::cpu::avx512 {

struct Tr {
  static constexpr int W = 16;        // lanes
  static constexpr int kMaxAcc = 24;  // accumulator registers a micro-kernel may use
  using V = __m512;
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static __mmask16 mask(int n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u); }
  // n valid lanes (the rest read as 0 and never touch memory)
  static V load(const float* p, int n) {
    return n >= 16 ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(mask(n), p);
  }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void store(float* p, V v, int n) {
    if (n >= 16)
      _mm512_storeu_ps(p, v);
    else
      _mm512_mask_storeu_ps(p, mask(n), v);
  }
  // c[u*ldc + m] (+)= a[m][u] for m < 6, u < W = 16: a 6 x 16 GEMM tile stored transposed (the
  // product Cᵀ = W·Xᵀ of kernels_dense_impl.h). Per u one 4-float and one 2-float store instead
  // of six scalar ones.
  static constexpr bool kStoreTrans6 = true;
  static void store_trans6(const V (&a)[6], float* c, long ldc, bool add) {
    const __m512 t01l = _mm512_unpacklo_ps(a[0], a[1]), t01h = _mm512_unpackhi_ps(a[0], a[1]);
    const __m512 t23l = _mm512_unpacklo_ps(a[2], a[3]), t23h = _mm512_unpackhi_ps(a[2], a[3]);
    const __m512 t45l = _mm512_unpacklo_ps(a[4], a[5]), t45h = _mm512_unpackhi_ps(a[4], a[5]);
    // 128-bit block b of q[j] holds a[0..3][4b + j]; of t45l (t45h) a[4..5][4b], a[4..5][4b + 1]
    // (4b + 2, 4b + 3)
    const __m512 q[4] = {
        _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t01l), _mm512_castps_pd(t23l))),
        _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t01l), _mm512_castps_pd(t23l))),
        _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t01h), _mm512_castps_pd(t23h))),
        _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t01h), _mm512_castps_pd(t23h)))};
    store_trans6_block<0>(q, t45l, t45h, c, ldc, add);
    store_trans6_block<1>(q, t45l, t45h, c, ldc, add);
    store_trans6_block<2>(q, t45l, t45h, c, ldc, add);
    store_trans6_block<3>(q, t45l, t45h, c, ldc, add);
  }
  template <int B>
  static void store_trans6_block(const __m512 (&q)[4], __m512 t45l, __m512 t45h, float* c, long ldc,
                                 bool add) {
    const __m128 pl = _mm512_extractf32x4_ps(t45l, B), ph = _mm512_extractf32x4_ps(t45h, B);
    const __m128 pairs[4] = {pl, _mm_movehl_ps(pl, pl), ph, _mm_movehl_ps(ph, ph)};
    for (int j = 0; j < 4; ++j) {
      float* p = c + (4 * B + j) * ldc;
      __m128 four = _mm512_extractf32x4_ps(q[j], B), two = pairs[j];
      if (add) {
        four = _mm_add_ps(four, _mm_loadu_ps(p));
        two = _mm_add_ps(two, _mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(p + 4))));
      }
      _mm_storeu_ps(p, four);
      _mm_store_sd(reinterpret_cast<double*>(p + 4), _mm_castps_pd(two));
    }
  }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }    // a*b + c
  static V fnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }  // c - a*b
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V min(V a, V b) { return _mm512_min_ps(a, b); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  static V round(V x) {
    return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // p * 2^n for integral n (vscalefps)
  static V scale2(V p, V n) { return _mm512_scalef_ps(p, n); }
  static V abs(V x) { return _mm512_abs_ps(x); }
  // magnitude of mag with the sign of sgn
  static V copysign(V mag, V sgn) {
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(
        _mm512_castps_si512(mag), _mm512_castps_si512(sgn), sign, 0xD8));  // sign ? sgn : mag
  }
  // x < limit ? a : b
  static V select_lt(V x, V limit, V a, V b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, limit, _CMP_LT_OQ), b, a);
  }
  // x > 0 ? a : 0
  static V select_pos(V x, V a) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ), a);
  }
  // horizontal sum
  static float hsum(V v) { return _mm512_reduce_add_ps(v); }
  // r[i][j] <- r[j][i] (16x16 floats in 16 registers: 4 rounds of 16 shuffles)
  static void transpose(V (&r)[16]) {
    V t[16];
    for (int i = 0; i < 16; i += 2) {
      t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
      t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
      r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
      r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
      r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
      r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int i = 0; i < 16; i += 8)
      for (int j = 0; j < 4; ++j) {
        t[i + j] = _mm512_shuffle_f32x4(r[i + j], r[i + j + 4], 0x88);
        t[i + j + 4] = _mm512_shuffle_f32x4(r[i + j], r[i + j + 4], 0xDD);
      }
    for (int j = 0; j < 8; ++j) {
      r[j] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0x88);
      r[j + 8] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0xDD);
    }
  }
};

}  // namespace jrnn::cpu::avx512
