#!/usr/bin/env python3
"""torch_caption_bench.py: the batch-captioning decoder loop of jrnn (org.jrnn.decode.Decoders:
greedy, and beam search with the same rules) written in PyTorch, on the weights of a jrnn captioner
file, for the throughput comparison in bench/caption/RESULTS.md.

    /usr/bin/python3 scripts/torch_caption_bench.py --model target/caption/twemoji.safetensors \
        --features target/caption/bench/features.safetensors --out target/caption/bench/torch.json

Same model (encoder -> tanh -> init -> tanh = h0; embedding; GRU/LSTM step; linear; log_softmax),
same inputs (the feature rows CaptionBench wrote), same decoding: at most --batch inputs live at
once, a finished input's rows are dropped (one index_select of the state per step) and the next
waiting input joins; <pad> and <bos> are never generated; beam search ranks every live beam's
extensions by summed log-probability, takes end-token candidates among the first K as finished,
keeps the first K others, stops an input when no live beam can beat its best finished hypothesis
(or at --max-len tokens).
One thread (torch.set_num_threads(1)) unless --threads says otherwise. Reads safetensors without the
safetensors package. If jrnn.json (CaptionBench's report) is beside --out, the captions are compared.
"""
import argparse
import json
import struct
import time

import torch
from torch import nn

PAD, UNK, BOS, EOS = 0, 1, 2, 3


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {info['dtype']}, expected F32")
        out[name] = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32).reshape(info["shape"])
    return out, meta


class Captioner(nn.Module):
    """org.jrnn.caption.Captioner with PyTorch modules (strict state-dict names)."""

    def __init__(self, cfg):
        super().__init__()
        f, p = cfg["featureSize"], cfg["projectionSize"]
        cond = p if p > 0 else f
        self.layers, self.hidden = cfg["layers"], cfg["hiddenSize"]
        self.concat = cfg["concatFeatures"]
        self.encoder = nn.Linear(f, p) if p > 0 else None
        self.init = nn.Linear(cond, self.layers * self.hidden)
        self.embedding = nn.Embedding(cfg["vocabSize"], cfg["embeddingSize"], padding_idx=PAD)
        cell = cfg["cell"].upper()
        kind = {"GRU": nn.GRU, "LSTM": nn.LSTM, "RNN_TANH": nn.RNN, "RNN_RELU": nn.RNN}[cell]
        extra = {"nonlinearity": "relu"} if cell == "RNN_RELU" else {}
        self.lstm = cell == "LSTM"
        self.rnn = kind(cfg["embeddingSize"] + (cond if self.concat else 0), self.hidden, self.layers, **extra)
        self.linear = nn.Linear(self.hidden, cfg["vocabSize"])

    def initial(self, x):
        """State (h, c, p) for feature rows x [N, F]; h/c are [L, N, H]."""
        p = torch.tanh(self.encoder(x)) if self.encoder is not None else x
        h = torch.tanh(self.init(p)).view(x.shape[0], self.layers, self.hidden).transpose(0, 1).contiguous()
        c = torch.zeros_like(h) if self.lstm else None
        return h, c, p

    def step(self, tokens, state):
        h, c, p = state
        e = self.embedding(tokens)
        if self.concat:
            e = torch.cat([e, p], dim=1)
        if self.lstm:
            y, (h, c) = self.rnn(e.unsqueeze(0), (h, c))
        else:
            y, h = self.rnn(e.unsqueeze(0), h)
        lp = torch.log_softmax(self.linear(y[0]), dim=-1)
        lp[:, PAD] = float("-inf")
        lp[:, BOS] = float("-inf")
        return lp, (h, c, p)


def select(state, index):
    h, c, p = state
    return (h.index_select(1, index), None if c is None else c.index_select(1, index), p.index_select(0, index))


def cat(a, b):
    if a is None:
        return b
    return (torch.cat([a[0], b[0]], 1), None if a[1] is None else torch.cat([a[1], b[1]], 1), torch.cat([a[2], b[2]], 0))


