"""Benchmark engine.scores against scikit-learn, side by side in one process.

1. Silhouettes of 10,000 points (2-D, six blobs, K-means-like labels) in l2, l1 and l-inf:
   ``engine.silhouette_samples`` (l2 and l-inf in blocks of rows, l1 by sorted prefix sums; never an
   n x n matrix) against
   ``sklearn.metrics.silhouette_samples`` with metric "euclidean", "manhattan", "chebyshev"
   (its own chunked pairwise distances). The same 10,000 points in 50 dimensions for l2 too.
2. Scores of 100,000 labels against 100,000 known classes (10 classes, 12 clusters):
   ``engine.adjusted_rand_index`` / ``normalized_mutual_info`` against ``adjusted_rand_score`` /
   ``normalized_mutual_info_score``.

Each figure is the best of 3 rounds, the two sides alternating within a round. A ratio < 1 means we are
faster; the largest difference from scikit-learn is printed beside it.

Run:  python bench/bench_scores.py
"""
from __future__ import annotations

import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn import metrics as skm  # noqa: E402

import engine  # noqa: E402
from timing import best_of  # noqa: E402 - bench/timing.py

SK = {"l2": "euclidean", "l1": "manhattan", "linf": "chebyshev"}


def blobs(n=10_000, d=2, k=6, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(k, d))
    g = rng.integers(0, k, n)
    X = centres[g] + rng.normal(size=(n, d))
    labels = ((X[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)  # nearest centre
    return X, labels


def bench_silhouette(X, labels, metrics=("l2", "l1", "linf")):
    n, d = X.shape
    print(f"[1] silhouette_samples, n={n:,} d={d} k={np.unique(labels).size}")
    ratios = {}
    for metric in metrics:
        (t_sk, ref), (t_ours, ours) = best_of(lambda: skm.silhouette_samples(X, labels, metric=SK[metric]),
                                              lambda: engine.silhouette_samples(X, labels, metric))
        ratios[metric] = t_ours / t_sk
        diff = float(np.max(np.abs(ours - ref)))
        print(f"    {metric:<4} scikit-learn {1e3 * t_sk:7.0f} ms   ours {1e3 * t_ours:7.0f} ms   "
              f"ratio {ratios[metric]:.2f}   max |diff| {diff:.1e}")
    return ratios


def bench_labels(n=100_000, seed=0):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 10, n)
    labels = np.where(rng.random(n) < 0.7, truth, rng.integers(0, 12, n))
    print(f"[2] scores of {n:,} labels (10 classes, 12 clusters)")
    ratios = {}
    for name, ours, ref in (("ARI", engine.adjusted_rand_index, skm.adjusted_rand_score),
                            ("NMI", engine.normalized_mutual_info, skm.normalized_mutual_info_score)):
        (t_sk, v_sk), (t_ours, v_ours) = best_of(lambda: ref(truth, labels), lambda: ours(truth, labels))
        ratios[name] = t_ours / t_sk
        print(f"    {name}  scikit-learn {1e3 * t_sk:7.1f} ms   ours {1e3 * t_ours:7.1f} ms   "
              f"ratio {ratios[name]:.2f}   |diff| {abs(v_ours - v_sk):.1e}")
    return ratios


def main():
    X, labels = blobs()
    bench_silhouette(X, labels)
    X50, labels50 = blobs(d=50, seed=1)
    bench_silhouette(X50, labels50, metrics=("l2",))
    bench_labels()


if __name__ == "__main__":
    main()
