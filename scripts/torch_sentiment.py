#!/usr/bin/env python3
"""PyTorch baseline, many-to-one: sentiment of the 3,000 UCI review sentences (data/sentiment/*.json).

Word tokens (lib_torch_common.WordVocab, the same rules as org.jrnn.data.WordTokenizer, vocabulary from the
training split) -> embedding 64 -> 1-layer LSTM 128 -> linear on the final hidden state at each sentence's own
length (packed sequences). Adam, cross-entropy, global-norm gradient clipping; the seeded 80/20 split and the
per-epoch (length-bucketed) batches of lib_torch_common, identical to org.jrnn.data.SeededSplit and Batches.
Ends with one JSON line: test accuracy and training wall-clock seconds.

    /usr/bin/python3 scripts/torch_sentiment.py [--epochs 5] [--threads 1] [--seed 42]
"""
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib_torch_common as C  # noqa: E402


def parse_args():
    p = C.common_args(__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--embed", type=int, default=64)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--clip", type=float, default=1.0, help="max global gradient norm (0: off)")
    p.add_argument("--min-freq", type=int, default=1, help="least count of a word to get an id")
    p.add_argument("--no-bucket", action="store_true", help="plain shuffled batches instead of length buckets")
    p.add_argument("--chunk-batches", type=int, default=50, help="batches per length-sorted chunk")
    p.add_argument("--max-seconds", type=float, default=0, help="stop training after this long (0: no limit)")
    return p.parse_args()


def main():
    args = parse_args()
    torch = C.setup_torch(args)
    nn = torch.nn

    data = C.load_sentiment(C.data_dir(args.data))
    train_idx, test_idx = C.split(len(data), args.seed, 0.8)
    vocab = C.WordVocab.build([data[i][0] for i in train_idx], min_freq=args.min_freq)
    label_of = C.label_ids([label for _, label in data])

    def encode(indices):
        seqs = [vocab.encode(data[i][0]) for i in indices]
        labels = [label_of[data[i][1]] for i in indices]
        return seqs, labels

    train_x, train_y = encode(train_idx)
    test_x, test_y = encode(test_idx)
    if any(len(s) == 0 for s in train_x + test_x):
        sys.exit("a sentence has no tokens")

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(len(vocab), args.embed, padding_idx=C.PAD_ID)
            self.lstm = nn.LSTM(args.embed, args.hidden, batch_first=True)
            self.out = nn.Linear(args.hidden, len(label_of))

        def forward(self, x, lengths):
            packed = nn.utils.rnn.pack_padded_sequence(self.embed(x), lengths, batch_first=True,
                                                       enforce_sorted=False)
            _, (h, _) = self.lstm(packed)  # h[-1]: the hidden state after each sequence's last real token
            return self.out(h[-1])

    def batch(seqs, labels, indices):
        lengths = torch.tensor([len(seqs[i]) for i in indices])
        x = torch.full((len(indices), int(lengths.max())), C.PAD_ID, dtype=torch.long)
        for row, i in enumerate(indices):
            x[row, :len(seqs[i])] = torch.tensor(seqs[i])
        return x, lengths, torch.tensor([labels[i] for i in indices])

    model = Model()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    lengths = None if args.no_bucket else [len(s) for s in train_x]

    def accuracy(seqs, labels):
        model.eval()
        correct = 0
        with torch.no_grad():
            for start in range(0, len(seqs), 256):
                idx = list(range(start, min(len(seqs), start + 256)))
                x, ln, y = batch(seqs, labels, idx)
                correct += int((model(x, ln).argmax(1) == y).sum())
        model.train()
        return correct / len(seqs)

    train_seconds = 0.0
    steps = 0
    for epoch in range(args.epochs):
        batches = C.epoch_batches(len(train_x), args.batch_size, args.seed, epoch, lengths=lengths,
                                  chunk_batches=args.chunk_batches)
        clock = C.Stopwatch()
        total_loss = 0.0
        for b in batches:
            x, ln, y = batch(train_x, train_y, b)
            loss = loss_fn(model(x, ln), y)
            opt.zero_grad()
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            total_loss += float(loss) * len(b)
            steps += 1
        train_seconds += clock.seconds()
        print(f"epoch {epoch + 1}/{args.epochs}: train loss {total_loss / len(train_x):.4f}, "
              f"test accuracy {accuracy(test_x, test_y):.4f}, {train_seconds:.1f}s", flush=True)
        if args.max_seconds and train_seconds >= args.max_seconds:
            break

    C.report({"task": "sentiment", "framework": "pytorch", "metric": "test_accuracy",
              "test_accuracy": round(accuracy(test_x, test_y), 4), "train_seconds": round(train_seconds, 3),
              "epochs_run": epoch + 1, "steps": steps, "train_examples": len(train_x),
              "test_examples": len(test_x), "vocab": len(vocab), "seed": args.seed, "threads": args.threads,
              "torch": torch.__version__})


if __name__ == "__main__":
    main()
