#!/usr/bin/env python3
"""Rebuilds data/real/ (small real fixtures for the data-path tests and the README's runs).

Needs, unpacked in the folder given as the first argument (see NOTICE for checksums):
  cmu/    dpkg-deb -x festlex-cmu_2.4-2_all.deb cmu
  sword/  dpkg-deb -x sword-text-kjv_14.3-1_all.deb sword; the same for sword-text-sparv_2.60-1
  opennlp/tools/...  unzip opennlp-tools-2.5.4-tests.jar (Maven) 'opennlp/tools/parser/parser.train'
                     'opennlp/tools/postag/AnnotatedSentences.txt'
"""
import html
import os
import random
import re
import struct
import sys
import zlib

src = sys.argv[1]
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "real")


def write_conll(name, sentences):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        for s in sentences:
            f.writelines(f"{w}\t{t}\n" for w, t in s)
            f.write("\n")


def treebank():
    # WSJ bracketed trees -> (word, POS) leaves; traces (-NONE-) dropped
    with open(os.path.join(src, "opennlp/tools/parser/parser.train"), encoding="utf-8") as f:
        trees = f.read().split("\n")
    train = []
    for t in trees:
        leaves = [(w, tag) for tag, w in re.findall(r"\(([^\s()]+) ([^\s()]+)\)", t) if tag != "-NONE-"]
        if leaves:
            train.append(leaves)
    write_conll("treebank-train.conll", train)
    with open(os.path.join(src, "opennlp/tools/postag/AnnotatedSentences.txt"), encoding="iso-8859-1") as f:
        lines = f.read().split("\n")
    test = []
    for line in lines:
        pairs = [tok.rsplit("_", 1) for tok in line.split()]
        if pairs and all(len(p) == 2 and p[0] and p[1] for p in pairs):
            test.append(pairs)
    write_conll("treebank-test.conll", test)


def cmudict():
    # spaced letters -> phonemes (stress dropped), every 90th headword, shuffled with seed 7
    entries, seen = [], set()
    path = os.path.join(src, "cmu/usr/share/festival/dicts/cmu/cmudict-0.4.out")
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = re.match(r'\("([a-z]+)" \S+ (.*)\)\s*$', line)
            if not m or m.group(1) in seen or len(m.group(1)) < 2:
                continue
            seen.add(m.group(1))
            syllables = re.findall(r"\(\(([^()]*)\) \d\)", m.group(2))
            entries.append((m.group(1), " ".join(p for s in syllables for p in s.split())))
    sample = entries[::90]
    random.Random(7).shuffle(sample)
    for name, rows in (("cmudict-train.tsv", sample[:1000]), ("cmudict-test.tsv", sample[1000:1150])):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.writelines(" ".join(w) + "\t" + p + "\n" for w, p in rows)


def sword_verses(module):
    # SWORD zText: .bzv a record per verse slot, .bzs a record per zlib block, .bzz the blocks
    d = os.path.join(src, "sword/usr/share/sword/modules/texts/ztext", module)
    bzs, bzv, bzz = (open(os.path.join(d, "nt." + e), "rb").read() for e in ("bzs", "bzv", "bzz"))
    blocks = [struct.unpack_from("<III", bzs, i) for i in range(0, len(bzs), 12)]
    cache, verses = {}, []
    for i in range(0, len(bzv), 10):
        b, off, size = struct.unpack_from("<IIH", bzv, i)
        if size == 0 or b >= len(blocks):
            verses.append("")
            continue
        if b not in cache:
            o, cs, _ = blocks[b]
            cache[b] = zlib.decompress(bzz[o:o + cs])
        t = cache[b][off:off + size].decode("utf-8", "replace")
        t = re.sub(r"<note.*?</note>|<title.*?</title>", "", t, flags=re.S)
        verses.append(" ".join(html.unescape(re.sub(r"<[^>]+>", "", t)).split()))
    return verses


def bible_pairs():
    # New Testament verses of at most 12 words on both sides, KJV -> Reina-Valera 1909
    pairs = [(a, b) for a, b in zip(sword_verses("engKJV2006eb"), sword_verses("spaRV1909eb"))
             if a and b and len(a.split()) <= 12 and len(b.split()) <= 12]
    for name, rows in (("kjv-sparv-train.tsv", pairs[:600]), ("kjv-sparv-test.tsv", pairs[600:700])):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.writelines(a + "\t" + b + "\n" for a, b in rows)


treebank()
cmudict()
bible_pairs()
