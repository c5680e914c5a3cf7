"""Nested k-means over unit vectors, shared by the word-class scripts
(derive_row_classes.py, derive_clusters.py): Lloyd's algorithm with a fixed
seed and a fixed number of iterations, then the centroids clustered again
level by level, so the granularities nest (like the prefixes of Brown
clusters). The importing script pins BLAS to one thread before numpy loads,
so the output is the same on every run."""
import numpy as np

BLOCK = 8192


def kmeans(x, k, weights, rng, iterations):
    """Lloyd's k-means on the rows of x (unit vectors, so the nearest centroid
    is the one of highest dot product); weights count each row's mass."""
    centroids = x[rng.choice(len(x), size=k, replace=False)].copy()
    assign = np.zeros(len(x), dtype=np.int64)
    for _ in range(iterations):
        for start in range(0, len(x), BLOCK):
            block = x[start:start + BLOCK]
            assign[start:start + BLOCK] = np.argmax(block @ centroids.T, axis=1)
        sums = np.stack(
            [np.bincount(assign, weights=x[:, d] * weights, minlength=k) for d in range(x.shape[1])],
            axis=1,
        )
        mass = np.bincount(assign, weights=weights, minlength=k)
        empty = mass == 0
        # An empty class takes a random row: k stays k.
        sums[empty] = x[rng.choice(len(x), size=int(empty.sum()), replace=False)]
        centroids = sums.astype(np.float32)
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-12
    return assign, centroids


def nested(x, levels, seed, iterations):
    """The rows of x scaled to unit length, clustered into levels[0] classes;
    those classes' centroids into levels[1] (weighted by their rows), and so
    on. Returns the rows' finest classes and, for each coarser level k, the
    parent of each class of the level before it: [(k, parents), ...]."""
    x = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)
    rng = np.random.default_rng(seed)
    assign, centroids = kmeans(x, levels[0], np.ones(len(x)), rng, iterations)
    mass = np.bincount(assign, minlength=levels[0]).astype(np.float64)
    parents = []
    for k in levels[1:]:
        parent, centroids = kmeans(centroids, k, np.maximum(mass, 1.0), rng, iterations)
        parents.append((k, parent))
        mass = np.bincount(parent, weights=mass, minlength=k)
    return assign, parents
