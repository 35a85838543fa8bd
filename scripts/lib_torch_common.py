"""Shared pieces of the PyTorch baselines (scripts/torch_*.py).

Everything that decides *which* data a model sees -- the SplitMix64 generator, the seeded 80/20 split, the
per-epoch batches, the tokenizers' vocabulary rules and the bundled-data loaders -- is a line-by-line mirror of
the Java classes in org.jrnn.data (SplitMix64, SeededSplit, Batches, LmBatches, WordTokenizer, CharTokenizer,
LabelIndex, BundledData), so a jrnn demo and these baselines train and test on identical examples and batches.
Change both sides together; java/jrnn-models/src/test/java/org/jrnn/data/SeededSplitTest.java pins values made here, and
`python3 scripts/lib_torch_common.py` checks the same values on this side.
"""
import argparse
import gzip
import json
import os
import re
import sys
import time
from collections import Counter

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


# ---------------------------------------------------------------- SplitMix64 (org.jrnn.internal.SplitMix64)

def mix64(z):
    """The SplitMix64 output function on a 64-bit unsigned value."""
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def derive_seed(seed, stream):
    """The stream-th output (from 0) of SplitMix64(seed): the seed of sub-stream `stream` (e.g. an epoch)."""
    return mix64(seed + (stream + 1) * GAMMA)


class SplitMix64:
    """SplitMix64 exactly as org.jrnn.internal.SplitMix64 (Java longs are the same 64 bits)."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next_u64(self):
        self.state = (self.state + GAMMA) & MASK64
        return mix64(self.state)

    def next_int(self, bound):
        """unsigned(next) % bound."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        return self.next_u64() % bound

    def next_double(self):
        return (self.next_u64() >> 11) * (2.0 ** -53)

    def shuffle(self, values):
        """Fisher-Yates in place: for i = n-1 .. 1 swap values[i] with values[next_int(i + 1)]."""
        for i in range(len(values) - 1, 0, -1):
            j = self.next_int(i + 1)
            values[i], values[j] = values[j], values[i]
        return values

    def permutation(self, n):
        return self.shuffle(list(range(n)))


def train_count(n, train_fraction):
    import math
    return int(math.floor(n * train_fraction + 0.5))


def split(n, seed, train_fraction=0.8):
    """(train, test) index lists, as org.jrnn.data.SeededSplit.of(n, trainFraction, seed)."""
    perm = SplitMix64(seed).permutation(n)
    k = train_count(n, train_fraction)
    return perm[:k], perm[k:]


def epoch_batches(n, batch_size, seed, epoch, lengths=None, chunk_batches=50, shuffle=True, drop_last=False):
    """The batches (lists of indices) of one epoch, as org.jrnn.data.Batches.epoch(epoch)."""
    rng = SplitMix64(derive_seed(seed, epoch))
    order = rng.permutation(n) if shuffle else list(range(n))
    if lengths is not None:
        chunk = batch_size * chunk_batches
        for start in range(0, n, chunk):
            order[start:start + chunk] = sorted(order[start:start + chunk], key=lambda i: lengths[i])  # stable
    batches = []
    for start in range(0, n, batch_size):
        b = order[start:start + batch_size]
        if len(b) < batch_size and drop_last:
            break
        batches.append(b)
    if lengths is not None and shuffle:
        rng.shuffle(batches)
    return batches


def padding_fraction(batches, lengths):
    real = sum(lengths[i] for b in batches for i in b)
    padded = sum(max(lengths[i] for i in b) * len(b) for b in batches if b)
    return 0.0 if padded == 0 else 1.0 - real / padded


# ---------------------------------------------------------------- vocabularies (org.jrnn.data.Vocabulary ...)

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIALS = [PAD, UNK, BOS, EOS]
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3

