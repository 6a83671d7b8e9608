"""Benchmark engine.spectral against scikit-learn's SpectralClustering, side by side in one process.

2,000 points of two moons, two rings (noise 0.05) and three blobs, with both affinities: the RBF graph
(gamma = 20) and the symmetrised 10-nearest-neighbour graph. Ours is the whole run through ``fit()``
(graph, eigenvectors, K-means in the embedding, every Step built); scikit-learn's is
``SpectralClustering(k, affinity=..., random_state=0).fit(X)`` with its defaults (ARPACK in shift-invert
mode, K-means with ``n_init=10``). Each figure is the best of 3 rounds, the two sides alternating within a
round, with the same BLAS threads. The ARI column checks that both found the same partition.
A ratio < 1 means we are faster.

``--more-k`` adds knn rows whose k is above the number of the graph's connected pieces (moons k = 4,
rings k = 3, blobs k = 6): the eigenvectors beyond the null space are then computed, not written down.

Run:  python bench/bench_spectral.py [--n 2000] [--repeats 3] [--threads 1] [--more-k]
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import warnings

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.cluster import SpectralClustering  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

from engine import data as edata  # noqa: E402
from engine import spectral  # noqa: E402
from timing import best_of  # noqa: E402 - bench/timing.py

SETS = (("moons", 2, {"noise": 0.05}), ("rings", 2, {"noise": 0.05}), ("blobs", 3, {}))
AFFINITIES = (("rbf", "rbf"), ("knn", "nearest_neighbors"))
MORE_K = {"moons": 4, "rings": 3, "blobs": 6}  # knn graphs of 2 / 2 / 3 pieces


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="BLAS threads for both sides (threadpoolctl); 0: as is")
    ap.add_argument("--more-k", action="store_true", help="also knn rows with k above the graph's pieces")
    args = ap.parse_args(argv)
    if args.threads:
        from threadpoolctl import threadpool_limits
        with threadpool_limits(args.threads):
            return _table(args)
    return _table(args)


def _table(args) -> int:
    warnings.simplefilter("ignore")  # scikit-learn warns about knn graphs in several pieces
    print(f"{'data':10} {'affinity':8} {'ours (s)':>9} {'sklearn (s)':>12} {'ratio':>6} {'ARI':>6}")
    ratios = []
    rows = [(kind, k, opts, ours, sk) for kind, k, opts in SETS for ours, sk in AFFINITIES]
    if args.more_k:
        rows += [(kind, MORE_K[kind], opts, "knn", "nearest_neighbors") for kind, _, opts in SETS]
    for kind, k, opts, ours_name, sk_name in rows:
        X = edata.generate(kind, n=args.n, seed=0, **opts).X
        (t_ours, r), (t_sk, sk) = best_of(
            lambda: spectral.fit(X, k, affinity=ours_name, gamma=20.0, n_neighbors=10, seed=0),
            lambda: SpectralClustering(k, affinity=sk_name, gamma=20.0, n_neighbors=10, random_state=0).fit(X),
            repeats=args.repeats)
        ratio = t_ours / t_sk
        ratios.append(ratio)
        ari = adjusted_rand_score(sk.labels_, r.labels)
        name = kind if k == dict((s[0], s[1]) for s in SETS)[kind] else f"{kind} k={k}"
        print(f"{name:10} {ours_name:8} {t_ours:9.3f} {t_sk:12.3f} {ratio:6.2f} {ari:6.3f}")
    print(f"geometric mean ratio {float(np.exp(np.mean(np.log(ratios)))):.2f} (< 1: Clusterlab faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
