/*
 * ModelType: how ModelFiles rebuilds one kind of model from its file. The models of this package
 * are built in; modules above (jrnn-caption's captioner, a user's own model) plug theirs in through
 * java.util.ServiceLoader, so one loader serves every model file.
 */
package org.jrnn.models;

import org.jrnn.Device;

/**
 * A kind of {@link Model} that {@link ModelFiles#load} can rebuild: register an implementation in
 * {@code META-INF/services/org.jrnn.models.ModelType} (and {@code provides
 * org.jrnn.models.ModelType with ...} in a module-info).
 */
public interface ModelType {
  /** The {@link Model#kind()} this type builds, e.g. {@code "captioner"}; unique among types. */
  String kind();

  /**
   * A new model (fresh parameters, which the loader then overwrites) from the config JSON that
   * {@link Model#configJson()} wrote.
   *
   * @param configJson the config, as saved. Not modified.
   * @param device where the model's parameters live
   * @return the model, owned by the caller
   * @throws org.jrnn.JrnnException when the config is malformed (the loader names the file)
   */
  Model create(String configJson, Device device);
}
