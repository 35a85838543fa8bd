/*
 * JrnnNative: the JavaCPP binding of native/include/jrnn/jrnn.h, one Java method per C function.
 * Package-private on purpose: only the typed facade Native (same package) calls it, so nothing public
 * takes or returns raw handles. Native addresses cross as `long` (cast to the C pointer type by the
 * generated glue); no maths, no checks here. The javacpp-maven-plugin compiles its JNI glue
 * (libjnijrnn.so) in process-classes, see pom.xml; Native loads it. The platforms named in
 * {@code @Platform} are the ones jrnn-platform ships natives for (jrnn-core-VERSION-PLATFORM.jar);
 * on any other, Native reports the platform instead of loading.
 */
package org.jrnn;

import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

@Platform(
    value = {"linux-x86_64", "linux-arm64"},
    include = "jrnn/jrnn.h",
    link = "jrnn",
    library = "jnijrnn")
final class JrnnNative {
  private JrnnNative() {}

  // ------------------------------------------------------------------ status and errors
  static native @Cast("const char*") String jrnn_last_error();

  static native @Cast("const char*") String jrnn_version();

  // ------------------------------------------------------------------ devices and contexts
  static native int jrnn_has_cuda();

  static native int jrnn_cuda_device_count();

  static native @Cast("jrnn_context*") long jrnn_context_create(
      int deviceType, int deviceIndex, int numThreads);

  static native void jrnn_context_destroy(@Cast("jrnn_context*") long ctx);

  static native int jrnn_context_num_threads(@Cast("const jrnn_context*") long ctx);

  static native int jrnn_context_synchronize(@Cast("jrnn_context*") long ctx);

  // ------------------------------------------------------------------ memory
  static native @Cast("void*") long jrnn_alloc(
      @Cast("jrnn_context*") long ctx, @Cast("size_t") long bytes);

  static native @Cast("void*") long jrnn_alloc_uninitialized(
      @Cast("jrnn_context*") long ctx, @Cast("size_t") long bytes);

  static native void jrnn_free(@Cast("jrnn_context*") long ctx, @Cast("void*") long ptr);

  static native @Cast("size_t") long jrnn_context_cached_bytes(
      @Cast("const jrnn_context*") long ctx);

  static native int jrnn_context_release_cached(@Cast("jrnn_context*") long ctx);

  /** Host source given as a Java array (copied in by JNI). */
  static native int jrnn_copy_from_host(
      @Cast("jrnn_context*") long ctx,
      @Cast("void*") long dst,
      @Cast("const void*") float[] src,
      @Cast("size_t") long bytes);

  /** Host source given as an address of host memory (a CPU tensor). */
  static native int jrnn_copy_from_host(
      @Cast("jrnn_context*") long ctx,
      @Cast("void*") long dst,
      @Cast("const void*") long src,
      @Cast("size_t") long bytes);

  static native int jrnn_copy_to_host(
      @Cast("jrnn_context*") long ctx,
      @Cast("void*") float[] dst,
      @Cast("const void*") long src,
      @Cast("size_t") long bytes);

  static native int jrnn_copy_to_host(
      @Cast("jrnn_context*") long ctx,
      @Cast("void*") long dst,
      @Cast("const void*") long src,
      @Cast("size_t") long bytes);

  static native int jrnn_copy_on_device(
      @Cast("jrnn_context*") long ctx,
      @Cast("void*") long dst,
      @Cast("const void*") long src,
      @Cast("size_t") long bytes);

  static native int jrnn_zero(
      @Cast("jrnn_context*") long ctx, @Cast("void*") long dst, @Cast("size_t") long bytes);

  // ------------------------------------------------------------------ recurrent layer stacks
  static native @Cast("jrnn_rnn_desc*") long jrnn_rnn_desc_create(
      int cell,
      @Cast("int64_t") long inputSize,
      @Cast("int64_t") long hiddenSize,
      int numLayers,
      int bidirectional,
      int bias);

  static native void jrnn_rnn_desc_destroy(@Cast("jrnn_rnn_desc*") long desc);

  static native @Cast("int64_t") long jrnn_rnn_weights_count(
      @Cast("const jrnn_rnn_desc*") long desc);

