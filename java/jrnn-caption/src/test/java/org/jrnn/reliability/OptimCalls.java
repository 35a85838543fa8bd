/*
 * OptimCalls: fuzz calls of the optimisers (Sgd, Adam, AdamW, RmsProp: hyper-parameters, steps on
 * finite, huge and NaN gradients, state save and restore, restoring garbage) and of gradient
 * clipping.
 */
package org.jrnn.reliability;

import static org.jrnn.reliability.Call.Ctx.check;
import static org.jrnn.reliability.Call.Ctx.checkFinite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.Device;
import org.jrnn.nn.Embedding;
import org.jrnn.nn.Linear;
import org.jrnn.nn.Parameter;
import org.jrnn.optim.Adam;
import org.jrnn.optim.AdamW;
import org.jrnn.optim.GradientClipping;
import org.jrnn.optim.Optimizer;
import org.jrnn.optim.OptimizerState;
import org.jrnn.optim.RmsProp;
import org.jrnn.optim.Sgd;

/** Generators for the optim family. */
final class OptimCalls {
  private OptimCalls() {}

  /** Parameters of a small Linear and Embedding, owned by {@code c}, with random gradients. */
  static List<Parameter> params(Call.Ctx c, Gen g, float[] gradSeed) {
    Linear l =
        c.own(
            Linear.builder()
                .inFeatures(g.between(1, 3))
                .outFeatures(g.between(1, 3))
                .bias(g.coin())
                .seed(1)
                .device(Device.cpu())
                .build());
    Embedding e =
        c.own(
            Embedding.builder()
                .vocabSize(g.between(1, 4))
                .dim(g.between(1, 3))
                .seed(2)
                .device(Device.cpu())
                .build());
    List<Parameter> out = new ArrayList<>();
    for (Parameter p : l.parameters()) {
      out.add(new Parameter("linear." + p.name(), p.value(), p.grad()));
    }
    for (Parameter p : e.parameters()) {
      out.add(new Parameter("embedding." + p.name(), p.value(), p.grad()));
    }
    int k = 0;
    for (Parameter p : out) {
      float[] gr = new float[(int) p.grad().numel()];
      for (int i = 0; i < gr.length; i++) {
        gr[i] = gradSeed[k++ % gradSeed.length];
      }
      p.grad().copyFrom(gr);
    }
    return out;
  }

  /** A valid optimiser of a random kind with random valid hyper-parameters. */
  static Optimizer optimizer(Gen g, List<Parameter> params, int kind) {
    double lr = g.pick(1e-3, 0.01, 0.1, 0.0);
    return switch (kind) {
      case 0 -> {
        double momentum = g.pick(0.0, 0.5, 0.9);
        yield Sgd.builder()
            .lr(lr)
            .momentum(momentum)
            .weightDecay(g.pick(0.0, 0.01))
            .nesterov(momentum > 0 && g.coin())
            .build(params);
      }
      case 1 ->
          Adam.builder()
              .lr(lr)
              .betas(g.pick(0.9, 0.0), g.pick(0.999, 0.5))
              .eps(g.pick(1e-8, 1e-3))
              .weightDecay(g.pick(0.0, 0.1))
              .build(params);
      case 2 -> AdamW.builder().lr(lr).weightDecay(g.pick(0.0, 0.01)).build(params);
      default ->
          RmsProp.builder()
              .lr(lr)
              .alpha(g.pick(0.99, 0.5))
              .momentum(g.pick(0.0, 0.9))
              .weightDecay(g.pick(0.0, 0.01))
              .build(params);
    };
  }

  static float[] grads(Gen g) {
    return g.floats(g.between(1, 7));
  }

