/**
 * jrnn's core: the typed facade ({@code org.jrnn}: Device, Tensor, Scope, SequenceBatch, Cell,
 * Recurrent, Ops) over a package-private JavaCPP binding to libjrnn, safetensors I/O and PyTorch
 * interop. {@code org.jrnn.internal} (argument checks, quoting, small helpers) is for jrnn's own
 * modules only.
 */
module org.jrnn.core {
  requires org.bytedeco.javacpp;
  requires org.bytedeco.openblas;

  exports org.jrnn;
  exports org.jrnn.io;
  exports org.jrnn.interop;
  exports org.jrnn.internal to
      org.jrnn.train,
      org.jrnn.models,
      org.jrnn.caption,
      org.jrnn.notebook,
      org.jrnn.cli;

  // JavaCPP loads the binding's libraries from this package's resources (org/jrnn/<platform>/)
  opens org.jrnn to
      org.bytedeco.javacpp;
}
