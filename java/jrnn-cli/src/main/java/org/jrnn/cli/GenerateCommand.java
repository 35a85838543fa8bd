// GenerateCommand: `jrnn generate`, continues a prompt with a saved language model.
//   scripts/jrnn generate --model lm.safetensors --prompt "Call me " --length 300 --temperature 0.8
package org.jrnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jrnn.Device;
import org.jrnn.JrnnException;
import org.jrnn.cli.Command.UsageException;
import org.jrnn.data.Tokenizer;
import org.jrnn.data.Vocabulary;
import org.jrnn.data.WordTokenizer;
import org.jrnn.decode.DecodeOptions;
import org.jrnn.decode.Decoders;
import org.jrnn.decode.Hypothesis;
import org.jrnn.internal.Quote;
import org.jrnn.models.LanguageModel;
import org.jrnn.models.ModelFiles;

/** {@code jrnn generate}: see {@link #usage()}. */
public final class GenerateCommand implements Command {
  @Override
  public String name() {
    return "generate";
  }

  @Override
  public String summary() {
    return "continue a prompt with a language model file (sampling, greedy or beam search)";
  }

  @Override
  public String usage() {
    return String.join(
        "\n",
        "usage: jrnn generate --model MODEL.safetensors [--prompt TEXT] [--length N]",
        "                     [--temperature T] [--top-k K] [--top-p P] [--seed S]",
        "                     [--beam K [--nbest N] [--length-penalty P]] [--device cpu|cuda:N]",
        "",
        "Prints the prompt followed by up to N generated tokens of a language model trained with",
        "jrnn train --task lm. The same seed gives the same text. With --beam K, prints the most",
        "likely continuation beam search finds instead (with --nbest N, the N best, one per line).",
        "",
        "  --model FILE       the language model file",
        "  --prompt TEXT      where to start (default: a new line, or the first token of the",
        "                     vocabulary); every token of the prompt must be known to the model",
        "                     (an unknown one is named with its position, counted from 1)",
        "  --length N         tokens to generate (default 200)",
        "  --temperature T    0 = always the most likely token; 1 = the model's distribution;",
        "                     lower is safer, higher is wilder (default 0.8)",
        "  --top-k K          sample only among the K most likely tokens (default 0: all)",
        "  --top-p P          sample only among the most likely tokens whose probabilities add up",
        "                     to P (default 1: all)",
        "  --seed S           seed of the sampling (default 42)",
        DecodeFlags.SEARCH_HELP,
        "  --nbest N          with --beam K: print the N <= K best continuations (default 1)",
        "  --device D         cpu (default) or cuda:N",
        "");
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    return CliErrors.run(() -> execute(args, out, err));
  }

  private int execute(List<String> args, PrintStream out, PrintStream err) throws Exception {
    CliOptions o =
        CliOptions.parse(
            args,
            DecodeFlags.with(
                Set.of("model", "prompt", "length", "nbest", "device"),
                DecodeFlags.SEARCH,
                DecodeFlags.SAMPLING),
            Set.of(),
            false);
    Path modelPath = o.requiredPath("model");
    int length = o.integer("length", 200, 1, 1 << 24);
    DecodeOptions.Builder builder =
        DecodeFlags.read(o, new DecodeFlags.Defaults(0.8, 42, false)).maxLength(length);
    int beam = o.integer("beam", 1, 1, DecodeOptions.MAX_BEAM_SIZE);
    builder.nBest(o.integer("nbest", 1, 1, beam));
    DecodeOptions options = DecodeFlags.build(builder);
    Device device;
    try {
      device = Device.parse(o.string("device", "cpu"));
    } catch (RuntimeException e) {
      throw new UsageException("--device: " + Quote.cut(e.getMessage()));
    }
    try (ModelFiles.Contents c = CliData.model(modelPath, device)) {
      if (!(c.model() instanceof LanguageModel model)) {
        throw new JrnnException(
            Quote.path(modelPath)
                + " holds a "
                + Quote.cut(c.model().kind())
                + " model; generate needs a language model (jrnn train --task lm)");
      }
      Tokenizer tokenizer = EvalCommand.required(c.tokenizer(), modelPath);
      String prompt = o.string("prompt", null);
      if (prompt == null) {
        prompt =
            tokenizer.vocabulary().contains("\n")
                ? "\n"
                : tokenizer.vocabulary().token(Vocabulary.SPECIALS.size());
      }
      int[] ids = prompt.isEmpty() ? new int[0] : tokenizer.encode(prompt);
      if (ids.length == 0) {
        throw new JrnnException("the prompt has no tokens");
      }
      if (!UnknownTokens.positions(ids).isEmpty()) {
        throw new JrnnException(UnknownTokens.describePrompt(tokenizer, prompt, ids));
      }
      for (Hypothesis h : Decoders.decode(model, List.of(ids), options).get(0).nbest()) {
        int[] generated = h.tokens();
        if (h.ended()) { // as LanguageModel.generate: the end token drawn is part of the text
          generated = Arrays.copyOf(generated, generated.length + 1);
          generated[generated.length - 1] = options.endToken();
        }
        String text = tokenizer.decode(generated);
        String sep = tokenizer instanceof WordTokenizer && !text.isEmpty() ? " " : "";
        out.println(prompt + sep + text);
      }
    }
    return 0;
  }
}
