"""Benchmark engine.kmeans against scikit-learn's Lloyd K-means, side by side in one process.

1. One Lloyd iteration on the 10,000 MNIST test images (784 features, float32, K = 10):
   time per iteration = total time / n_iter for a run with max_iter fixed, tol=0,
   n_init=1 and the same starting centres (10 random data points). Ours is timed
   through ``steps()`` (every Step built), and through ``fit()``.
2. A sweep K in {5, 10, 15, 20} x 5 restarts on the first 6,000 images (float32):
   ``engine.kmeans.sweep`` (k-means++ seeding included in its time) against
   scikit-learn running the same 20 runs from the same starting centres
   (``KMeans(init=centres, n_init=1, algorithm="lloyd", tol=0)``; its time has no seeding).

Both use the same BLAS threads. Each figure is the best of 5 (iteration) or 3 (sweep) rounds, the two
sides alternating within a round. A ratio < 1 means we are faster.

Run:  python bench/bench_kmeans.py
"""
from __future__ import annotations

import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.cluster import KMeans  # noqa: E402

from engine import data as edata  # noqa: E402
from engine import kmeans  # noqa: E402
from timing import best_of  # noqa: E402 - bench/timing.py


def load_mnist() -> np.ndarray:
    """The 10,000 shipped MNIST test images (engine.data.mnist), as float32 in [0, 1]."""
    return np.asarray(edata.mnist(10000).X, dtype=np.float32)


def bench_iteration(X, k=10, max_iter=30):
    C0 = X[np.random.default_rng(0).choice(X.shape[0], k, replace=False)]

    def ours_steps():
        n = 0
        for s in kmeans.steps(X, k, init=C0, max_iter=max_iter):
            n = s.iteration
        return n

    def ours_fit():
        return kmeans.fit(X, k, init=C0, max_iter=max_iter).n_iter

    def sk():
        return KMeans(k, init=C0, n_init=1, algorithm="lloyd", tol=0, max_iter=max_iter).fit(X).n_iter_

    (t_sk, it_sk), (t_st, it_st), (t_fit, it_fit) = best_of(sk, ours_steps, ours_fit, repeats=5)
    print(f"[1] MNIST n={X.shape[0]} d={X.shape[1]} float32 K={k}, max_iter={max_iter}, same start")
    print(f"    scikit-learn : {1e3 * t_sk / it_sk:7.2f} ms/iteration ({it_sk} iterations, {1e3 * t_sk:.0f} ms)")
    print(f"    steps()      : {1e3 * t_st / it_st:7.2f} ms/iteration ({it_st} iterations, {1e3 * t_st:.0f} ms)")
    print(f"    fit()        : {1e3 * t_fit / it_fit:7.2f} ms/iteration ({it_fit} iterations)")
    ratio = (t_st / it_st) / (t_sk / it_sk)
    print(f"    ratio steps()/scikit-learn per iteration: {ratio:.2f}  (required <= 1.00)")
    return ratio


def bench_sweep(X, ks=(5, 10, 15, 20), restarts=5, seed=0):
    res = kmeans.sweep(X, ks, restarts, seed=seed)
    starts = [[kmeans.fit(X, k, seed=int(res.seeds[i, r]), max_iter=1).init_centers for r in range(restarts)]
              for i, k in enumerate(ks)]

    def sk():
        its, J = [], []
        for i, k in enumerate(ks):
            for r in range(restarts):
                km = KMeans(k, init=starts[i][r], n_init=1, algorithm="lloyd", tol=0, max_iter=300).fit(X)
                its.append(km.n_iter_)
                J.append(km.inertia_)
        return np.array(its), np.array(J)

    (t_ours, res), (t_sk, (its, J)) = best_of(lambda: kmeans.sweep(X, ks, restarts, seed=seed), sk)
    same_iters = np.array_equal(its, res.n_iter.ravel())
    rel = np.max(np.abs(J - res.objectives.ravel()) / J)
    print(f"[2] sweep K in {list(ks)} x {restarts} restarts, n={X.shape[0]} float32, "
          f"{int(res.n_iter.sum())} Lloyd iterations in all")
    print(f"    scikit-learn (same starting centres, no seeding): {t_sk:6.2f} s")
    print(f"    engine.kmeans.sweep (k-means++ seeding included): {t_ours:6.2f} s")
    print(f"    same iteration counts: {same_iters}; largest relative objective difference: {rel:.1e}")
    ratio = t_ours / t_sk
    print(f"    ratio sweep/scikit-learn: {ratio:.2f}  (required <= 1.20)")
    return ratio


def main():
    X = load_mnist()
    r1 = bench_iteration(X)
    r2 = bench_sweep(X[:6000])
    print(f"RATIOS iteration={r1:.2f} sweep={r2:.2f}")


if __name__ == "__main__":
    main()