  static Call optim(Gen g) {
    int kind = g.between(0, 9);
    int opt = g.between(0, 3);
    float[] gs = grads(g);
    long seed = g.nextLong();
    String name = new String[] {"Sgd", "Adam", "AdamW", "RmsProp"}[opt];
    switch (kind) {
      case 0:
      case 1:
        return Call.good(
            "optim",
            name + " steps and state round trip",
            c -> {
              List<Parameter> ps = params(c, new Gen(seed), gs);
              Optimizer o = c.own(optimizer(new Gen(seed + 1), ps, opt));
              float[][] before = values(ps);
              int steps = new Gen(seed).between(1, 3);
              for (int i = 0; i < steps; i++) {
                o.step();
              }
              check(o.stepCount() == steps, "stepCount " + o.stepCount());
              float[][] after = values(ps);
              for (int i = 0; i < ps.size(); i++) {
                checkFinite(after[i], ps.get(i).name());
              }
              if (o.learningRate() > 0 && nonZero(gs)) {
                check(!Arrays.deepEquals(before, after), "a step with lr > 0 changed nothing");
              }
              OptimizerState s = o.state();
              Optimizer o2 = c.own(optimizer(new Gen(seed + 1), ps, opt));
              o2.loadState(s);
              check(sameState(o2.state(), s), "state after loadState differs from the saved one");
            });
      case 2:
        {
          int variant = g.between(0, 12);
          double bad = g.pick(-1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
          return Call.bad(
              "optim",
              name + " bad hyper-parameter variant " + variant + " value " + bad,
              c -> {
                List<Parameter> ps = params(c, g, gs);
                Optimizer o =
                    switch (variant) {
                      case 0 -> Sgd.builder().lr(bad).build(ps);
                      case 1 -> Sgd.builder().momentum(g.pick(1.0, -0.5, Double.NaN)).build(ps);
                      case 2 -> Sgd.builder().nesterov(true).build(ps);
                      case 3 ->
                          Adam.builder().betas(g.pick(1.0, -0.1, Double.NaN), 0.999).build(ps);
                      case 4 -> Adam.builder().betas(0.9, g.pick(1.0, 1.5, Double.NaN)).build(ps);
                      case 5 -> Adam.builder().eps(bad).build(ps);
                      case 6 -> AdamW.builder().weightDecay(bad).build(ps);
                      case 7 -> RmsProp.builder().alpha(g.pick(1.0, -0.1, Double.NaN)).build(ps);
                      case 8 -> RmsProp.builder().momentum(g.pick(1.0, -1.0)).build(ps);
                      case 9 -> Adam.builder().lr(bad).build(ps);
                      case 10 -> {
                        List<Parameter> twice = new ArrayList<>(ps);
                        twice.add(ps.get(0));
                        yield Adam.builder().lr(0.1).build(twice);
                      }
                      case 11 -> {
                        Optimizer ok = c.own(Sgd.builder().lr(0.1).build(ps));
                        ok.setLearningRate(bad);
                        yield ok;
                      }
                      default -> {
                        List<Parameter> withNull = new ArrayList<>(ps);
                        withNull.add(null);
                        yield g.coin()
                            ? Sgd.builder().lr(0.1).build(null)
                            : Sgd.builder().lr(0.1).build(withNull);
                      }
                    };
                c.own(o);
              });
        }
      case 3:
        { // a learning rate or hyper-parameter finite as a double but infinite as a float
          int variant = g.between(0, 2);
          return Call.bad(
              "optim",
              name + " hyper-parameter 1e300 variant " + variant,
              c -> {
                List<Parameter> ps = params(c, g, gs);
                Optimizer o =
                    c.own(
                        switch (variant) {
                          case 0 -> Sgd.builder().lr(1e300).build(ps);
                          case 1 -> Adam.builder().weightDecay(1e300).build(ps);
                          default -> RmsProp.builder().eps(1e300).build(ps);
                        });
                o.step();
              });
        }
      case 4:
        { // non-finite or huge gradients: the step must not crash; clipping leaves NaN alone
          float weird = g.weirdFloat();
          return Call.either(
              "optim",
              name + " step with a gradient of " + weird,
              c -> {
                float[] grads = gs.clone();
                grads[0] = weird;
                List<Parameter> ps = params(c, g, grads);
                double norm = GradientClipping.globalNorm(ps);
                float[][] gradsBefore = gradients(ps);
                double got = GradientClipping.byNorm(1.0).apply(ps);
                check(
                    Double.compare(got, norm) == 0 || Math.abs(got - norm) <= 1e-9 * norm,
                    "apply returned " + got + ", globalNorm " + norm);
                if (!Double.isFinite(norm)) {
                  check(
                      Arrays.deepEquals(gradsBefore, gradients(ps)),
                      "clipping changed non-finite gradients");
                } else {
                  double after = GradientClipping.globalNorm(ps);
                  check(after <= 1.0 + 1e-4, "norm after clipping to 1 is " + after);
                }
                Optimizer o = c.own(optimizer(g, ps, opt));
                o.step();
              });
        }
      case 5:
        { // clipping by norm and by value on finite gradients
          double limit = g.pick(0.01, 0.5, 1.0, 10.0);
          boolean byValue = g.coin();
          return Call.good(
              "optim",
              "GradientClipping."
                  + (byValue ? "byValue(" : "byNorm(")
                  + limit
                  + ") grads="
                  + Gen.brief(gs),
              c -> {
                List<Parameter> ps = params(c, g, gs);
                double norm = GradientClipping.globalNorm(ps);
                double got =
                    (byValue ? GradientClipping.byValue(limit) : GradientClipping.byNorm(limit))
                        .apply(ps);
                check(
                    Math.abs(got - norm) <= 1e-9 * (1 + norm),
                    "apply returned " + got + " not the norm " + norm);
                if (byValue) {
                  for (float[] a : gradients(ps)) {
                    for (float v : a) {
                      check(Math.abs(v) <= limit * (1 + 1e-6), "gradient " + v + " above " + limit);
                    }
                  }
                } else {
                  double after = GradientClipping.globalNorm(ps);
                  check(
                      after <= limit * (1 + 1e-4)
                          && (norm > limit || Math.abs(after - norm) <= 1e-6 * norm),
                      "norm " + norm + " clipped to " + limit + " is " + after);
                }
              });
        }
      case 6:
        {
          double limit = g.pick(0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY);
          return Call.bad(
              "optim",
              "GradientClipping limit " + limit,
              c ->
                  (g.coin() ? GradientClipping.byNorm(limit) : GradientClipping.byValue(limit))
                      .toString());
        }
      case 7:
        return loadGarbage(g, opt, gs, name);
      case 8:
        {
          int variant = g.between(0, 2);
          return Call.bad(
              "optim",
              name + " used after close, variant " + variant,
              c -> {
                List<Parameter> ps = params(c, g, gs);
                Optimizer o = c.own(optimizer(g, ps, opt));
                o.step();
                OptimizerState s = o.state();
                o.close();
                o.close();
                switch (variant) {
                  case 0 -> o.step();
                  case 1 -> o.state();
                  default -> o.loadState(s);
                }
              });
        }
      default:
        {
          int variant = g.between(0, 4);
          return Call.of(
              "optim",
              variant < 4,
              "new OptimizerState variant " + variant,
              c -> {
                switch (variant) {
                  case 0 -> new OptimizerState(null, 0.1, Map.of(), Map.of());
                  case 1 -> new OptimizerState("adam", 0.1, null, Map.of());
                  case 2 -> new OptimizerState("adam", 0.1, Map.of(), null);
                  case 3 -> {
                    List<Parameter> ps = params(c, g, gs);
                    c.own(optimizer(g, ps, opt)).loadState(null);
                  }
                  default -> {
                    OptimizerState s = new OptimizerState("adam", 0.1, Map.of("w", 2L), Map.of());
                    check(
                        s.steps().get("w") == 2L && s.buffers().isEmpty(), "OptimizerState fields");
                  }
                }
              });
        }
    }
  }

  /** loadState with a damaged state: refused, and the optimiser unchanged. */
  private static Call loadGarbage(Gen g, int opt, float[] gs, String name) {
    int variant = g.between(0, 8);
    long seed = g.nextLong();
    return Call.bad(
        "optim",
        name + " loadState garbage variant " + variant,
        c -> {
          List<Parameter> ps = params(c, new Gen(seed), gs);
          Optimizer o = c.own(optimizer(new Gen(seed + 1), ps, opt));
          o.step();
          OptimizerState good = o.state();
          Map<String, Long> steps = new LinkedHashMap<>(good.steps());
          Map<String, float[]> buffers = new LinkedHashMap<>(good.buffers());
          String first = ps.get(0).name();
          String aBuffer =
              buffers.isEmpty() ? first + ".momentum_buffer" : buffers.keySet().iterator().next();
          String optName = good.optimizer();
          double lr = good.learningRate();
          switch (variant) {
            case 0 -> optName = optName + "x";
            case 1 -> steps.remove(first);
            case 2 -> buffers.put(aBuffer, new float[(int) ps.get(0).value().numel() + 1]);
            case 3 -> buffers.put("no.such.buffer", new float[1]);
            case 4 -> {
              if (buffers.remove(aBuffer) == null || o.bufferNames().size() < 2) {
                buffers.put("no.such.buffer", new float[1]); // nothing to remove without a half set
              }
            }
            case 5 -> lr = g.pick(Double.NaN, -1.0, Double.POSITIVE_INFINITY);
            case 6 -> steps.put(first, g.pick(-1L, Long.MIN_VALUE));
            case 7 -> buffers.put(aBuffer, null);
            default -> steps.put("no.such.parameter", 1L);
          }
          OptimizerState bad = new OptimizerState(optName, lr, steps, buffers);
          o.step(); // the state to keep differs from the one saved
          OptimizerState current = o.state();
          try {
            o.loadState(bad);
          } catch (RuntimeException e) {
            check(sameState(o.state(), current), "a refused loadState changed the optimiser state");
            throw e;
          }
        });
  }

  static float[][] values(List<Parameter> ps) {
    float[][] out = new float[ps.size()][];
    for (int i = 0; i < ps.size(); i++) {
      out[i] = ps.get(i).value().toArray();
    }
    return out;
  }

  static float[][] gradients(List<Parameter> ps) {
    float[][] out = new float[ps.size()][];
    for (int i = 0; i < ps.size(); i++) {
      out[i] = ps.get(i).grad().toArray();
    }
    return out;
  }

  static boolean nonZero(float[] a) {
    for (float v : a) {
      if (v != 0) {
        return true;
      }
    }
    return false;
  }

  static boolean sameState(OptimizerState a, OptimizerState b) {
    if (!a.optimizer().equals(b.optimizer())
        || Double.compare(a.learningRate(), b.learningRate()) != 0
        || !a.steps().equals(b.steps())
        || !a.buffers().keySet().equals(b.buffers().keySet())) {
      return false;
    }
    for (String k : a.buffers().keySet()) {
      if (!Arrays.equals(a.buffers().get(k), b.buffers().get(k))) {
        return false;
      }
    }
    return true;
  }
}