def greedy(model, feats, batch, max_len):
    n = feats.shape[0]
    out = [None] * n
    state, inputs, seqs, scores = None, [], [], []
    nxt = 0
    while nxt < n or inputs:
        if len(inputs) < batch and nxt < n:
            m = min(batch - len(inputs), n - nxt)
            state = cat(state, model.initial(feats[nxt:nxt + m]))
            inputs += list(range(nxt, nxt + m))
            seqs += [[] for _ in range(m)]
            scores += [0.0] * m
            nxt += m
        tokens = torch.tensor([s[-1] if s else BOS for s in seqs], dtype=torch.long)
        lp, state = model.step(tokens, state)
        best, tok = lp.max(dim=1)
        best, tok = best.tolist(), tok.tolist()
        keep = []
        for r in range(len(inputs)):
            scores[r] += best[r]
            if tok[r] == EOS:
                out[inputs[r]] = (seqs[r], scores[r])
            else:
                seqs[r].append(tok[r])
                if len(seqs[r]) >= max_len:
                    out[inputs[r]] = (seqs[r], scores[r])
                else:
                    keep.append(r)
        if len(keep) < len(inputs):
            inputs = [inputs[r] for r in keep]
            seqs = [seqs[r] for r in keep]
            scores = [scores[r] for r in keep]
            state = select(state, torch.tensor(keep, dtype=torch.long)) if keep else None
    return out


class Group:
    def __init__(self, index):
        self.input = index
        self.finished = []  # (score, order, tokens), best first