# Python spelling of WordTokenizer.DEFAULT_PATTERN: words of letters/digits with inner apostrophes, or any
# single character that is neither a letter/digit nor white space ("_" counts as punctuation, as in Java).
WORD_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|[^\w\s]|_")
JAVA_WORD_PATTERN = "[\\p{L}\\p{N}]+(?:['\u2019][\\p{L}\\p{N}]+)*|[^\\p{L}\\p{N}\\s]"


def vocab_from_counts(counts, min_freq=1, max_size=0):
    """Specials, then tokens with count >= min_freq by count descending, ties by code points; max_size ids."""
    kept = [(t, c) for t, c in counts.items() if c >= min_freq and t not in SPECIALS]
    kept.sort(key=lambda tc: (-tc[1], tc[0]))
    tokens = SPECIALS + [t for t, _ in kept]
    return tokens[:max_size] if max_size else tokens


def word_tokens(text, lowercase=True):
    return WORD_RE.findall(text.lower() if lowercase else text)


def max_vocab(max_size):
    """TokenizerSpec.maxVocab (tokens besides the specials; 0: no limit) of a max_size (ids in all)."""
    return max_size - len(SPECIALS) if max_size else 0


class WordVocab:
    """org.jrnn.data.WordTokenizer with the default (word) pattern."""

    def __init__(self, tokens, lowercase=True, min_freq=1, max_size=0):
        self.tokens = tokens
        self.lowercase = lowercase
        self.min_freq = min_freq
        self.max_size = max_size
        self.ids = {t: i for i, t in enumerate(tokens)}

    @classmethod
    def build(cls, texts, lowercase=True, min_freq=1, max_size=0):
        counts = Counter(t for text in texts for t in word_tokens(text, lowercase))
        return cls(vocab_from_counts(counts, min_freq, max_size), lowercase, min_freq, max_size)

    def encode(self, text):
        return [self.ids.get(t, UNK_ID) for t in word_tokens(text, self.lowercase)]

    def decode(self, ids):
        return " ".join(self.tokens[i] for i in ids if i not in (PAD_ID, BOS_ID, EOS_ID))

    def __len__(self):
        return len(self.tokens)

    def to_json(self):
        return json.dumps({"type": "word", "version": 1, "split": "word", "lowercase": self.lowercase,
                           "pattern": JAVA_WORD_PATTERN, "minFrequency": self.min_freq,
                           "maxVocab": max_vocab(self.max_size), "vocab": self.tokens}, ensure_ascii=False)


class CharVocab:
    """org.jrnn.data.CharTokenizer (one id per code point; <unk> decodes to U+FFFD), keeping case."""

    def __init__(self, tokens, min_freq=1, max_size=0):
        self.tokens = tokens
        self.min_freq = min_freq
        self.max_size = max_size
        self.ids = {t: i for i, t in enumerate(tokens)}

    @classmethod
    def build(cls, text, min_freq=1, max_size=0):
        return cls(vocab_from_counts(Counter(text), min_freq, max_size), min_freq, max_size)

    def encode(self, text):
        return [self.ids.get(c, UNK_ID) for c in text]

    def decode(self, ids):
        return "".join("\ufffd" if i == UNK_ID else self.tokens[i] for i in ids if i not in (PAD_ID, BOS_ID, EOS_ID))

    def __len__(self):
        return len(self.tokens)

    def to_json(self):
        return json.dumps({"type": "char", "version": 1, "lowercase": False, "minFrequency": self.min_freq,
                           "maxVocab": max_vocab(self.max_size), "vocab": self.tokens}, ensure_ascii=False)


def label_ids(labels):
    """Distinct labels sorted as org.jrnn.data.LabelIndex: numerically if all are integers, else by code points."""
    distinct = sorted(set(labels))
    if all(re.fullmatch(r"[+-]?[0-9]+", s) for s in distinct):
        distinct.sort(key=int)
    return {label: i for i, label in enumerate(distinct)}


# ---------------------------------------------------------------- bundled data (org.jrnn.data.BundledData)

