/* test_shared_c.c — libjrnn.so used from plain C through jrnn.h alone (as JavaCPP sees it): the
 * header compiles as C, the exported symbols link, and a small LSTM forward runs and gives a
 * finite, state-dependent result. Run: ctest -R test_shared_c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "jrnn/jrnn.h"

int main(void) {
  int failures = 0;
  jrnn_context* ctx = jrnn_context_create(JRNN_DEVICE_CPU, 0, 1);
  jrnn_rnn_desc* desc = jrnn_rnn_desc_create(JRNN_LSTM, 3, 4, 1, 0, 1);
  if (!ctx || !desc) {
    fprintf(stderr, "FAIL: create: %s\n", jrnn_last_error());
    return 1;
  }
  const int64_t T = 2, N = 1, count = jrnn_rnn_weights_count(desc);
  float* w = (float*)jrnn_alloc(ctx, (size_t)count * sizeof(float));
  for (int64_t i = 0; i < count; ++i) w[i] = 0.05f * (float)((i % 7) - 3);
  float x[6] = {1, 2, 3, -1, 0.5f, 0}, y[8], hy[4], cy[4];
  void* scratch = malloc(jrnn_rnn_scratch_bytes(ctx, desc, T, N, JRNN_PASS_INFERENCE));
  jrnn_status st = jrnn_rnn_forward(ctx, desc, T, N, NULL, x, NULL, NULL, w, y, hy, cy, NULL, scratch);
  if (st != JRNN_OK) fprintf(stderr, "FAIL: forward: %s\n", jrnn_last_error()), ++failures;
  for (int i = 0; i < 4; ++i)
    if (!isfinite(hy[i]) || hy[i] != y[4 + i]) fprintf(stderr, "FAIL: hy[%d]\n", i), ++failures;
  if (jrnn_rnn_forward(ctx, desc, 0, N, NULL, x, NULL, NULL, w, y, hy, cy, NULL, scratch) !=
      JRNN_ERR_INVALID_ARGUMENT)
    fprintf(stderr, "FAIL: T = 0 accepted\n"), ++failures;
  if (!jrnn_cpu_isa() || !*jrnn_cpu_isa()) fprintf(stderr, "FAIL: jrnn_cpu_isa\n"), ++failures;
  printf("test_shared_c: jrnn %s, CPU kernels %s, has_cuda %d, %d CUDA device(s), %d failures\n",
         jrnn_version(), jrnn_cpu_isa(), jrnn_has_cuda(), jrnn_cuda_device_count(), failures);
  free(scratch);
  jrnn_free(ctx, w);
  jrnn_rnn_desc_destroy(desc);
  jrnn_context_destroy(ctx);
  return failures ? 1 : 0;
}
