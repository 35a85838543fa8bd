#!/usr/bin/env python3
"""PyTorch baseline, one-to-many: spell the digit shown in an 8x8 UCI image ("seven"), data/digits.csv.gz.

The 64 pixels (scaled to 0..1) are projected linearly to the language model's initial hidden state (h0 = tanh(W x + b);
an LSTM's c0 is zero). The language model (GRU by default, --cell lstm) reads <bos> + the name's characters (embedding
16) and is trained with teacher forcing to emit the name's characters + <eos>; characters are
lib_torch_common.CharVocab built from the ten names (as org.jrnn.data.CharTokenizer.build(String.join("",
DigitImage.NAMES))). Seeded 80/20 split and per-epoch batches of lib_torch_common (= org.jrnn.data SeededSplit,
Batches). Test: greedy decoding; the metric is the share of test images whose generated name is exactly right.
Ends with one JSON line.

    /usr/bin/python3 scripts/torch_digits.py [--epochs 20] [--cell gru|lstm] [--threads 1]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib_torch_common as C  # noqa: E402


def parse_args():
    p = C.common_args(__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--cell", choices=["gru", "lstm"], default="gru")
    p.add_argument("--embed", type=int, default=16)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--clip", type=float, default=1.0, help="max global gradient norm (0: off)")
    p.add_argument("--max-len", type=int, default=10, help="longest name greedy decoding may produce")
    return p.parse_args()


def main():
    args = parse_args()
    torch = C.setup_torch(args)
    nn = torch.nn

    pixels, digits = C.load_digits(C.data_dir(args.data))
    train_idx, test_idx = C.split(len(digits), args.seed, 0.8)
    vocab = C.CharVocab.build("".join(C.DIGIT_NAMES))
    images = torch.tensor(pixels, dtype=torch.float32)
    width = max(len(n) for n in C.DIGIT_NAMES) + 1
    inputs = torch.full((10, width), C.PAD_ID, dtype=torch.long)   # <bos> name, per digit
    targets = torch.full((10, width), C.PAD_ID, dtype=torch.long)  # name <eos>, per digit
    for d, name in enumerate(C.DIGIT_NAMES):
        ids = vocab.encode(name)
        inputs[d, :len(ids) + 1] = torch.tensor([C.BOS_ID] + ids)
        targets[d, :len(ids) + 1] = torch.tensor(ids + [C.EOS_ID])
    digit_of = torch.tensor(digits)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.init = nn.Linear(64, args.hidden)
            self.embed = nn.Embedding(len(vocab), args.embed, padding_idx=C.PAD_ID)
            rnn = nn.GRU if args.cell == "gru" else nn.LSTM
            self.rnn = rnn(args.embed, args.hidden, batch_first=True)
            self.out = nn.Linear(args.hidden, len(vocab))

        def initial_state(self, img):
            h0 = torch.tanh(self.init(img)).unsqueeze(0)
            return h0 if args.cell == "gru" else (h0, torch.zeros_like(h0))

        def forward(self, img, x, state=None):
            y, state = self.rnn(self.embed(x), self.initial_state(img) if state is None else state)
            return self.out(y), state

        def greedy(self, img):
            state = self.initial_state(img)
            tok = torch.full((img.shape[0], 1), C.BOS_ID, dtype=torch.long)
            out = []
            for _ in range(args.max_len):
                y, state = self.rnn(self.embed(tok), state)
                tok = self.out(y).argmax(-1)
                out.append(tok)
            return torch.cat(out, 1)

    def names(generated):
        result = []
        for row in generated.tolist():
            ids = row[:row.index(C.EOS_ID)] if C.EOS_ID in row else row
            result.append(vocab.decode(ids))
        return result

    model = Model()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss(ignore_index=C.PAD_ID)

    def exact_match(indices):
        model.eval()
        with torch.no_grad():
            got = names(model.greedy(images[indices]))
        model.train()
        want = [C.DIGIT_NAMES[digits[i]] for i in indices]
        return sum(g == w for g, w in zip(got, want)) / len(indices)

    train_seconds = 0.0
    steps = 0
    for epoch in range(args.epochs):
        clock = C.Stopwatch()
        total = 0.0
        for b in C.epoch_batches(len(train_idx), args.batch_size, args.seed, epoch):
            rows = [train_idx[k] for k in b]
            d = digit_of[rows]
            logits, _ = model(images[rows], inputs[d])
            loss = loss_fn(logits.reshape(-1, len(vocab)), targets[d].reshape(-1))
            opt.zero_grad()
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            total += float(loss) * len(b)
            steps += 1
        train_seconds += clock.seconds()
        if (epoch + 1) % 5 == 0 or epoch + 1 == args.epochs:
            print(f"epoch {epoch + 1}/{args.epochs}: train loss {total / len(train_idx):.4f}, "
                  f"test exact match {exact_match(test_idx):.4f}, {train_seconds:.1f}s", flush=True)

    model.eval()
    with torch.no_grad():
        examples = names(model.greedy(images[test_idx[:5]]))
    C.report({"task": "digits", "framework": "pytorch", "metric": "test_exact_match",
              "test_exact_match": round(exact_match(test_idx), 4), "train_seconds": round(train_seconds, 3),
              "epochs": args.epochs, "steps": steps, "cell": args.cell, "train_examples": len(train_idx),
              "test_examples": len(test_idx), "examples": [f"{digits[i]}:{n}" for i, n in zip(test_idx, examples)],
              "seed": args.seed, "threads": args.threads, "torch": torch.__version__})


if __name__ == "__main__":
    main()
