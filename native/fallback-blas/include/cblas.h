/* cblas.h — the few CBLAS / OpenBLAS declarations jrnn's CPU path uses, for builds without
 * OpenBLAS (CMake -DJRNN_BLAS=OFF, e.g. a GPU machine without the bytedeco jar). Implemented by
 * plain loops in cblas_fallback.cc: correct, slow, single-threaded; fine for tests, not for speed.
 * Never installed: libjrnn built this way simply contains the loops. */
#ifndef JRNN_FALLBACK_CBLAS_H_
#define JRNN_FALLBACK_CBLAS_H_

#ifdef __cplusplus
extern "C" {
#endif

typedef int blasint;
typedef enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 } CBLAS_ORDER;
typedef enum CBLAS_TRANSPOSE {
  CblasNoTrans = 111,
  CblasTrans = 112,
  CblasConjTrans = 113
} CBLAS_TRANSPOSE;

void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, blasint M,
                 blasint N, blasint K, float alpha, const float* A, blasint lda, const float* B,
                 blasint ldb, float beta, float* C, blasint ldc);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);

#ifdef __cplusplus
}
#endif

#endif /* JRNN_FALLBACK_CBLAS_H_ */
