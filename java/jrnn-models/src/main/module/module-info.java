/**
 * jrnn's models: tokenizers, readers and batches ({@code data}), the models ({@code models}), one
 * decoding stack for every step model ({@code decode}) and sequence metrics ({@code metrics}: edit
 * distance, error rates, corpus BLEU).
 */
module org.jrnn.models {
  requires transitive org.jrnn.train;

  exports org.jrnn.data;
  exports org.jrnn.decode;
  exports org.jrnn.metrics;
  exports org.jrnn.models;

  uses org.jrnn.models.ModelType;
}