  static native int jrnn_rnn_param_count(@Cast("const jrnn_rnn_desc*") long desc);

  static native @Cast("const char*") String jrnn_rnn_param_name(
      @Cast("const jrnn_rnn_desc*") long desc, int index);

  static native @Cast("int64_t") long jrnn_rnn_param_offset(
      @Cast("const jrnn_rnn_desc*") long desc, int index);

  static native @Cast("int64_t") long jrnn_rnn_param_rows(
      @Cast("const jrnn_rnn_desc*") long desc, int index);

  static native @Cast("int64_t") long jrnn_rnn_param_cols(
      @Cast("const jrnn_rnn_desc*") long desc, int index);

  static native @Cast("size_t") long jrnn_rnn_reserve_bytes(
      @Cast("const jrnn_context*") long ctx,
      @Cast("const jrnn_rnn_desc*") long desc,
      @Cast("int64_t") long t,
      @Cast("int64_t") long n);

  static native @Cast("size_t") long jrnn_rnn_scratch_bytes(
      @Cast("const jrnn_context*") long ctx,
      @Cast("const jrnn_rnn_desc*") long desc,
      @Cast("int64_t") long t,
      @Cast("int64_t") long n,
      int pass);

  static native int jrnn_rnn_forward(
      @Cast("jrnn_context*") long ctx,
      @Cast("const jrnn_rnn_desc*") long desc,
      @Cast("int64_t") long t,
      @Cast("int64_t") long n,
      @Cast("const int32_t*") int[] lengths,
      @Cast("const float*") long x,
      @Cast("const float*") long h0,
      @Cast("const float*") long c0,
      @Cast("const float*") long w,
      @Cast("float*") long y,
      @Cast("float*") long hy,
      @Cast("float*") long cy,
      @Cast("void*") long reserve,
      @Cast("void*") long scratch);

  static native int jrnn_rnn_backward(
      @Cast("jrnn_context*") long ctx,
      @Cast("const jrnn_rnn_desc*") long desc,
      @Cast("int64_t") long t,
      @Cast("int64_t") long n,
      @Cast("const int32_t*") int[] lengths,
      @Cast("const float*") long x,
      @Cast("const float*") long h0,
      @Cast("const float*") long c0,
      @Cast("const float*") long w,
      @Cast("const float*") long dy,
      @Cast("const float*") long dhy,
      @Cast("const float*") long dcy,
      @Cast("float*") long dx,
      @Cast("float*") long dh0,
      @Cast("float*") long dc0,
      @Cast("float*") long dw,
      @Cast("const void*") long reserve,
      @Cast("void*") long scratch);

  static native int jrnn_rnn_step(
      @Cast("jrnn_context*") long ctx,
      @Cast("const jrnn_rnn_desc*") long desc,
      @Cast("int64_t") long n,
      @Cast("const float*") long x,
      @Cast("const float*") long hx,
      @Cast("const float*") long cx,
      @Cast("const float*") long w,
      @Cast("float*") long y,
      @Cast("float*") long hy,
      @Cast("float*") long cy,
      @Cast("void*") long scratch);

  // ------------------------------------------------------------------ int32 host copies (ids,
  // targets)
  static native int jrnn_copy_from_host(
      @Cast("jrnn_context*") long ctx,
      @Cast("void*") long dst,
      @Cast("const void*") int[] src,
      @Cast("size_t") long bytes);

  static native int jrnn_copy_to_host(
      @Cast("jrnn_context*") long ctx,
      @Cast("void*") int[] dst,
      @Cast("const void*") long src,
      @Cast("size_t") long bytes);

  // ------------------------------------------------------------------ layers, losses, optimisers
  static native int jrnn_linear_forward(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long m,
      @Cast("int64_t") long i,
      @Cast("int64_t") long o,
      @Cast("const float*") long x,
      @Cast("const float*") long w,
      @Cast("const float*") long b,
      @Cast("float*") long y);

  static native int jrnn_linear_backward(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long m,
      @Cast("int64_t") long i,
      @Cast("int64_t") long o,
      @Cast("const float*") long x,
      @Cast("const float*") long w,
      @Cast("const float*") long dy,
      @Cast("float*") long dx,
      @Cast("float*") long dw,
      @Cast("float*") long db);

