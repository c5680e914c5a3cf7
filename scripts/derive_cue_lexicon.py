#!/usr/bin/env python3
"""Derive the reported-speech cue lexicon shipped in
src/extract/quotes/reported/cue_lexicon.tsv from PolNeAR's train split.

For each lower-cased word form, counts how often it is a word of a gold cue
(`cue`, any attribution with a source) and how often it occurs in the text at
all (`total`). Only the counts are kept, never text: one
`word<TAB>cue<TAB>total` line per form with cue >= MIN_CUE, sorted by word.
The stage (`reported/lexicon.rs`) keeps the forms whose cue/total ratio is
over its threshold.

--exclude-fold K --folds N leaves out every article whose index in sorted
order is K modulo N, to measure the lexicon on articles it was not derived
from (cross-validation on train).

usage: scripts/derive_cue_lexicon.py --root ../shared/data/polnear \
    [--split train] [--exclude-fold K --folds N] > src/extract/quotes/reported/cue_lexicon.tsv
"""
import argparse
import collections
import os
import re
import sys

MIN_CUE = 3
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--split", default="train")
    ap.add_argument("--exclude-fold", type=int)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    # The shared reader of PolNeAR: <root> is shared/data/polnear.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(args.root)), "..", "eval"))
    from polnear import load_split

    arts = load_split(args.root, args.split)
    cue, total = collections.Counter(), collections.Counter()
    for i, stem in enumerate(sorted(arts)):
        if args.exclude_fold is not None and i % args.folds == args.exclude_fold:
            continue
        text = arts[stem]["text"]
        spans = [s for g in arts[stem]["gold"] if g["source"] for s in g["cue"]]
        for m in WORD.finditer(text):
            w = m.group().lower()
            total[w] += 1
            if any(a <= m.start() and m.end() <= b for a, b in spans):
                cue[w] += 1
    for w in sorted(w for w in cue if cue[w] >= MIN_CUE):
        print(f"{w}\t{cue[w]}\t{total[w]}")


if __name__ == "__main__":
    main()
