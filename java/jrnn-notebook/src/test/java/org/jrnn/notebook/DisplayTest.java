package org.jrnn.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.jrnn.Cell;
import org.jrnn.JrnnException;
import org.jrnn.Recurrent;
import org.jrnn.RecurrentOutput;
import org.jrnn.Scope;
import org.jrnn.SequenceBatch;
import org.jrnn.Tensor;
import org.jrnn.data.PaddedBatch;
import org.jrnn.nn.Parameter;
import org.jrnn.nn.Trainable;
import org.jrnn.train.NonFiniteLocator;
import org.jrnn.train.ResumableTask;
import org.jrnn.train.Task;
import org.junit.jupiter.api.Test;

/** The display helpers draw real, non-blank images of the expected size and readable text. */
@SuppressWarnings("try") // scopes opened for their effect
class DisplayTest {
  /** PNGs of what the helpers draw, to look at (target/notebook-previews/). */
  static final Path PREVIEWS = Paths.get("target", "notebook-previews");

  static void save(String name, BufferedImage img) throws IOException {
    Files.createDirectories(PREVIEWS);
    ImageIO.write(img, "png", PREVIEWS.resolve(name + ".png").toFile());
  }

  /** Distinct colours in the image (a blank image has 1). */
  static int colours(BufferedImage img) {
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        seen.add(img.getRGB(x, y) & 0xffffff);
        if (seen.size() > 50) {
          return seen.size();
        }
      }
    }
    return seen.size();
  }

  /** Fraction of pixels that are not white. */
  static double inked(BufferedImage img) {
    long n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
          n++;
        }
      }
    }
    return (double) n / ((long) img.getWidth() * img.getHeight());
  }

  @Test
  void linesChartHasTheRequestedSizeAndInk() throws IOException {
    double[] a = new double[50], b = new double[50];
    for (int i = 0; i < 50; i++) {
      a[i] = Math.exp(-0.2 * (49 - i));
      b[i] = 0.5 + 0.01 * i;
    }
    Map<String, double[]> s = new LinkedHashMap<>();
    s.put("RNN", a);
    s.put("LSTM", b);
    BufferedImage img = Charts.lines("gradient norm per step", "time step", "norm", s, true);
    save("lines", img);
    assertEquals(Charts.WIDTH, img.getWidth());
    assertEquals(Charts.HEIGHT, img.getHeight());
    assertTrue(colours(img) > 10, "a chart has lines, text and grid in several colours");
    assertTrue(inked(img) > 0.01 && inked(img) < 0.6, "ink " + inked(img));
  }

  @Test
  void barsOverWords() throws IOException {
    List<String> words = List.of("not", "bad", "at", "all", ",", "not", "bad");
    BufferedImage img =
        Charts.bars(
            "p(positive) after each word",
            "word",
            "p",
            words,
            Map.of("p(positive)", new double[] {0.2, 0.7, 0.6, 0.8, 0.8, 0.3, Double.NaN}));
    save("bars", img);
    assertEquals(Charts.HEIGHT, img.getHeight());
    assertTrue(colours(img) > 5);
    assertThrows(
        JrnnException.class,
        () -> Charts.bars("t", "x", "y", words, Map.of("s", new double[] {1})));
  }

  @Test
  void chartsSkipNonFinitePoints() {
    Map<String, double[]> s =
        Map.of("x", new double[] {1, Double.NaN, 3, Double.POSITIVE_INFINITY, 0});
    BufferedImage img = Charts.lines("t", "x", "y", s, true); // 0 dropped on the log axis too
    assertTrue(colours(img) > 5);
  }

  @Test
  void trainingCurvesLiveAndWatched() throws IOException {
    TrainingCurves curves =
        new TrainingCurves("toy").trainEvery(2).liveInterval(java.time.Duration.ZERO);
    BufferedImage empty = curves.image(); // before any point: a placeholder chart, not an exception
    assertTrue(empty.getWidth() > 100);
    List<BufferedImage> pushed = new ArrayList<>();
    curves.live(pushed::add);
    ToyTask task = new ToyTask();
    Task<Integer> watched = curves.watch(task);
    for (int step = 0; step < 40; step++) {
      watched.trainStep(step);
      if (step % 10 == 9) {
        watched.evaluate(List.of(1, 2));
      }
    }
    curves.finish();
    assertEquals(List.of("loss", "accuracy"), curves.metrics());
    double[][] train = curves.series("loss", "train");
    assertEquals(20, train[0].length, "one point per 2 steps");
    assertEquals(2.0, train[0][0]);
    assertEquals(4, curves.series("accuracy", "valid")[0].length);
    assertEquals(40.0, curves.series("accuracy", "valid")[0][3], "validations at the current step");
    assertTrue(pushed.size() >= 5, "live images pushed: " + pushed.size());
    BufferedImage img = pushed.get(pushed.size() - 1);
    save("training-curves", img);
    assertEquals(2 * 440, img.getWidth(), "loss and accuracy side by side");
    assertEquals(320, img.getHeight());
    assertTrue(colours(img) > 10);
    assertTrue(curves.summary().contains("accuracy: valid"), curves.summary());
    // the wrapper passes the optional interfaces through
    assertTrue(watched instanceof ResumableTask);
    assertEquals("7", ((ResumableTask) watched).trainingState().values().get("seen"));
    @SuppressWarnings("unchecked")
    NonFiniteLocator<Integer> loc = (NonFiniteLocator<Integer>) watched;
    assertNull(loc.locateNonFinite(3));
    assertEquals("accuracy", watched.primaryMetric());
  }

  @Test
  void printedFallback() {
    java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
    TrainingCurves curves = new TrainingCurves("toy").printTo(new java.io.PrintStream(bos, true));
    curves.addAll("valid", 100, Map.of("loss", 0.5));
    curves.finish();
    String text = bos.toString();
    assertTrue(text.contains("step 100  valid  loss 0.5000"), text);
    assertTrue(text.contains("loss: valid 0.5000 (step 100)"), text);
  }

  @Test
  void heatmapOfTanhStatesAndGates() throws IOException {
    float[][] v = new float[30][16];
    for (int t = 0; t < 30; t++) {
      for (int u = 0; u < 16; u++) {
        v[t][u] = (float) Math.tanh(Math.sin(0.3 * t + u) * 2);
      }
    }
    List<String> labels = new ArrayList<>();
    for (char c : "call me ishmael. some years ago".substring(0, 30).toCharArray()) {
      labels.add(String.valueOf(c));
    }
    BufferedImage img = Heatmap.of(v).title("hidden state").xLabels(labels).range(-1, 1).image();
    save("heatmap", img);
    assertTrue(img.getWidth() >= 420 && img.getHeight() >= 240);
    assertTrue(colours(img) > 20, "a diverging colour scale");
    float[][] gates = new float[120][64];
    for (int t = 0; t < 120; t++) {
      for (int u = 0; u < 64; u++) {
        gates[t][u] = (float) (0.5 + 0.5 * Math.sin(t * 0.1 * (u % 5 + 1)));
      }
    }
    BufferedImage g = Heatmap.of(gates).title("forget gate").size(900, 400).image();
    save("heatmap-gates", g);
    assertEquals(900, g.getWidth());
    assertEquals(400, g.getHeight());
    assertTrue(colours(g) > 10);
    assertThrows(JrnnException.class, () -> Heatmap.of(new float[0][0]));
    assertThrows(JrnnException.class, () -> Heatmap.of(v).xLabels(List.of("a")));
  }

  @Test
  void galleryPutsCaptionsBesideImages() throws IOException {
    List<BufferedImage> imgs = new ArrayList<>();
    List<String> caps = new ArrayList<>();
    for (int d = 0; d < 6; d++) {
      float[] px = new float[64];
      for (int i = 0; i < 64; i++) {
        px[i] = ((i / 8 + i % 8 + d) % 4) * 4f;
      }
      imgs.add(Gallery.grayscale(px, 8, 8, 6));
      caps.add(
          "digit "
              + d
              + ": predicted \""
              + (d == 3 ? "a long caption that must wrap onto more lines" : "five")
              + "\"");
    }
    BufferedImage grid = Gallery.captioned(imgs, caps, 3);
    save("gallery", grid);
    assertEquals(48, imgs.get(0).getWidth());
    assertEquals(
        3 * (8 + 48 + 8 + 200 + 8 + 8), grid.getWidth(), "the long caption wraps at 200 px");
    assertTrue(grid.getHeight() >= 2 * (48 + 16));
    // the caption area (right of the first image) has text in it
    BufferedImage captionArea = grid.getSubimage(8 + 48 + 8, 0, 200, grid.getHeight() / 2);
    assertTrue(inked(captionArea) > 0.005, "caption text drawn");
    String html = Gallery.html(imgs, caps, 3);
    assertTrue(
        html.contains("data:image/png;base64,") && html.contains("&quot;five&quot;"),
        html.substring(0, 200));
    assertThrows(JrnnException.class, () -> Gallery.captioned(imgs, List.of("x"), 2));
  }

  @Test
  void showModelTensorBatch() {
    try (Scope scope = Scope.open();
        Recurrent lstm =
            Recurrent.builder().cell(Cell.LSTM).inputSize(3).hiddenSize(4).seed(1).build()) {
      String m = Show.model(lstm);
      assertTrue(m.contains("weight_ih_l0") && m.contains("[16, 3]") && m.contains("48"), m);
      assertTrue(m.contains(lstm.parameterCount() + " parameters"), m);

      Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
      String ts = Show.tensor(t);
      assertTrue(
          ts.startsWith("Tensor [2, 3] float32 on cpu, 6 values: min 1, max 6, mean 3.5"), ts);
      assertTrue(ts.contains("[[1.0000, 2.0000, 3.0000],\n [4.0000, 5.0000, 6.0000]]"), ts);
      Tensor big = Tensor.zeros(10, 20, 30);
      String bs = Show.tensor(big);
      assertTrue(bs.contains("...") && bs.length() < 3000, bs);

      SequenceBatch b = SequenceBatch.fromList(List.of(new float[5][3], new float[2][3]));
      String sb = Show.batch(b);
      assertTrue(sb.contains("2 sequences, up to 5 steps of 3 features"), sb);
      assertTrue(sb.contains("\u2588\u2588\u00b7\u00b7\u00b7 2"), sb);
      RecurrentOutput out = lstm.forward(b);
      assertTrue(Show.output(out).contains("output [5, 2, 4]"), Show.output(out));

      PaddedBatch pb =
          PaddedBatch.of(List.of(new int[] {4, 5, 6}, new int[] {7}), new int[] {0, 1});
      String ps = Show.batch(pb);
      assertTrue(ps.contains("ids [4, 5, 6]") && ps.contains("ids [7]"), ps);
    }
  }

  @Test
  void showModuleGroupsByModule() {
    try (Scope scope = Scope.open()) {
      Tensor w = Tensor.zeros(4, 3),
          g = Tensor.zeros(4, 3),
          bw = Tensor.zeros(4),
          bg = Tensor.zeros(4);
      Trainable m =
          new Trainable() {
            @Override
            public List<Parameter> parameters() {
              return List.of(
                  new Parameter("linear.weight", w, g), new Parameter("linear.bias", bw, bg));
            }

            @Override
            public org.jrnn.Device device() {
              return org.jrnn.Device.cpu();
            }

            @Override
            public void close() {}
          };
      String s = Show.model(m);
      assertTrue(s.contains("16 parameters in 2 tensors"), s);
      assertTrue(s.contains("linear"), s);
      assertTrue(s.lines().filter(l -> l.contains("16")).count() >= 2, "module total shown: " + s);
    }
  }

  @Test
  void gatesRecomputedMatchTheNativeForward() {
    for (Cell cell : Cell.values()) {
      try (Scope scope = Scope.open();
          Recurrent r = Recurrent.builder().cell(cell).inputSize(3).hiddenSize(5).seed(7).build()) {
        float[][] x = new float[9][3];
        java.util.Random rnd = new java.util.Random(3);
        for (float[] row : x) {
          for (int i = 0; i < 3; i++) {
            row[i] = (float) rnd.nextGaussian();
          }
        }
        float[][] native_ = Activations.hidden(r, x);
        Map<String, float[][]> gates = Activations.gates(r, x);
        float[][] h = gates.get("h");
        assertEquals(9, native_.length);
        for (int t = 0; t < 9; t++) {
          for (int u = 0; u < 5; u++) {
            assertEquals(native_[t][u], h[t][u], 1e-4, cell + " t=" + t + " u=" + u);
          }
        }
        if (cell == Cell.LSTM) {
          assertEquals(
              List.of("input gate", "forget gate", "cell input", "output gate", "c", "h"),
              List.copyOf(gates.keySet()));
          for (float[] row : gates.get("forget gate")) {
            for (float f : row) {
              assertTrue(f > 0 && f < 1);
            }
          }
        }
      }
    }
  }

  @Test
  void inputGradientNormsMatchFiniteDifferences() {
    try (Scope scope = Scope.open();
        Recurrent r =
            Recurrent.builder().cell(Cell.GRU).inputSize(2).hiddenSize(3).seed(5).build()) {
      java.util.Random rnd = new java.util.Random(9);
      float[][] x = new float[6][2];
      for (float[] row : x) {
        row[0] = (float) rnd.nextGaussian();
        row[1] = (float) rnd.nextGaussian();
      }
      float[][] d = {{0.5f, -1f, 0.25f}};
      SequenceBatch b = SequenceBatch.fromList(List.<float[][]>of(x));
      float[] before = r.gradientBuffer().toArray();
      double[] norms = Activations.inputGradientNorms(r, b, d);
      assertEquals(6, norms.length);
      assertTrue(
          java.util.Arrays.equals(before, r.gradientBuffer().toArray()),
          "gradients left as they were");
      for (int t = 0; t < 6; t++) {
        double sq = 0;
        for (int f = 0; f < 2; f++) {
          float keep = x[t][f];
          double eps = 1e-2;
          x[t][f] = (float) (keep + eps);
          double up = dot(Activations.hidden(r, x)[5], d[0]);
          x[t][f] = (float) (keep - eps);
          double down = dot(Activations.hidden(r, x)[5], d[0]);
          x[t][f] = keep;
          double g = (up - down) / (2 * eps);
          sq += g * g;
        }
        assertEquals(Math.sqrt(sq), norms[t], 2e-3 + 0.02 * Math.sqrt(sq), "t=" + t);
      }
      // a shorter second sequence: steps past its length average over the first only
      SequenceBatch two = SequenceBatch.fromList(List.of(x, java.util.Arrays.copyOf(x, 3)));
      double[] n2 = Activations.inputGradientNorms(r, two, new float[][] {d[0], d[0]});
      assertEquals(norms[5], n2[5], 1e-5);
      assertEquals(norms[4], n2[4], 1e-5);
    }
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  /** Loss 1/step-ish; accuracy rises; resumable state; no locator. */
  static final class ToyTask implements Task<Integer>, ResumableTask {
    int steps;

    @Override
    public Trainable model() {
      return null;
    }

    @Override
    public StepResult trainStep(Integer batch) {
      steps++;
      return new StepResult(2.0 * 4 / steps, 4);
    }

    @Override
    public Map<String, Double> evaluate(Iterable<Integer> batches) {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("loss", 1.0 / steps);
      m.put("accuracy", Math.min(1.0, steps / 40.0));
      return m;
    }

    @Override
    public String primaryMetric() {
      return "accuracy";
    }

    @Override
    public boolean higherIsBetter() {
      return true;
    }

    @Override
    public State trainingState() {
      return new State(Map.of(), Map.of("seen", "7"));
    }

    @Override
    public void restoreTrainingState(State state) {}
  }
}