def beam_search(model, feats, batch, k, max_len):
    """Batched beam search with compaction and joining; vectorised per step over all inputs."""
    n = feats.shape[0]
    out = [None] * n
    state, groups = None, []
    live_scores = None  # [G, K] summed log-probabilities (-inf: no beam)
    live_count = []  # live beams per group (rows of the state, in order)
    hist = None  # [G, K, max_len] tokens
    glen = []  # tokens so far per group
    nxt = 0
    order = 0
    neg = float("-inf")
    while nxt < n or groups:
        if len(groups) < batch and nxt < n:
            m = min(batch - len(groups), n - nxt)
            state = cat(state, model.initial(feats[nxt:nxt + m]))
            groups += [Group(i) for i in range(nxt, nxt + m)]
            s = torch.full((m, k), neg)
            s[:, 0] = 0.0
            live_scores = s if live_scores is None else torch.cat([live_scores, s])
            hz = torch.zeros((m, k, max_len), dtype=torch.long)
            hist = hz if hist is None else torch.cat([hist, hz])
            live_count += [1] * m
            glen += [0] * m
            nxt += m
        g_n = len(groups)
        counts = torch.tensor(live_count)
        offsets = torch.cumsum(counts, 0) - counts
        lens = torch.tensor(glen)
        # the last token of each live row, rows in group order
        gi = torch.repeat_interleave(torch.arange(g_n), counts)
        bi = torch.arange(int(counts.sum())) - offsets[gi]
        last = hist[gi, bi, (lens[gi] - 1).clamp(min=0)]
        tokens = torch.where(lens[gi] > 0, last, torch.full_like(last, BOS))
        lp, state = model.step(tokens, state)
        v = lp.shape[1]
        # [G, K, V] candidates; missing beams are -inf
        rows = offsets[:, None] + torch.arange(k)[None, :]
        present = torch.arange(k)[None, :] < counts[:, None]
        cand = lp[rows.clamp(max=lp.shape[0] - 1).view(-1)].view(g_n, k, v)
        cand = torch.where(present[:, :, None], cand + live_scores[:, :, None], torch.full_like(cand, neg))
        top_s, top_i = cand.view(g_n, k * v).topk(2 * k, dim=1)
        top_b, top_t = top_i // v, top_i % v
        finite = top_s > neg
        is_eos = (top_t == EOS) & finite
        pos = torch.arange(2 * k)[None, :]
        fin = is_eos & (pos < k)
        for g, j in fin.nonzero().tolist():
            grp = groups[g]
            b = top_b[g, j].item()
            grp.finished.append((top_s[g, j].item(), order, hist[g, b, :glen[g]].tolist()))
            order += 1
        non = finite & ~is_eos
        keep = non & (torch.cumsum(non.long(), 1) <= k)
        srt = torch.sort((~keep).long(), dim=1, stable=True).indices[:, :k]
        new_valid = keep.gather(1, srt)
        new_b = top_b.gather(1, srt)
        new_t = top_t.gather(1, srt)
        new_s = torch.where(new_valid, top_s.gather(1, srt), torch.full((g_n, k), neg))
        hist = hist.gather(1, new_b[:, :, None].expand(-1, -1, max_len)).clone()
        hist[torch.arange(g_n)[:, None], torch.arange(k)[None, :], lens[:, None].expand(-1, k)] = new_t
        new_count = new_valid.sum(1).tolist()
        still, parents = [], []
        for g in range(g_n):
            grp = groups[g]
            glen[g] += 1
            cnt = new_count[g]
            if cnt > 0 and glen[g] >= max_len:
                for j in range(cnt):
                    grp.finished.append((new_s[g, j].item(), order, hist[g, j, :glen[g]].tolist()))
                    order += 1
                cnt = 0
            grp.finished.sort(key=lambda f: (-f[0], f[1]))
            del grp.finished[k:]
            # done: no live beam, or the best live beam cannot beat the best finished one (the summed
            # log-probability only falls): org.jrnn.decode's default (exact) stopping for 1-best
            if cnt == 0 or (grp.finished and new_s[g, 0].item() <= grp.finished[0][0]):
                out[grp.input] = grp.finished[0][2] if grp.finished else []
                continue
            still.append(g)
            parents.append(offsets[g] + new_b[g, :cnt])
            live_count[g] = cnt
        if still:
            idx = torch.tensor(still)
            state = select(state, torch.cat(parents))
            groups = [groups[g] for g in still]
            live_scores = new_s.index_select(0, idx)
            hist = hist.index_select(0, idx)
            live_count = [live_count[g] for g in still]
            glen = [glen[g] for g in still]
        else:
            state, groups, live_scores, hist, live_count, glen = None, [], None, None, [], []
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--batches", default="1,64")
    ap.add_argument("--beams", default="1,5")
    ap.add_argument("--max-len", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup-seconds", type=float, default=2.0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    weights, meta = load_safetensors(a.model)
    cfg = json.loads(meta["jrnn.config"])
    vocab = json.loads(meta["jrnn.tokenizer"])["vocab"]
    model = Captioner(cfg)
    model.load_state_dict(weights, strict=True)
    model.eval()
    feats = load_safetensors(a.features)[0]["features"]
    n = feats.shape[0]
    report = {"model": a.model, "images": n, "max_len": a.max_len, "threads": torch.get_num_threads(),
              "torch": torch.__version__, "runs": []}
    java = None
    try:
        with open(a.out.rsplit("/", 1)[0] + "/jrnn.json") as f:
            java = {(r["beam"], r["batch"]): r for r in json.load(f)["runs"]}
    except OSError:
        pass
    with torch.inference_mode():
        for beam in [int(x) for x in a.beams.split(",")]:
            for batch in [int(x) for x in a.batches.split(",")]:
                def run(x):
                    if beam == 1:
                        return [s for s, _ in greedy(model, x, batch, a.max_len)]
                    return beam_search(model, x, batch, beam, a.max_len)
                warm_end = time.perf_counter() + a.warmup_seconds  # as CaptionBench: whole decodes
                while True:
                    run(feats)
                    if time.perf_counter() >= warm_end:
                        break
                best, got = float("inf"), None
                for _ in range(a.repeats):
                    t = time.perf_counter()
                    got = run(feats)
                    best = min(best, time.perf_counter() - t)
                caps = [" ".join(vocab[i] for i in s) for s in got]
                row = {"beam": beam, "batch": batch, "seconds": best, "captions_per_second": n / best,
                       "captions": caps}
                if java and (beam, batch) in java:
                    same = sum(x == y for x, y in zip(caps, java[(beam, batch)]["captions"]))
                    row["same_captions_as_jrnn"] = same
                report["runs"].append(row)
                agree = f", {row['same_captions_as_jrnn']}/{n} captions as jrnn" if "same_captions_as_jrnn" in row else ""
                print(f"torch beam {beam} batch {batch:3d}: {n / best:8.1f} captions/s ({best:.3f} s for {n}){agree}")
    with open(a.out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
