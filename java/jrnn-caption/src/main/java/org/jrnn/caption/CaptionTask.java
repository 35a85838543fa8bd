/*
 * CaptionTask: the Trainer's view of a Captioner: teacher-forced steps; evaluation by loss, greedy
 * exact match and corpus BLEU-4.
 */
package org.jrnn.caption;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jrnn.data.Tokenizer;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoded;
import org.jrnn.decode.Decoders;
import org.jrnn.metrics.Bleu;
import org.jrnn.models.ConditionedBatch;
import org.jrnn.train.Task;

/** Trains a {@link Captioner}; the primary metric is greedy corpus BLEU-4 (higher is better). */
public final class CaptionTask implements Task<ConditionedBatch> {
  private final Captioner model;
  private final Tokenizer tokenizer;
  private final DecodeOptions decoding;

  /**
   * @param model the captioner
   * @param tokenizer its caption tokenizer (for BLEU on words)
   * @param maxLength the longest caption greedy decoding may produce in evaluation
   */
  public CaptionTask(Captioner model, Tokenizer tokenizer, int maxLength) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.decoding =
        DecodeOptions.builder()
            .maxLength(maxLength)
            .maxActive(256)
            .suppress(Captioner.NEVER)
            .build();
  }

  @Override
  public Captioner model() {
    return model;
  }

  @Override
  public StepResult trainStep(ConditionedBatch batch) {
    return model.trainStep(batch);
  }

  /** {@code loss} per token, greedy {@code exact_match} and {@code bleu4}. */
  @Override
  public Map<String, Double> evaluate(Iterable<ConditionedBatch> batches) {
    double loss = 0;
    long count = 0;
    List<float[]> feats = new ArrayList<>();
    List<int[]> refs = new ArrayList<>();
    for (ConditionedBatch b : batches) {
      StepResult r = model.loss(b);
      loss += r.lossSum();
      count += r.count();
      int f = b.featureSize();
      for (int i = 0; i < b.size(); i++) {
        float[] row = new float[f];
        System.arraycopy(b.features(), i * f, row, 0, f);
        feats.add(row);
        refs.add(b.sequences().get(i));
      }
    }
    List<Decoded> got = Decoders.decode(model, feats, decoding);
    List<List<String>> cand = new ArrayList<>();
    List<List<String>> ref = new ArrayList<>();
    long exact = 0;
    for (int i = 0; i < feats.size(); i++) {
      int[] t = got.get(i).tokens();
      exact += java.util.Arrays.equals(t, refs.get(i)) ? 1 : 0;
      cand.add(words(t));
      ref.add(words(refs.get(i)));
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", count == 0 ? 0 : loss / count);
    m.put("exact_match", feats.isEmpty() ? 0 : (double) exact / feats.size());
    m.put("bleu4", Bleu.bleu4(cand, ref));
    return m;
  }

  private List<String> words(int[] ids) {
    List<String> out = new ArrayList<>(ids.length);
    for (int id : ids) {
      out.add(tokenizer.vocabulary().token(id));
    }
    return out;
  }

  @Override
  public String primaryMetric() {
    return "bleu4";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }
}
