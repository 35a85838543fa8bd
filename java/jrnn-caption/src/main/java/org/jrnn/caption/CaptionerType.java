/*
 * CaptionerType: plugs the captioner into org.jrnn.models.ModelFiles (a ServiceLoader provider), so
 * one loader reads every model file, captioners included.
 */
package org.jrnn.caption;

import org.jrnn.Device;
import org.jrnn.models.Model;
import org.jrnn.models.ModelType;

/** The {@link Captioner#KIND} model type, found by {@link org.jrnn.models.ModelFiles#load}. */
public final class CaptionerType implements ModelType {
  /** For {@link java.util.ServiceLoader}. */
  public CaptionerType() {}

  @Override
  public String kind() {
    return Captioner.KIND;
  }

  @Override
  public Model create(String configJson, Device device) {
    return Captioner.Config.fromJson(configJson).toBuilder().device(device).build();
  }
}
