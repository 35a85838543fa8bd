/**
 * jrnn's training: layers ({@code nn}), optimisers ({@code optim}), the Trainer and its listeners.
 */
module org.jrnn.train {
  requires transitive org.jrnn.core;

  exports org.jrnn.nn;
  exports org.jrnn.optim;
  exports org.jrnn.train;
}
