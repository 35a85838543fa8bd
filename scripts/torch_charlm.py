#!/usr/bin/env python3
"""PyTorch baseline, many-to-many: character language model on Moby-Dick (data/moby-dick.txt).

The first 90% of the text trains, the last 10% validates. Characters -> embedding 64 -> 2-layer LSTM 256 ->
linear over the vocabulary (lib_torch_common.CharVocab, the same ids as org.jrnn.data.CharTokenizer built on
the training text). Batches as org.jrnn.data.LmBatches: 32 parallel streams read in windows of 100 steps, the
LSTM state carried (detached) from one window to the next and reset at the start of each pass (truncated
BPTT). Adam 2e-3, gradient clipping 1.0. Stops after --updates updates or --time-budget seconds, whichever
comes first (default: 600 s); then reports validation bits per character (all of the validation text, state carried) and a
200-character sample at temperature 0.8. Ends with one JSON line.

    /usr/bin/python3 scripts/torch_charlm.py [--time-budget 600 | --updates N --time-budget 0] [--threads 1]
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib_torch_common as C  # noqa: E402


def parse_args():
    p = C.common_args(__doc__.splitlines()[0])
    p.add_argument("--updates", type=int, default=0, help="number of updates (0: no limit)")
    p.add_argument("--time-budget", type=float, default=600, help="training seconds (0: no limit)")
    p.add_argument("--embed", type=int, default=64)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--seq-len", type=int, default=100, help="window length T (truncated BPTT)")
    p.add_argument("--batch-size", type=int, default=32, help="parallel streams N")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--clip", type=float, default=1.0, help="max global gradient norm (0: off)")
    p.add_argument("--val-fraction", type=float, default=0.1, help="the last part of the text that validates")
    p.add_argument("--val-limit", type=int, default=0, help="validate on only this many characters (0: all)")
    p.add_argument("--sample-len", type=int, default=200)
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--prime", default="The ", help="text the sample starts from")
    p.add_argument("--log-every", type=int, default=100, help="print the training loss every N updates")
    return p.parse_args()


def main():
    args = parse_args()
    if args.updates <= 0 and args.time_budget <= 0:
        sys.exit("give --updates or --time-budget (or both)")
    torch = C.setup_torch(args)
    nn = torch.nn

    text = C.load_moby(C.data_dir(args.data))
    n_train = C.train_count(len(text), 1.0 - args.val_fraction)
    train_text, val_text = text[:n_train], text[n_train:]
    if args.val_limit:
        val_text = val_text[:args.val_limit]
    if len(val_text) < args.seq_len * args.batch_size:
        sys.exit(f"the validation text ({len(val_text)} chars) is shorter than one window of all streams")
    vocab = C.CharVocab.build(train_text)
    train_ids = torch.tensor(vocab.encode(train_text), dtype=torch.long)
    val_ids = torch.tensor(vocab.encode(val_text), dtype=torch.long)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(len(vocab), args.embed)
            self.lstm = nn.LSTM(args.embed, args.hidden, num_layers=args.layers, batch_first=True)
            self.out = nn.Linear(args.hidden, len(vocab))

        def forward(self, x, state=None):
            y, state = self.lstm(self.embed(x), state)
            return self.out(y), state

    model = Model()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    windows = C.lm_windows(train_ids, args.batch_size, args.seq_len)

    clock = C.Stopwatch()
    updates, passes, running = 0, 0, 0.0
    done = False
    while not done:
        state = None  # each pass starts from a zero state
        for x, y in windows:
            logits, state = model(x, state)
            state = tuple(s.detach() for s in state)
            loss = loss_fn(logits.reshape(-1, len(vocab)), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            updates += 1
            running += float(loss)
            if updates % args.log_every == 0:
                print(f"update {updates}: train {running / args.log_every / math.log(2):.3f} bpc, "
                      f"{clock.seconds():.1f}s", flush=True)
                running = 0.0
            out_of_updates = args.updates and updates >= args.updates
            out_of_time = args.time_budget and clock.seconds() >= args.time_budget
            if out_of_updates or out_of_time:
                done = True
                break
        passes += 1
    train_seconds = clock.seconds()

    model.eval()
    total_nll, count = 0.0, 0
    with torch.no_grad():
        state = None
        for x, y in C.lm_windows(val_ids, args.batch_size, args.seq_len):
            logits, state = model(x, state)
            total_nll += float(nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), y.reshape(-1),
                                                           reduction="sum"))
            count += y.numel()
        val_bpc = total_nll / count / math.log(2)

        gen = torch.Generator().manual_seed(args.seed)
        prime = vocab.encode(args.prime) or [C.UNK_ID]
        logits, state = model(torch.tensor([prime]), None)
        out = []
        for _ in range(args.sample_len):
            probs = torch.softmax(logits[0, -1] / args.temperature, dim=0)
            nxt = int(torch.multinomial(probs, 1, generator=gen))
            out.append(nxt)
            logits, state = model(torch.tensor([[nxt]]), state)
    sample = args.prime + vocab.decode(out)
    print("sample: " + sample, flush=True)

    C.report({"task": "charlm", "framework": "pytorch", "metric": "val_bpc", "val_bpc": round(val_bpc, 4),
              "train_seconds": round(train_seconds, 3), "updates": updates,
              "chars_per_second": round(updates * args.batch_size * args.seq_len / train_seconds, 1),
              "passes_started": passes, "train_chars": len(train_text), "val_chars": len(val_text),
              "vocab": len(vocab), "seed": args.seed, "threads": args.threads, "sample": sample,
              "torch": torch.__version__})


if __name__ == "__main__":
    main()
