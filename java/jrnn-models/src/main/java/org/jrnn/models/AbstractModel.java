/*
 * AbstractModel: what every jrnn model does alike (its kind, config, device, the parameter list
 * of the layers it owns, freeing those layers, and a readable toString), written once.
 */
package org.jrnn.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.jrnn.Device;
import org.jrnn.internal.Arguments;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.ParameterTable;
import org.jrnn.nn.Parameters;
import org.jrnn.nn.Trainable;

/**
 * A {@link Model} built of layers it owns. A subclass's constructor makes each layer through {@link
 * #own}, which appends the layer's parameters under a module prefix ({@code "rnn"} gives {@code
 * "rnn.weight_ih_l0"}, ...) and frees the layer on {@link #close()}, newest first. A constructor
 * that fails half-way calls {@link #closeAfterFailure()} before it rethrows.
 */
public abstract class AbstractModel implements Model {
  private final String kind;
  private final Device device;
  private final Supplier<String> configJson;
  private final List<Trainable> owned = new ArrayList<>();
  private final List<Parameter> parameters = new ArrayList<>();
  private final List<Parameter> readOnlyParameters = Collections.unmodifiableList(parameters);

  /**
   * @param kind what {@link #kind()} returns
   * @param device where the layers live
   * @param configJson what {@link #configJson()} returns, asked for each time
   */
  protected AbstractModel(String kind, Device device, Supplier<String> configJson) {
    this.kind = Arguments.notNull("kind", kind);
    this.device = Arguments.notNull("device", device);
    this.configJson = Arguments.notNull("configJson", configJson);
  }

  /**
   * Takes ownership of a freshly made layer: its parameters follow those owned before, named {@code
   * prefix + "." + name}, and {@link #close()} frees it. Call only from the constructor.
   *
   * @return {@code layer}
   */
  protected final <T extends Trainable> T own(String prefix, T layer) {
    owned.add(layer);
    parameters.addAll(Parameters.prefixed(prefix, layer));
    return layer;
  }

  /**
   * Frees the layers owned so far, newest first, when the constructor fails. Their own failures are
   * dropped: the constructor's exception is the one to report.
   */
  protected final void closeAfterFailure() {
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (RuntimeException suppressed) {
        // see above
      }
    }
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public String configJson() {
    return configJson.get();
  }

  @Override
  public List<Parameter> parameters() {
    return readOnlyParameters;
  }

  @Override
  public Device device() {
    return device;
  }

  /** Frees every owned layer, newest first. */
  @Override
  public void close() {
    for (int i = owned.size() - 1; i >= 0; i--) {
      owned.get(i).close();
    }
  }

  /**
   * A readable summary: class, device, parameter count, and each parameter's name, shape and count
   * ({@link ParameterTable}) and the config, so printing a model in a notebook or a log shows its
   * layers.
   */
  @Override
  public String toString() {
    return ParameterTable.describe(this, kind()) + "\nconfig: " + configJson().strip();
  }
}