SENTIMENT_FILES = ["imdb.json", "yelp.json", "amazon.json"]
DIGIT_NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def data_dir(given=None):
    d = given or os.environ.get("JRNN_DATA") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    if not os.path.isfile(os.path.join(d, "moby-dick.txt")):
        sys.exit(f"cannot find the jrnn data folder at {d}; pass --data or set JRNN_DATA")
    return d


def load_sentiment(d):
    """[(text, label)] of imdb, yelp, amazon in that order; labels "0"/"1"; the end markers skipped."""
    out = []
    for name in SENTIMENT_FILES:
        with open(os.path.join(d, "sentiment", name), encoding="utf-8-sig") as f:
            for rec in json.load(f):
                label = rec.get("label", rec.get("class"))
                if rec.get("text") == "" and label is None:
                    continue
                out.append((rec["text"], str(label)))
    return out


def load_text(path):
    """Strict UTF-8, BOM dropped, newlines normalised to \\n (as TextFiles.readString)."""
    with open(path, encoding="utf-8-sig", newline=None) as f:
        return f.read()


def load_moby(d):
    return load_text(os.path.join(d, "moby-dick.txt"))


def load_digits(d):
    """(pixels, digits): pixels a list of 64-float lists scaled to 0..1 (value / 16), digits a list of ints."""
    pixels, digits = [], []
    with gzip.open(os.path.join(d, "digits.csv.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            v = [int(float(x)) for x in line.split(",")]
            pixels.append([x / 16.0 for x in v[:64]])
            digits.append(v[64])
    return pixels, digits


def lm_windows(ids, streams, window):
    """As org.jrnn.data.LmBatches: (inputs, targets) pairs of shape [streams, <=window] over one pass.

    `ids` is a 1-D torch tensor; stream s reads ids[s*S : s*S+S] with S = (len(ids) - 1) // streams.
    """
    S = (len(ids) - 1) // streams
    x = ids[: streams * S].view(streams, S)
    y = ids[1: streams * S + 1].view(streams, S)
    return [(x[:, t:t + window], y[:, t:t + window]) for t in range(0, S, window)]


# ---------------------------------------------------------------- running

def common_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--seed", type=int, default=42, help="seed of the split, the batches and torch init")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    p.add_argument("--data", default=None, help="the jrnn data/ folder (default: ../data next to this script)")
    return p


def setup_torch(args):
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    return torch


class Stopwatch:
    def __init__(self):
        self.start = time.perf_counter()

    def seconds(self):
        return time.perf_counter() - self.start


def report(result):
    """Prints the final result as one JSON line (the last line of the script's output)."""
    print(json.dumps(result, sort_keys=False), flush=True)


def _self_test():
    """The values pinned in java/jrnn-models/src/test/java/org/jrnn/data/{SeededSplitTest,BatchesTest}.java."""
    r = SplitMix64(0)
    assert [r.next_u64() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    assert SplitMix64(42).permutation(10) == [0, 9, 5, 8, 6, 4, 7, 2, 1, 3]
    tr, te = split(3000, 42)
    assert (len(tr), len(te), tr[:3], te[:3]) == (2400, 600, [143, 1743, 1430], [995, 495, 242])
    assert epoch_batches(10, 4, 7, 0) == [[7, 6, 9, 2], [8, 4, 0, 3], [5, 1]]
    lengths = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 12, 11, 3, 3, 1, 2, 9, 7, 5, 4]
    assert epoch_batches(20, 4, 7, 1, lengths=lengths, chunk_batches=2) == \
        [[1, 12, 3, 18], [8, 17, 2, 10], [14, 5, 15, 13], [7, 4, 6, 9], [19, 0, 16, 11]]
    assert word_tokens("Don't MISS it!!  10/10, a-b _x \u2019s") == \
        ["don't", "miss", "it", "!", "!", "10", "/", "10", ",", "a", "-", "b", "_", "x", "\u2019", "s"]
    assert vocab_from_counts(Counter("b a c c b d c".split())) == SPECIALS + ["c", "b", "a", "d"]
    print("lib_torch_common self-test passed")


if __name__ == "__main__":
    _self_test()
