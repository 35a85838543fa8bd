/*
 * CoreCalls: fuzz calls of the core API (org.jrnn): Device, Tensor, Scope, SequenceBatch and
 * Recurrent (builder, forward, forwardTrain/backward, step).
 */
package org.jrnn.reliability;

import static org.jrnn.reliability.Call.Ctx.check;
import static org.jrnn.reliability.Call.Ctx.checkClose;
import static org.jrnn.reliability.Call.Ctx.checkFinite;
import static org.jrnn.reliability.Call.Ctx.checkShape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jrnn.Cell;
import org.jrnn.Device;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentGradients;
import org.jrnn.RecurrentOutput;
import org.jrnn.RecurrentState;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;

/** Generators for the core API families. */
final class CoreCalls {
  private CoreCalls() {}

  // ------------------------------------------------------------------ device

  static Call device(Gen g) {
    int kind = g.between(0, 4);
    switch (kind) {
      case 0:
        {
          String name = g.pick("cpu", "CPU", " cpu ", "Cpu");
          return Call.good(
              "device",
              "Device.parse(" + Gen.brief(name) + ")",
              c -> {
                Device d = Device.parse(name);
                check(
                    d.isCpu() && d.equals(Device.cpu()) && d.toString().equals("cpu"),
                    "parsed " + d);
                check(Device.parse(d.toString()).equals(d), "toString does not parse back");
              });
        }
      case 1:
        {
          String name =
              g.pick(
                  g.text(12),
                  "",
                  "cuda:-1",
                  "cuda:x",
                  "cuda:99999999999",
                  "tpu",
                  "cuda:",
                  "cpu:0",
                  "gpu:1");
          boolean cpu = name.trim().equalsIgnoreCase("cpu");
          return new Call(
              "device",
              cpu ? Call.Expect.GOOD : Call.Expect.BAD,
              "Device.parse(" + Gen.brief(name) + ")",
              c -> Device.parse(name),
              false);
        }
      case 2:
        {
          int index = g.pick(0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
          // CUDA devices exist only on some machines: an index below the count must give that GPU
          return Call.either(
              "device",
              "Device.cuda(" + index + ")",
              c -> {
                Device d = Device.cuda(index);
                check(
                    d.isCuda() && d.index() == index && index < Device.cudaDeviceCount(),
                    "Device.cuda("
                        + index
                        + ") gave "
                        + d
                        + " with "
                        + Device.cudaDeviceCount()
                        + " GPUs");
              });
        }
      case 3:
        return Call.bad("device", "Device.parse(null)", c -> Device.parse(null));
      default:
        return Call.good(
            "device",
            "Device.cpu().cachedBytes()/releaseCachedMemory()",
            c -> {
              Device d = Device.cpu();
              check(d.cachedBytes() >= 0, "cachedBytes < 0");
              d.releaseCachedMemory();
              check(Device.cudaDeviceCount() >= 0, "cudaDeviceCount < 0");
            });
    }
  }

  // ------------------------------------------------------------------ tensor

  static Call tensor(Gen g) {
    int kind = g.between(0, 13);
    switch (kind) {
      case 0:
        { // zeros/empty with a good shape (sizes may be 0: an empty tensor)
          long[] shape = g.shape(g.between(0, 4), 4);
          if (shape.length > 0 && g.chance(0.15)) {
            shape[g.between(0, shape.length - 1)] = 0;
          }
          boolean empty = g.coin();
          long numel = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
          return Call.good(
              "tensor",
              (empty ? "Tensor.empty" : "Tensor.zeros") + Gen.brief(shape),
              c -> {
                Tensor t = c.own(empty ? Tensor.empty(Device.cpu(), shape) : Tensor.zeros(shape));
                checkShape(t.shape(), shape);
                check(t.numel() == numel && t.rank() == shape.length, "numel/rank");
                float[] a = t.toArray();
                check(a.length == numel, "toArray length " + a.length);
                if (!empty) {
                  for (float v : a) {
                    check(v == 0f, "zeros holds " + v);
                  }
                }
                check(t.toString().startsWith("Tensor"), "toString");
              });
        }
      case 1:
        { // zeros with a bad shape
          long[] shape =
              g.pick(
                  new long[] {-1},
                  new long[] {2, -3},
                  new long[] {1L << 40, 1L << 40},
                  new long[] {Long.MAX_VALUE},
                  new long[] {Long.MIN_VALUE, 0},
                  new long[] {1L << 62, 4},
                  new long[] {3, 0, -1});
          return Call.bad(
              "tensor", "Tensor.zeros" + Gen.brief(shape), c -> c.own(Tensor.zeros(shape)));
        }
      case 2:
        { // of: good
          long[] shape = g.shape(g.between(1, 3), 4);
          int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
          float[] data = g.floats(n);
          if (g.chance(0.2)) {
            data[g.between(0, n - 1)] = g.weirdFloat(); // values are stored as they are
          }
          return Call.good(
              "tensor",
              "Tensor.of(" + Gen.brief(data) + ", " + Gen.brief(shape) + ")",
              c -> {
                Tensor t = c.own(Tensor.of(data, shape));
                checkShape(t.shape(), shape);
                check(Arrays.equals(t.toArray(), data), "toArray differs from the data");
                Tensor copy = c.own(t.copy());
                check(Arrays.equals(copy.toArray(), data), "copy differs");
                t.zero();
                check(Arrays.equals(copy.toArray(), data), "copy shares memory with the original");
              });
        }
      case 3:
        { // of: bad
          int n = g.between(0, 6);
          float[] data = g.chance(0.2) ? null : g.floats(n);
          long[] shape =
              g.pick(
                  new long[] {n + 1L},
                  new long[] {-n - 1},
                  new long[] {1L << 40, 1L << 40},
                  new long[] {n, 2, 0, -1},
                  new long[] {n == 0 ? 1 : n, 2});
          return Call.bad(
              "tensor",
              "Tensor.of(" + Gen.brief(data) + ", " + Gen.brief(shape) + ")",
              c -> c.own(Tensor.of(data, shape)));
        }
      case 4:
        { // view: good, writes shared
          int n = g.between(1, 12);
          float[] data = g.floats(n);
          int off = g.between(0, n - 1);
          int len = g.between(0, n - off);
          return Call.good(
              "tensor",
              "Tensor.of(float[" + n + "]).view(" + off + ", " + len + ")",
              c -> {
                Tensor t = c.own(Tensor.of(data));
                Tensor v = c.own(t.view(off, len));
                check(v.isView() && v.numel() == len, "view facts");
                check(
                    Arrays.equals(v.toArray(), Arrays.copyOfRange(data, off, off + len)),
                    "view values");
                if (len > 0) {
                  v.set(42f, 0);
                  check(t.get(off) == 42f, "a write through the view is not seen by the parent");
                }
                v.close();
                check(!t.isClosed(), "closing a view closed its parent");
                t.close();
                check(t.isClosed() && v.isClosed(), "close did not close");
              });
        }
      case 5:
        { // view: bad
          int n = g.between(1, 8);
          long off = g.pick(-1L, (long) n + 1, Long.MAX_VALUE, (long) n, Long.MIN_VALUE);
          long[] shape = off == n ? new long[] {1} : new long[] {g.between(0, 2)};
          return Call.bad(
              "tensor",
              "Tensor.zeros(" + n + ").view(" + off + ", " + Gen.brief(shape) + ")",
              c -> c.own(c.own(Tensor.zeros(n)).view(off, shape)));
        }
      case 6:
        { // use after close, of the tensor or of the parent of a view
          boolean viaView = g.coin();
          int op = g.between(0, 9);
          return Call.bad(
              "tensor",
              (viaView ? "view of closed tensor" : "closed tensor") + ", op " + op,
              c -> {
                Tensor owner = c.own(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
                Tensor t = viaView ? c.own(owner.view(1, 2)) : owner;
                owner.close();
                check(t.isClosed(), "isClosed is false after close");
                Tensor other = c.own(Tensor.zeros(t.shape()));
                switch (op) {
                  case 0 -> t.toArray();
                  case 1 -> t.get(0, 0);
                  case 2 -> t.set(1f, 0, 0);
                  case 3 -> t.zero();
                  case 4 -> t.copyFrom(new float[(int) t.numel()]);
                  case 5 -> t.copyFrom(other);
                  case 6 -> other.copyFrom(t);
                  case 7 -> c.own(t.copy());
                  case 8 -> c.own(t.view(0, 1));
                  default -> t.keep();
                }
                check(t.toString().contains("closed"), "toString of a closed tensor");
              });
        }
      case 7:
        { // get/set index errors
          long[] shape = g.shape(g.between(1, 3), 3);
          long[] index =
              g.pick(
                  new long[0],
                  new long[] {-1},
                  Arrays.copyOf(shape, shape.length),
                  new long[] {0, 0, 0, 0},
                  null);
          boolean set = g.coin();
          return Call.bad(
              "tensor",
              "Tensor.zeros"
                  + Gen.brief(shape)
                  + (set ? ".set(1, " : ".get(")
                  + Gen.brief(index)
                  + ")",
              c -> {
                Tensor t = c.own(Tensor.zeros(shape));
                if (set) {
                  t.set(1f, index);
                } else {
                  t.get(index);
                }
              });
        }
      case 8:
        { // copyFrom errors
          int n = g.between(1, 6);
          int variant = g.between(0, 3);
          return Call.bad(
              "tensor",
              "copyFrom variant " + variant + " into [" + n + "]",
              c -> {
                Tensor t = c.own(Tensor.zeros(n));
                switch (variant) {
                  case 0 -> t.copyFrom(new float[n + 1]);
                  case 1 -> t.copyFrom((float[]) null);
                  case 2 -> t.copyFrom((Tensor) null);
                  default -> t.copyFrom(c.own(Tensor.zeros(n, 1)));
                }
              });
        }
      case 9:
        { // copyFrom between overlapping views of one tensor
          int n = g.between(2, 10);
          int a = g.between(0, n - 1);
          int b = g.between(0, n - 1);
          int len = g.between(1, n - Math.max(a, b));
          float[] data = g.floats(n);
          return Call.good(
              "tensor",
              "overlapping views copy: n=" + n + " dst@" + a + " src@" + b + " len=" + len,
              c -> {
                Tensor t = c.own(Tensor.of(data));
                c.own(t.view(a, len)).copyFrom(c.own(t.view(b, len)));
                float[] expected = data.clone();
                System.arraycopy(data, b, expected, a, len);
                check(
                    Arrays.equals(t.toArray(), expected),
                    "overlapping copy gave "
                        + Arrays.toString(t.toArray())
                        + ", expected "
                        + Arrays.toString(expected));
              });
        }
      case 10:
        { // dim
          long[] shape = g.shape(g.between(0, 3), 4);
          int i = g.between(-5, 5);
          boolean ok = i >= -shape.length && i < shape.length;
          return Call.of(
              "tensor",
              !ok,
              "Tensor.zeros" + Gen.brief(shape) + ".dim(" + i + ")",
              c -> {
                long d = c.own(Tensor.zeros(shape)).dim(i);
                check(d == shape[i < 0 ? shape.length + i : i], "dim gave " + d);
              });
        }
      case 11:
        { // close is idempotent, keep detaches from the scope
          return Call.good(
              "tensor",
              "Scope { zeros.keep() } then close twice",
              c -> {
                Tensor t;
                try (Scope s = Scope.open()) {
                  t = Tensor.zeros(3).keep();
                  check(s.size() == 0, "a kept tensor still belongs to the scope");
                }
                check(!t.isClosed(), "the scope closed a kept tensor");
                t.close();
                t.close();
                check(t.isClosed(), "not closed");
              });
        }
      case 12: // null device
        return Call.bad(
            "tensor", "Tensor.zeros((Device) null, 2)", c -> c.own(Tensor.zeros((Device) null, 2)));
      default:
        { // copy to another device: the CPU only here
          float[] data = g.floats(g.between(1, 5));
          return Call.good(
              "tensor",
              "Tensor.of(" + Gen.brief(data) + ").to(cpu)",
              c -> {
                Tensor t = c.own(Tensor.of(data));
                Tensor u = c.own(t.to(Device.cpu()));
                check(u != t && Arrays.equals(u.toArray(), data), "to(cpu) copy");
              });
        }
    }
  }

  // ------------------------------------------------------------------ scope

  static Call scope(Gen g) {
    int kind = g.between(0, 4);
    switch (kind) {
      case 0:
        return Call.good(
            "scope",
            "nested scopes, outer closed first",
            c -> {
              Scope outer = Scope.open();
              Tensor a = Tensor.zeros(2);
              Scope inner = Scope.open();
              Tensor b = Tensor.zeros(3);
              check(
                  inner.size() == 1 && outer.size() == 1,
                  "sizes " + outer.size() + ", " + inner.size());
              outer.close();
              check(
                  a.isClosed() && b.isClosed() && inner.isClosed(), "outer close left things open");
            });
      case 1:
        return Call.bad(
            "scope",
            "Scope.keep(null)",
            c -> {
              try (Scope s = Scope.open()) {
                s.keep(null);
              }
            });
      case 2:
        return Call.bad(
            "scope",
            "close a scope on another thread",
            c -> {
              Scope s = Scope.open();
              Throwable[] box = new Throwable[1];
              try {
                Thread t =
                    new Thread(
                        () -> {
                          try {
                            s.close();
                          } catch (Throwable e) {
                            box[0] = e;
                          }
                        });
                t.start();
                t.join();
              } finally {
                s.close();
              }
              if (box[0] instanceof RuntimeException e) {
                throw e;
              }
              if (box[0] instanceof Error e) {
                throw e;
              }
            });
      case 3:
        {
          int n = g.between(1, 20);
          return Call.good(
              "scope",
              "a scope frees " + n + " tensors",
              c -> {
                long before = Tensor.liveAllocations();
                List<Tensor> made = new ArrayList<>();
                try (Scope s = Scope.open()) {
                  for (int i = 0; i < n; i++) {
                    made.add(Tensor.zeros(i % 3 + 1));
                  }
                  check(s.size() == n, "size " + s.size());
                }
                for (Tensor t : made) {
                  check(t.isClosed(), "a tensor outlived its scope");
                }
                check(Tensor.liveAllocations() == before, "the scope did not free every tensor");
              });
        }
      default:
        return Call.good(
            "scope",
            "close a scope twice; closed tensors leave it",
            c -> {
              Scope s = Scope.open();
              Tensor a = Tensor.zeros(2);
              a.close();
              check(s.size() == 0, "a closed tensor still belongs to the scope");
              s.close();
              s.close();
              check(s.isClosed(), "not closed");
            });
    }
  }

  // ------------------------------------------------------------------ batch

  static Call batch(Gen g) {
    int n = g.between(1, 4);
    int t = g.between(1, 5);
    int ch = g.between(1, 3);
    int[] lengths = g.lengths(n, t);
    List<float[][]> seqs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[][] s = new float[lengths[i]][];
      for (int k = 0; k < lengths[i]; k++) {
        s[k] = g.floats(ch);
      }
      seqs.add(s);
    }
    int kind = g.between(0, 5);
    String shape = "N=" + n + " T=" + t + " C=" + ch + " lengths=" + Arrays.toString(lengths);
    switch (kind) {
      case 0:
        return Call.good(
            "batch",
            "SequenceBatch.fromList(" + shape + ")",
            c -> {
              SequenceBatch b = c.own(SequenceBatch.fromList(seqs));
              checkBatch(b, seqs, lengths, t, ch);
            });
      case 1:
        {
          float[][][] data = new float[n][t][];
          for (int i = 0; i < n; i++) {
            for (int k = 0; k < t; k++) {
              data[i][k] = k < lengths[i] ? seqs.get(i)[k] : g.floats(ch);
            }
          }
          return Call.good(
              "batch",
              "SequenceBatch.fromBatchFirst(" + shape + ")",
              c -> {
                SequenceBatch b = c.own(SequenceBatch.fromBatchFirst(data, lengths));
                checkBatch(b, seqs, lengths, t, ch);
              });
        }
      case 2:
        { // fromList: bad
          int v = g.between(0, 4);
          List<float[][]> bad = new ArrayList<>(seqs);
          switch (v) {
            case 0 -> bad.clear();
            case 1 -> bad.add(new float[0][]);
            case 2 -> bad.add(new float[][] {null});
            case 3 -> bad.add(new float[][] {new float[ch + 1]});
            default -> bad.set(0, new float[][] {new float[0]});
          }
          return Call.bad(
              "batch",
              "SequenceBatch.fromList(variant " + v + ", " + shape + ")",
              c -> c.own(SequenceBatch.fromList(bad)));
        }
      case 3:
        { // fromBatchFirst: bad lengths or ragged data
          float[][][] data = new float[n][t][ch];
          int v = g.between(0, 3);
          int[] bad = lengths.clone();
          float[][][] d = data;
          switch (v) {
            case 0 -> bad[g.between(0, n - 1)] = g.pick(0, -1, t + 1, Integer.MAX_VALUE);
            case 1 -> bad = Arrays.copyOf(lengths, n + 1);
            case 2 -> d = Arrays.copyOf(data, n + 1); // a null sequence
            default -> {
              if (n > 1) {
                data[n - 1] = new float[t + 1][ch];
              } else if (t > 1) {
                data[0][t - 1] = new float[ch + 1];
              } else {
                data[0][0] = null;
              }
            }
          }
          int[] lens = bad;
          float[][][] in = d;
          return Call.bad(
              "batch",
              "SequenceBatch.fromBatchFirst(variant " + v + ", " + shape + ")",
              c -> c.own(SequenceBatch.fromBatchFirst(in, lens)));
        }
      case 4:
        { // of: wraps a tensor
          boolean bad = g.chance(0.5);
          int[] lens = bad ? g.pick(new int[] {0}, new int[n + 1], new int[] {t + 1}) : lengths;
          int[] lensArg = !bad && g.chance(0.2) ? null : lens;
          boolean closed = bad && g.chance(0.3);
          long[] tshape = bad && g.chance(0.3) ? new long[] {t, n} : new long[] {t, n, ch};
          return Call.of(
              "batch",
              bad,
              "SequenceBatch.of(zeros"
                  + Arrays.toString(tshape)
                  + (closed ? " closed" : "")
                  + ", "
                  + Gen.brief(lensArg)
                  + ")",
              c -> {
                Tensor data = c.own(Tensor.zeros(tshape));
                if (closed) {
                  data.close();
                }
                SequenceBatch b = c.own(SequenceBatch.of(data, lensArg));
                check(!b.ownsData(), "of() must not own the tensor");
                b.close();
                check(!data.isClosed(), "closing the batch closed a tensor it does not own");
                int[] expected = lensArg == null ? filled(n, t) : lensArg;
                check(
                    Arrays.equals(b.lengths(), expected),
                    "lengths " + Arrays.toString(b.lengths()));
              });
        }
      default:
        {
          int i = g.pick(-1, n, Integer.MAX_VALUE, Integer.MIN_VALUE, 0);
          return Call.of(
              "batch",
              i != 0,
              "SequenceBatch.fromList(" + shape + ").sequence(" + i + ")",
              c -> {
                float[][] s = c.own(SequenceBatch.fromList(seqs)).sequence(i);
                check(Arrays.deepEquals(s, seqs.get(i)), "sequence(" + i + ") differs");
              });
        }
    }
  }

  private static int[] filled(int n, int v) {
    int[] a = new int[n];
    Arrays.fill(a, v);
    return a;
  }

  private static void checkBatch(
      SequenceBatch b, List<float[][]> seqs, int[] lengths, int t, int ch) {
    int n = seqs.size();
    check(b.batchSize() == n && b.maxLength() == t && b.featureSize() == ch, "sizes of " + b);
    check(Arrays.equals(b.lengths(), lengths), "lengths");
    checkShape(b.data().shape(), t, n, ch);
    List<float[][]> back = b.toList();
    for (int i = 0; i < n; i++) {
      check(Arrays.deepEquals(back.get(i), seqs.get(i)), "toList()[" + i + "] differs");
    }
    float[] flat = b.data().toArray();
    boolean[][] mask = b.mask();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < t; k++) {
        check(mask[i][k] == (k < lengths[i]), "mask[" + i + "][" + k + "]");
        if (k >= lengths[i]) {
          for (int j = 0; j < ch; j++) {
            check(flat[(k * n + i) * ch + j] == 0f, "padding is not zero");
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ recurrent

  /** A random small architecture. */
  record Arch(Cell cell, int c, int h, int layers, boolean bidi, boolean bias, long seed) {
    int d() {
      return bidi ? 2 : 1;
    }

    Recurrent build() {
      return Recurrent.builder()
          .cell(cell)
          .inputSize(c)
          .hiddenSize(h)
          .layers(layers)
          .bidirectional(bidi)
          .bias(bias)
          .seed(seed)
          .build();
    }

    @Override
    public String toString() {
      return cell
          + " C="
          + c
          + " H="
          + h
          + " L="
          + layers
          + (bidi ? " bidi" : "")
          + (bias ? "" : " nobias");
    }
  }

  static Arch arch(Gen g) {
    return new Arch(
        g.pick(Cell.values()),
        g.between(1, 4),
        g.between(1, 5),
        g.between(1, 3),
        g.chance(0.3),
        g.chance(0.85),
        g.nextLong());
  }

  static Call recurrent(Gen g) {
    Arch a = arch(g);
    int n = g.between(1, 4);
    int t = g.between(1, 5);
    int[] lengths = g.lengths(n, t);
    float[] x = g.floats(t * n * a.c());
    int kind = g.between(0, 9);
    String where = a + " T=" + t + " N=" + n + " lengths=" + Arrays.toString(lengths);
    switch (kind) {
      case 0:
        return buildBad(g);
      case 1:
      case 2:
        return Call.good(
            "recurrent",
            "forward " + where,
            c -> {
              Recurrent r = c.own(a.build());
              SequenceBatch in = c.own(SequenceBatch.of(c.own(Tensor.of(x, t, n, a.c())), lengths));
              RecurrentOutput o = c.own(r.forward(in));
              checkForward(a, o, t, n, lengths);
              RecurrentOutput o2 = c.own(r.forwardTrain(in, null));
              check(
                  Arrays.equals(o2.output().toArray(), o.output().toArray()),
                  "forwardTrain output differs from forward");
            });
      case 3:
        return Call.good(
            "recurrent",
            "forwardTrain+backward " + where,
            c -> {
              Recurrent r = c.own(a.build());
              SequenceBatch in = c.own(SequenceBatch.of(c.own(Tensor.of(x, t, n, a.c())), lengths));
              RecurrentOutput o = c.own(r.forwardTrain(in, c.own(RecurrentState.zeros(r, n))));
              Tensor dy =
                  c.own(
                      Tensor.of(
                          new Gen(a.seed()).floats(t * n * a.d() * a.h()), t, n, a.d() * a.h()));
              RecurrentGradients gr = c.own(r.backward(o, dy, null, null));
              checkShape(gr.dx().shape(), t, n, a.c());
              checkShape(gr.dh0().shape(), a.layers() * a.d(), n, a.h());
              check((gr.dc0() != null) == a.cell().hasCellState(), "dc0 presence");
              checkFinite(gr.dx().toArray(), "dx");
              checkFinite(r.gradientBuffer().toArray(), "weight gradients");
              float[] once = r.gradientBuffer().toArray();
              c.own(r.backward(o, dy, null, null, false));
              float[] twice = r.gradientBuffer().toArray();
              float[] doubled = once.clone();
              for (int i = 0; i < doubled.length; i++) {
                doubled[i] *= 2;
              }
              checkClose(twice, doubled, 1e-5, "gradients after two backward passes (accumulated)");
              r.zeroGradients();
              for (float v : r.gradientBuffer().toArray()) {
                check(v == 0f, "zeroGradients left " + v);
              }
            });
      case 4:
        return forwardBad(g, a, t, n, lengths, x, where);
      case 5:
        return backwardBad(g, a, t, n, lengths, x, where);
      case 6:
        return stepCall(g, a, t, n, x, where);
      case 7:
        { // non-finite input: no crash; the result keeps its shape
          float[] bad = x.clone();
          bad[g.between(0, bad.length - 1)] = g.weirdFloat();
          return Call.either(
              "recurrent",
              "forward with a non-finite input " + where,
              c -> {
                Recurrent r = c.own(a.build());
                SequenceBatch in =
                    c.own(SequenceBatch.of(c.own(Tensor.of(bad, t, n, a.c())), lengths));
                RecurrentOutput o = c.own(r.forward(in));
                checkShape(o.output().shape(), t, n, a.d() * a.h());
              });
        }
      case 8:
        { // closed layer
          int op = g.between(0, 3);
          return Call.bad(
              "recurrent",
              "closed layer, op " + op + " " + where,
              c -> {
                Recurrent r = c.own(a.build());
                SequenceBatch in =
                    c.own(SequenceBatch.of(c.own(Tensor.of(x, t, n, a.c())), lengths));
                RecurrentOutput o = op == 3 ? c.own(r.forwardTrain(in, null)) : null;
                r.close();
                check(r.isClosed() && r.weights().isClosed(), "close left the weights open");
                switch (op) {
                  case 0 -> c.own(r.forward(in));
                  case 1 -> c.own(r.forwardTrain(in, null));
                  case 2 -> r.resetParameters(1);
                  default -> c.own(r.backward(o, null, null, null));
                }
              });
        }
      default: // parameters and names
        return Call.good(
            "recurrent",
            "parameters " + a,
            c -> {
              Recurrent r = c.own(a.build());
              long total = 0;
              for (Tensor p : r.parameters().values()) {
                total += p.numel();
              }
              check(
                  total == r.parameterCount() && r.weights().numel() == total,
                  "parameterCount " + r.parameterCount() + " vs " + total);
              check(r.parameters().keySet().equals(r.gradients().keySet()), "gradient names");
              check(
                  r.parameters().size() == a.layers() * a.d() * (a.bias() ? 4 : 2),
                  "parameter count");
              Recurrent same = c.own(a.build());
              check(
                  Arrays.equals(r.weights().toArray(), same.weights().toArray()),
                  "the same seed gave different weights");
            });
    }
  }

  private static Call buildBad(Gen g) {
    int v = g.between(0, 7);
    String desc = "Recurrent.builder() variant " + v;
    return Call.bad(
        "recurrent",
        desc,
        c -> {
          Recurrent.Builder b = Recurrent.builder().cell(Cell.GRU).inputSize(2).hiddenSize(3);
          switch (v) {
            case 0 -> b.cell(null);
            case 1 -> b.inputSize(g.pick(0, -1, -5, Integer.MIN_VALUE));
            case 2 -> b.hiddenSize(g.pick(0, -2, Integer.MIN_VALUE));
            case 3 -> b.layers(g.pick(0, -1, Integer.MIN_VALUE));
            case 4 -> b.device(null);
            case 5 -> b.inputSize(1 << 20).hiddenSize(1 << 20); // weights far beyond any memory
            case 6 -> b.hiddenSize(1 << 30).layers(1 << 20);
            default -> b.hiddenSize(Integer.MAX_VALUE);
          }
          c.own(b.build());
        });
  }

  private static Call forwardBad(
      Gen g, Arch a, int t, int n, int[] lengths, float[] x, String where) {
    int v = g.between(0, 8);
    return Call.bad(
        "recurrent",
        "forward variant " + v + " " + where,
        c -> {
          Recurrent r = c.own(a.build());
          Tensor data = c.own(Tensor.of(x, t, n, a.c()));
          RecurrentState init = null;
          SequenceBatch in;
          long[] st = {(long) a.layers() * a.d(), n, a.h()};
          switch (v) {
            case 0 -> in = c.own(SequenceBatch.of(c.own(Tensor.zeros(t, n, a.c() + 1)), lengths));
            case 1 -> {
              in = c.own(SequenceBatch.of(data, lengths));
              init = RecurrentState.of(c.own(Tensor.zeros(st[0] + 1, st[1], st[2])), null);
            }
            case 2 -> {
              in = c.own(SequenceBatch.of(data, lengths));
              init = RecurrentState.of(c.own(Tensor.zeros(st)), c.own(Tensor.zeros(st)));
              if (a.cell().hasCellState()) { // an LSTM takes c0: make it the wrong shape
                init =
                    RecurrentState.of(
                        c.own(Tensor.zeros(st)), c.own(Tensor.zeros(st[0], st[1] + 1, st[2])));
              }
            }
            case 3 -> {
              in = c.own(SequenceBatch.of(data, lengths));
              data.close();
            }
            case 4 -> in = null;
            case 5 -> {
              in = c.own(SequenceBatch.of(data, lengths));
              Tensor h = c.own(Tensor.zeros(st));
              init = RecurrentState.of(h, null);
              h.close();
            }
            case 6 -> {
              in = c.own(SequenceBatch.of(data, lengths));
              init = RecurrentState.of(c.own(Tensor.zeros(st[0], st[1] + 1, st[2])), null);
            }
            case 7 -> {
              in = c.own(SequenceBatch.of(data, lengths));
              init = RecurrentState.of(c.own(Tensor.zeros(st[0], st[1], st[2] + 1)), null);
            }
            default -> {
              in = c.own(SequenceBatch.of(data, lengths));
              r.close();
            }
          }
          c.own(r.forward(in, init));
        });
  }

  private static Call backwardBad(
      Gen g, Arch a, int t, int n, int[] lengths, float[] x, String where) {
    int v = g.between(0, 7);
    return Call.bad(
        "recurrent",
        "backward variant " + v + " " + where,
        c -> {
          Recurrent r = c.own(a.build());
          Tensor data = c.own(Tensor.of(x, t, n, a.c()));
          SequenceBatch in = c.own(SequenceBatch.of(data, lengths));
          RecurrentOutput o = c.own(v == 1 ? r.forward(in) : r.forwardTrain(in, null));
          long[] st = {(long) a.layers() * a.d(), n, a.h()};
          Tensor dy = null;
          Tensor dhn = null;
          Tensor dcn = null;
          RecurrentOutput trained = o;
          switch (v) {
            case 0 -> dy = c.own(Tensor.zeros(t, n, a.d() * a.h() + 1));
            case 1 -> {} // an inference output
            case 2 -> {
              Recurrent other = c.own(a.build());
              trained = c.own(other.forwardTrain(in, null));
            }
            case 3 -> o.close();
            case 4 -> data.close();
            case 5 -> dhn = c.own(Tensor.zeros(st[0], st[1], st[2] + 1));
            case 6 ->
                dcn =
                    c.own(
                        Tensor.zeros(
                            a.cell().hasCellState() ? new long[] {st[0], st[1], st[2] + 1} : st));
            default -> trained = null;
          }
          c.own(r.backward(trained, dy, dhn, dcn));
        });
  }

  private static Call stepCall(Gen g, Arch a, int t, int n, float[] x, String where) {
    boolean bad = a.bidi() || g.chance(0.4);
    int v = g.between(0, 4);
    return Call.of(
        "recurrent",
        bad,
        "step vs forward" + (bad && !a.bidi() ? " variant " + v : "") + " " + where,
        c -> {
          Recurrent r = c.own(a.build());
          RecurrentState s = c.own(RecurrentState.zeros(r, n));
          if (bad) {
            Tensor in = c.own(Tensor.zeros(n, a.c()));
            RecurrentState state = s;
            switch (v) {
              case 0 -> in = c.own(Tensor.zeros(n, a.c() + 1));
              case 1 -> state = null;
              case 2 -> state = RecurrentState.of(s.h(), a.cell().hasCellState() ? null : s.h());
              case 3 -> in = c.own(Tensor.zeros(n, 1, a.c()));
              default -> state = c.own(RecurrentState.zeros(r, n + 1));
            }
            c.own(r.step(in, state));
            return;
          }
          float[] y = new float[t * n * a.h()];
          for (int k = 0; k < t; k++) {
            Tensor xk =
                c.own(
                    Tensor.of(Arrays.copyOfRange(x, k * n * a.c(), (k + 1) * n * a.c()), n, a.c()));
            Tensor yk = c.own(r.step(xk, s));
            checkShape(yk.shape(), n, a.h());
            System.arraycopy(yk.toArray(), 0, y, k * n * a.h(), n * a.h());
          }
          SequenceBatch in = c.own(SequenceBatch.of(c.own(Tensor.of(x, t, n, a.c())), null));
          RecurrentOutput o = c.own(r.forward(in));
          checkClose(y, o.output().toArray(), 1e-5, "step outputs vs forward");
          checkClose(s.h().toArray(), o.hn().toArray(), 1e-5, "state after steps vs hn");
        });
  }

  /** Shapes, finiteness, zero padding, and hn of the last layer equal to the output at each end. */
  static void checkForward(Arch a, RecurrentOutput o, int t, int n, int[] lengths) {
    int d = a.d();
    int h = a.h();
    checkShape(o.output().shape(), t, n, d * h);
    long[] st = {(long) a.layers() * d, n, h};
    checkShape(o.hn().shape(), st);
    check((o.cn() != null) == a.cell().hasCellState(), "cn presence");
    if (o.cn() != null) {
      checkShape(o.cn().shape(), st);
      checkFinite(o.cn().toArray(), "cn");
    }
    float[] y = o.output().toArray();
    float[] hn = o.hn().toArray();
    checkFinite(y, "output");
    checkFinite(hn, "hn");
    int last = (a.layers() - 1) * d;
    for (int s = 0; s < n; s++) {
      for (int k = t - 1; k >= lengths[s]; k--) {
        for (int j = 0; j < d * h; j++) {
          check(y[(k * n + s) * d * h + j] == 0f, "output past the length is not zero");
        }
      }
      for (int j = 0; j < h; j++) {
        check(
            hn[(last * n + s) * h + j] == y[((lengths[s] - 1) * n + s) * d * h + j],
            "hn (forward) is not the output at the last step of sequence " + s);
        if (d == 2) {
          check(
              hn[((last + 1) * n + s) * h + j] == y[s * d * h + h + j],
              "hn (reverse) is not the output at step 0 of sequence " + s);
        }
      }
    }
  }
}
