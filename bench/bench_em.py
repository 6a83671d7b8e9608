"""Benchmark one EM iteration against the references named in the brief; prints ratios (best of 3).

1. Gaussian mixture, full covariances, 100,000 2-D points, K = 5: one iteration of engine.gmm
   (E-step + M-step, timed between consecutive M-steps) against one iteration of scikit-learn's
   GaussianMixture (total fit time / n_iter with max_iter fixed, tol=0, started from given parameters).
   Target: ratio <= 1.
2. Bernoulli mixture, 10,000 binarized MNIST images, K = 10: one EM iteration of engine.bernoulli
   against one Lloyd iteration (assign + update) of the project's own K-means (engine.kmeans.steps).
   Target: ratio <= 2.

Run:  python bench/bench_em.py
"""
from __future__ import annotations

import pathlib
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from engine import bernoulli, gmm  # noqa: E402

REPEATS = 3


def _per_iteration(gen, n_iter, first_kind):
    """Seconds per iteration: time from the first ``first_kind`` step to the one ``n_iter`` iterations later."""
    marks = []
    for step in gen:
        if step.kind == first_kind:
            marks.append(time.perf_counter())
            if len(marks) == n_iter + 1:
                break
    return (marks[-1] - marks[0]) / (len(marks) - 1)


def bench_gmm(n=100_000, k=5, n_iter=20):
    from sklearn.mixture import GaussianMixture
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(n // k, 2)) @ rng.normal(size=(2, 2)) + rng.normal(size=2) * 4
                        for _ in range(k)])
    ref = GaussianMixture(k, random_state=0, max_iter=100).fit(X[::50])
    init = {"weights": ref.weights_, "means": ref.means_, "covariances": ref.covariances_}
    ours, theirs = [], []
    for _ in range(REPEATS):
        ours.append(_per_iteration(gmm.steps(X, k, "full", init=init, max_iter=n_iter + 1, tol=0), n_iter, "M"))
        sk = GaussianMixture(k, covariance_type="full", max_iter=n_iter, tol=0, weights_init=ref.weights_,
                             means_init=ref.means_, precisions_init=ref.precisions_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = time.perf_counter()
            sk.fit(X)
            theirs.append((time.perf_counter() - t) / sk.n_iter_)
    a, b = min(ours), min(theirs)
    print(f"GMM full, n={n}, d=2, K={k}: engine.gmm {a * 1e3:.1f} ms/iter, sklearn {b * 1e3:.1f} ms/iter, "
          f"ratio {a / b:.2f} (target <= 1)")
    return a / b


def bench_bernoulli(k=10, n_iter=10):
    from engine import data
    X = np.asarray(data.binarize(data.mnist(10_000).X, 0.5), dtype=float)
    try:
        from engine import kmeans
    except ImportError:
        kmeans = None
    ours, lloyd = [], []
    for _ in range(REPEATS):  # interleaved, so both see the same machine load
        ours.append(_per_iteration(bernoulli.steps(X, k, seed=0, max_iter=n_iter + 1, tol=0), n_iter, "M"))
        if kmeans is not None:
            lloyd.append(_per_iteration(kmeans.steps(X, k, seed=0, max_iter=n_iter + 1), n_iter, "update"))
    if kmeans is None:
        print(f"Bernoulli EM, MNIST n={len(X)}, K={k}: {min(ours) * 1e3:.1f} ms/iter; "
              "engine.kmeans is not there yet: no ratio")
        return None
    a, b = min(ours), min(lloyd)
    print(f"Bernoulli EM, binarized MNIST n={len(X)}, d={X.shape[1]}, K={k}: engine.bernoulli {a * 1e3:.1f} "
          f"ms/iter, engine.kmeans Lloyd {b * 1e3:.1f} ms/iter, ratio {a / b:.2f} (target <= 2)")
    return a / b


if __name__ == "__main__":
    bench_gmm()
    bench_bernoulli()
