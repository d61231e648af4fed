"""Grouping answer embeddings into topics.

Two ways, both behind plain functions that return one label per answer:

- ``ward`` (default): principal components of the embeddings, then one Ward
  tree over a nearest-neighbour graph, cut at any number of topics. It uses no
  random numbers, so the same answers always give the same topics, every
  answer belongs to a topic, and one tree serves every candidate K when the
  number of topics is chosen automatically.
- ``hdbscan``: BERTopic's own pair, a seeded UMAP projection and HDBSCAN with a
  minimum cluster size that grows with the number of answers. It finds the
  number of topics itself and leaves outliers (label -1), which the topic
  model then reassigns to their nearest topic.

Example:
    >>> import numpy as np
    >>> points = np.array([[0.0, 0.0], [0.0, 0.1], [5.0, 5.0], [5.0, 5.1], [9.0, 0.0]])
    >>> ward_partitions(points, [2, 3], neighbours=2)[3].tolist()
    [0, 0, 1, 1, 2]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CLUSTERINGS = ("ward", "hdbscan")


def principal_components(embeddings: np.ndarray, *, dimensions: int = 50) -> np.ndarray:
    """The embeddings projected on their first principal components (exact SVD: no seed)."""
    from sklearn.decomposition import PCA

    n, d = embeddings.shape
    dimensions = max(1, min(dimensions, d, n - 1))
    if dimensions >= d:
        return embeddings.astype(np.float64)
    pca = PCA(n_components=dimensions, svd_solver="full")
    return np.asarray(pca.fit_transform(embeddings.astype(np.float64)))


def ward_partitions(points: np.ndarray, sizes: Sequence[int], *,
                    neighbours: int = 15) -> dict[int, np.ndarray]:
    """Labels for each number of clusters in ``sizes``, cut from one Ward tree.

    Labels are numbered by cluster size, largest first (ties: the cluster whose
    first answer comes first), so they do not depend on the tree's internals.
    """
    import warnings

    from sklearn.cluster import ward_tree
    from sklearn.neighbors import kneighbors_graph

    n = len(points)
    if any(size < 1 or size > n for size in sizes):
        raise ValueError(f"cluster counts must be between 1 and {n}: {list(sizes)}")
    connectivity = kneighbors_graph(points, n_neighbors=min(neighbours, n - 1),
                                    include_self=False) if n > 2 else None
    with warnings.catch_warnings():
        # A disconnected neighbour graph is completed by scikit-learn; that is fine here.
        warnings.simplefilter("ignore", UserWarning)
        children = ward_tree(points, connectivity=connectivity)[0]
    parent = np.arange(2 * n - 1)
    partitions: dict[int, np.ndarray] = {}
    merged = 0
    for size in sorted(set(sizes), reverse=True):
        for step in range(merged, n - size):
            left, right = children[step]
            parent[left] = parent[right] = n + step
        merged = n - size
        partitions[size] = _numbered_by_size(_roots(parent, n))
    return partitions


def _roots(parent: np.ndarray, n: int) -> np.ndarray:
    roots = np.arange(n)
    while True:
        above = parent[roots]
        if np.array_equal(above, roots):
            return roots
        roots = above


def _numbered_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber labels 0.. by size, largest first; ties by first appearance."""
    values, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    mapping = np.empty(len(values), dtype=np.int64)
    mapping[order] = np.arange(len(values))
    return mapping[np.searchsorted(values, labels)]


def umap_hdbscan_partition(embeddings: np.ndarray, *, seed: int,
                           min_cluster_size: int | None = None) -> np.ndarray:
    """BERTopic's clustering, seeded: UMAP to 5 dimensions, then HDBSCAN (-1 = outlier)."""
    import warnings

    from hdbscan import HDBSCAN
    from umap import UMAP

    n = len(embeddings)
    with warnings.catch_warnings():
        # UMAP warns that a seed disables parallelism: determinism is the point.
        warnings.simplefilter("ignore", UserWarning)
        reduced = UMAP(n_neighbors=min(15, n - 1), n_components=5, min_dist=0.0,
                       metric="cosine", random_state=seed).fit_transform(embeddings)
    size = min_cluster_size or hdbscan_min_cluster_size(n)
    labels = HDBSCAN(min_cluster_size=size, min_samples=min(5, size),
                     metric="euclidean").fit_predict(reduced)
    inliers = labels >= 0
    numbered = np.full(n, -1, dtype=np.int64)
    if inliers.any():
        numbered[inliers] = _numbered_by_size(labels[inliers])
    return numbered


def hdbscan_min_cluster_size(n_answers: int) -> int:
    """HDBSCAN's minimum cluster size for ``n_answers``: 0.5% of them, at least 5.

    Example:
        >>> hdbscan_min_cluster_size(400), hdbscan_min_cluster_size(10_000)
        (5, 50)
    """
    return max(5, n_answers // 200)
