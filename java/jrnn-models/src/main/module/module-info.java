/**
 * jrnn's models: tokenizers, readers and batches ({@code data}), the models ({@code models}) and
 * one decoding stack for every step model ({@code decode}).
 */
module org.jrnn.models {
  requires transitive org.jrnn.train;

  exports org.jrnn.data;
  exports org.jrnn.decode;
  exports org.jrnn.models;

  uses org.jrnn.models.ModelType;
}