  static native int jrnn_embedding_forward(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long m,
      @Cast("int64_t") long v,
      @Cast("int64_t") long e,
      @Cast("const int32_t*") long ids,
      @Cast("const float*") long table,
      @Cast("float*") long y);

  static native int jrnn_embedding_backward(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long m,
      @Cast("int64_t") long v,
      @Cast("int64_t") long e,
      @Cast("const int32_t*") long ids,
      @Cast("const float*") long dy,
      @Cast("float*") long dtable);

  static native int jrnn_softmax_cross_entropy(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long m,
      @Cast("int64_t") long k,
      @Cast("const float*") long logits,
      @Cast("const int32_t*") long targets,
      float labelSmoothing,
      float scale,
      @Cast("float*") long loss,
      @Cast("float*") long dlogits);

  static native int jrnn_softmax(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long m,
      @Cast("int64_t") long k,
      @Cast("const float*") long x,
      int logSoftmax,
      @Cast("float*") long y);

  static native int jrnn_log_softmax_top(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long m,
      @Cast("int64_t") long k,
      @Cast("const float*") long x,
      @Cast("int64_t") long top,
      @Cast("const int32_t*") int[] exclude,
      @Cast("int64_t") long nExclude,
      @Cast("float*") float[] values,
      @Cast("int32_t*") int[] indices);

  static native int jrnn_bce_with_logits(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long m,
      @Cast("const float*") long z,
      @Cast("const float*") long t,
      @Cast("const float*") long w,
      float scale,
      @Cast("float*") long loss,
      @Cast("float*") long dz);

  static native int jrnn_mse(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long m,
      @Cast("int64_t") long k,
      @Cast("const float*") long p,
      @Cast("const float*") long t,
      @Cast("const float*") long w,
      float scale,
      @Cast("float*") long loss,
      @Cast("float*") long dp);

  static native int jrnn_dropout(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long count,
      float p,
      @Cast("uint64_t") long seed,
      @Cast("const float*") long x,
      @Cast("float*") long y);

  static native int jrnn_gather_last(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long t,
      @Cast("int64_t") long n,
      @Cast("int64_t") long f,
      @Cast("const int32_t*") int[] lengths,
      @Cast("const float*") long y,
      @Cast("float*") long out);

  static native int jrnn_gather_last_backward(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long t,
      @Cast("int64_t") long n,
      @Cast("int64_t") long f,
      @Cast("const int32_t*") int[] lengths,
      @Cast("const float*") long dout,
      @Cast("float*") long dy);

  static native int jrnn_sum_squares(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long count,
      @Cast("const float*") long x,
      double[] result);

  static native int jrnn_check_finite(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long count,
      @Cast("const float*") long x,
      int[] result,
      @Cast("int64_t*") long[] firstBad);

  static native int jrnn_scale(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long count,
      float alpha,
      @Cast("float*") long x);

  static native int jrnn_clip_values(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long count,
      float limit,
      @Cast("float*") long x);

  static native int jrnn_axpy(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long count,
      float alpha,
      @Cast("const float*") long x,
      @Cast("float*") long y);

  static native int jrnn_sgd_update(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long count,
      @Cast("float*") long w,
      @Cast("const float*") long g,
      @Cast("float*") long momentumBuf,
      float lr,
      float momentum,
      float weightDecay,
      int nesterov,
      @Cast("int64_t") long step);

  static native int jrnn_adam_update(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long count,
      @Cast("float*") long w,
      @Cast("const float*") long g,
      @Cast("float*") long m,
      @Cast("float*") long v,
      float lr,
      float beta1,
      float beta2,
      float eps,
      float weightDecay,
      int decoupled,
      @Cast("int64_t") long step);

  static native int jrnn_rmsprop_update(
      @Cast("jrnn_context*") long ctx,
      @Cast("int64_t") long count,
      @Cast("float*") long w,
      @Cast("const float*") long g,
      @Cast("float*") long sq,
      @Cast("float*") long momentumBuf,
      float lr,
      float alpha,
      float eps,
      float weightDecay,
      float momentum);
}
