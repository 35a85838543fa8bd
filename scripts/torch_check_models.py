#!/usr/bin/env python3
"""PyTorch side of jrnn's model parity test (java/jrnn-models/src/test/java/org/jrnn/models/TorchParityTest.java).

Rebuilds a jrnn model file (org.jrnn.models.ModelFiles: parameters under PyTorch names, "jrnn.model" and
"jrnn.config" in the metadata) as the equivalent torch.nn modules, loads its weights with
load_state_dict(strict=True) -- so the names must match exactly -- runs one batch, and writes the mean loss
and the gradient of every parameter:

    /usr/bin/python3 scripts/torch_check_models.py MODEL.safetensors BATCH.safetensors OUT.safetensors [...]

(several triples in one run save starting Python and torch each time)

Batch tensors (I32 unless noted; batch-first [N, T]):
    sequence-classifier  ids, lengths [N], labels [N]
    language-model       inputs, targets, h0 [L, N, H] F32 (and c0 for an LSTM)
    sequence-tagger      ids, lengths [N], tags (-1 past each length)
    conditioned-decoder  (ConditionedLanguageModel) features [N, F] F32, inputs (padded with <pad>), targets (-1 past each length)
    seq2seq              sources, source_lengths [N], inputs, input_lengths [N], targets (-1 past each length)
OUT holds "loss" (F64 [1]) and "grad.<parameter name>" (F32), with metadata "model" = the model kind.
Dropout must be 0 (masks are not reproduced); the tensors are float32 on both sides.
"""
import json
import struct
import sys

import numpy as np
import torch
from torch import nn

_DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    """({name: numpy array}, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[base + begin:base + end], dtype=_DTYPES[info["dtype"]])
        out[name] = arr.reshape(info["shape"]).copy()
    return out, meta


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64"}[a.dtype]
        raw = a.tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def recurrent(cfg, input_size, bidirectional):
    kind = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN_TANH": nn.RNN, "RNN_RELU": nn.RNN}[cfg["cell"]]
    extra = {"nonlinearity": "relu"} if cfg["cell"] == "RNN_RELU" else {}
    return kind(input_size, cfg["hiddenSize"], num_layers=cfg["layers"], bidirectional=bidirectional,
                batch_first=True, **extra)


def padding(cfg):
    return None if cfg["paddingIndex"] < 0 else cfg["paddingIndex"]


def packed(x, lengths):
    return nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)


class Classifier(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embedding = nn.Embedding(cfg["vocabSize"], cfg["embeddingSize"], padding_idx=padding(cfg))
        self.rnn = recurrent(cfg, cfg["embeddingSize"], cfg["bidirectional"])
        d = 2 if cfg["bidirectional"] else 1
        self.linear = nn.Linear(d * cfg["hiddenSize"], 1 if cfg["binaryLogistic"] else cfg["numClasses"])

    def loss(self, b):
        _, h = self.rnn(packed(self.embedding(torch.tensor(b["ids"]).long()), b["lengths"]))
        h = h[0] if isinstance(h, tuple) else h
        feats = torch.cat([h[-2], h[-1]], 1) if self.cfg["bidirectional"] else h[-1]
        logits = self.linear(feats)
        labels = torch.tensor(b["labels"]).long()
        if self.cfg["binaryLogistic"]:
            return nn.functional.binary_cross_entropy_with_logits(logits[:, 0], labels.float())
        return nn.functional.cross_entropy(logits, labels, label_smoothing=self.cfg["labelSmoothing"])


class LanguageModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embedding = nn.Embedding(cfg["vocabSize"], cfg["embeddingSize"])
        self.rnn = recurrent(cfg, cfg["embeddingSize"], False)
        self.linear = nn.Linear(cfg["hiddenSize"], cfg["vocabSize"])

    def loss(self, b):
        state = torch.tensor(b["h0"])
        if self.cfg["cell"] == "LSTM":
            state = (state, torch.tensor(b["c0"]))
        y, _ = self.rnn(self.embedding(torch.tensor(b["inputs"]).long()), state)
        logits = self.linear(y)
        return nn.functional.cross_entropy(logits.reshape(-1, self.cfg["vocabSize"]),
                                           torch.tensor(b["targets"]).long().reshape(-1), ignore_index=-1)


class Tagger(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embedding = nn.Embedding(cfg["vocabSize"], cfg["embeddingSize"], padding_idx=padding(cfg))
        self.rnn = recurrent(cfg, cfg["embeddingSize"], cfg["bidirectional"])
        d = 2 if cfg["bidirectional"] else 1
        self.linear = nn.Linear(d * cfg["hiddenSize"], cfg["numTags"])

    def loss(self, b):
        ids = torch.tensor(b["ids"]).long()
        y, _ = self.rnn(packed(self.embedding(ids), b["lengths"]))
        y, _ = nn.utils.rnn.pad_packed_sequence(y, batch_first=True, total_length=ids.shape[1])
        logits = self.linear(y)
        return nn.functional.cross_entropy(logits.reshape(-1, self.cfg["numTags"]),
                                           torch.tensor(b["tags"]).long().reshape(-1), ignore_index=-1)


class ConditionedLanguageModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.init = nn.Linear(cfg["featureSize"], cfg["layers"] * cfg["hiddenSize"])
        self.embedding = nn.Embedding(cfg["vocabSize"], cfg["embeddingSize"], padding_idx=padding(cfg))
        size = cfg["embeddingSize"] + (cfg["featureSize"] if cfg["concatFeatures"] else 0)
        self.rnn = recurrent(cfg, size, False)
        self.linear = nn.Linear(cfg["hiddenSize"], cfg["vocabSize"])

    def loss(self, b):
        x = torch.tensor(b["features"])
        n = x.shape[0]
        h0 = torch.tanh(self.init(x)).view(n, self.cfg["layers"], self.cfg["hiddenSize"]).transpose(0, 1)
        h0 = h0.contiguous()
        state = (h0, torch.zeros_like(h0)) if self.cfg["cell"] == "LSTM" else h0
        inp = self.embedding(torch.tensor(b["inputs"]).long())
        if self.cfg["concatFeatures"]:
            inp = torch.cat([inp, x.unsqueeze(1).expand(n, inp.shape[1], x.shape[1])], 2)
        y, _ = self.rnn(inp, state)
        logits = self.linear(y)
        return nn.functional.cross_entropy(logits.reshape(-1, self.cfg["vocabSize"]),
                                           torch.tensor(b["targets"]).long().reshape(-1), ignore_index=-1)


class Seq2Seq(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        e = cfg["embeddingSize"]
        self.encoder_embedding = nn.Embedding(cfg["sourceVocabSize"], e, padding_idx=padding(cfg))
        self.encoder = recurrent(cfg, e, False)
        self.decoder_embedding = nn.Embedding(cfg["targetVocabSize"], e, padding_idx=padding(cfg))
        self.decoder = recurrent(cfg, e, False)
        self.linear = nn.Linear(cfg["hiddenSize"], cfg["targetVocabSize"])

    def loss(self, b):
        _, state = self.encoder(packed(self.encoder_embedding(torch.tensor(b["sources"]).long()),
                                       b["source_lengths"]))
        inputs = torch.tensor(b["inputs"]).long()
        y, _ = self.decoder(packed(self.decoder_embedding(inputs), b["input_lengths"]), state)
        y, _ = nn.utils.rnn.pad_packed_sequence(y, batch_first=True, total_length=inputs.shape[1])
        logits = self.linear(y)
        return nn.functional.cross_entropy(logits.reshape(-1, self.cfg["targetVocabSize"]),
                                           torch.tensor(b["targets"]).long().reshape(-1), ignore_index=-1)


MODELS = {"sequence-classifier": Classifier, "language-model": LanguageModel, "sequence-tagger": Tagger,
          "conditioned-decoder": ConditionedLanguageModel, "seq2seq": Seq2Seq}


def check(model_path, batch_path, out_path):
    weights, meta = read_safetensors(model_path)
    batch, _ = read_safetensors(batch_path)
    kind = meta["jrnn.model"]
    cfg = json.loads(meta["jrnn.config"])
    if cfg.get("dropout", 0) != 0:
        sys.exit(model_path + ": dropout must be 0 for a parity check")
    torch.manual_seed(0)
    model = MODELS[kind](cfg)
    model.load_state_dict({k: torch.tensor(v) for k, v in weights.items()}, strict=True)
    loss = model.loss(batch)
    loss.backward()
    out = {"loss": np.array([loss.item()], dtype=np.float64)}
    for name, p in model.named_parameters():
        out["grad." + name] = p.grad.detach().numpy().astype(np.float32)
    write_safetensors(out_path, out, {"model": kind})


def main():
    args = sys.argv[1:]
    if not args or len(args) % 3:
        sys.exit(__doc__)
    for i in range(0, len(args), 3):
        check(*args[i:i + 3])


if __name__ == "__main__":
    main()
