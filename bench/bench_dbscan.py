"""Benchmark engine.dbscan against scikit-learn's DBSCAN, side by side in one process.

100,000 2-D points with about 30 points within ε of each point, the whole run:

1. uniform points in the unit square, ε such that π ε² n = 30 (ℓ2), min_samples = 10: one large cluster
   grown in about a hundred waves;
2. five Gaussian blobs (90 %) and uniform noise (10 %), ε such that the mean number of points within ε
   is 30 (ℓ2), min_samples = 20: several clusters, border points and noise.

Each is run with the three metrics (ℓ1, ℓ2, ℓ∞: scikit-learn's ``manhattan``, ``euclidean``,
``chebyshev``). Ours is timed through ``steps()`` (every Step built, as the window runs it) and through
``fit()``; scikit-learn as ``DBSCAN(eps, min_samples, metric).fit(X)`` (its default tree and one thread
of work). Each figure is the best of 3 rounds, the sides alternating within a round, and the labels are
checked to be the same. A ratio < 1 means we are faster.

Run:  python bench/bench_dbscan.py
"""
from __future__ import annotations

import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.cluster import DBSCAN  # noqa: E402

from engine import dbscan  # noqa: E402
from timing import best_of  # noqa: E402 - bench/timing.py

SK = {"l1": "manhattan", "l2": "euclidean", "linf": "chebyshev"}
N = 100_000


def uniform(rng):
    X = rng.uniform(0.0, 1.0, size=(N, 2))
    return X, float(np.sqrt(30 / (np.pi * N))), 10


def blobs_and_noise(rng):
    m = int(0.9 * N)
    centres = rng.uniform(-10, 10, size=(5, 2))
    X = np.vstack([centres[rng.integers(0, 5, m)] + rng.normal(0, 1.0, size=(m, 2)),
                   rng.uniform(-14, 14, size=(N - m, 2))])
    rng.shuffle(X)
    lo, hi = 0.01, 2.0  # the mean count within ε grows with ε: bisect on a sample for 30
    sample = X[rng.choice(N, 2000, replace=False)]
    for _ in range(30):
        eps = (lo + hi) / 2
        d2 = ((sample[:, None, :] - X[None, :20000, :]) ** 2).sum(axis=2)
        mean = (d2 <= eps * eps).sum(axis=1).mean() * N / 20000
        lo, hi = (eps, hi) if mean < 30 else (lo, eps)
    return X, eps, 20


def bench(name, X, eps, min_samples, metric):
    def ours_steps():
        return list(dbscan.steps(X, eps=eps, min_samples=min_samples, metric=metric))

    def ours_fit():
        return dbscan.fit(X, eps=eps, min_samples=min_samples, metric=metric)

    def sk():
        return DBSCAN(eps=eps, min_samples=min_samples, metric=SK[metric]).fit(X)

    (t_sk, m), (t_st, st), (t_fit, r) = best_of(sk, ours_steps, ours_fit)
    same = np.array_equal(m.labels_, r.labels) and np.array_equal(m.labels_, st[-1].labels)
    pairs = int((r.counts.sum() - N) // 2)
    print(f"{name:16s} {metric:4s} eps={eps:.4f} pairs={pairs:,} clusters={r.n_clusters} noise={r.n_noise:,} "
          f"steps={len(st)}")
    print(f"    scikit-learn {1e3 * t_sk:7.0f} ms | steps() {1e3 * t_st:7.0f} ms | fit() {1e3 * t_fit:7.0f} ms | "
          f"ratio steps()/sklearn {t_st / t_sk:.2f}, fit()/sklearn {t_fit / t_sk:.2f} | same labels: {same}")
    return t_st / t_sk


def main():
    rng = np.random.default_rng(0)
    ratios = []
    for name, make in (("uniform", uniform), ("blobs + noise", blobs_and_noise)):
        X, eps, ms = make(rng)
        for metric in ("l2", "l1", "linf"):
            ratios.append(bench(name, X, eps, ms, metric))
    print(f"RATIO steps()/scikit-learn: worst {max(ratios):.2f}, mean {np.mean(ratios):.2f}  (goal <= 1.00)")


if __name__ == "__main__":
    main()
