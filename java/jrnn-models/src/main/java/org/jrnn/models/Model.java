/*
 * Model: what ModelFiles needs of a jrnn model besides its parameters (a kind name and a config).
 */
package org.jrnn.models;

import org.jrnn.nn.Trainable;

/**
 * A complete model that {@link ModelFiles} can save and rebuild: its {@link #kind()} picks the
 * class and its {@link #configJson()} rebuilds the architecture; the parameters ({@link
 * #parameters()}) carry PyTorch-style names such as {@code "rnn.weight_ih_l0"}.
 */
public interface Model extends Trainable {
  /** The model kind stored as {@code "jrnn.model"}, e.g. {@code "sequence-classifier"}. */
  String kind();

  /** The config as JSON, stored as {@code "jrnn.config"}. */
  String configJson();
}
