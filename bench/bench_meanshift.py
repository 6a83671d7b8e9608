"""Benchmark engine.meanshift against scikit-learn's MeanShift, side by side in one process.

Blobs (``engine.data.generate("blobs", n, seed=0)``: three round clusters of standard deviation 1) of 2,000 and
10,000 points, flat kernel, bandwidth h = 1.5, a window at every point (``seeds="all"``; scikit-learn
``seeds=X``) or one per occupied cell of a grid of side h (``seeds="bins"``; scikit-learn ``bin_seeding=True``).
Ours is timed through ``steps()`` (every Step built: the windows' positions at every iteration) and through
``fit()``; scikit-learn with ``n_jobs=None`` (one process) and ``max_iter`` one less than ours (its loop moves a
window ``max_iter + 1`` times). Each run checks that both give the same modes (to 1e-6).

Each figure is the best of ``repeats`` rounds, the sides alternating within a round (scikit-learn's 10,000-point
run with a window at every point takes minutes: one round). A ratio < 1 means we are faster.

Run:  python bench/bench_meanshift.py [--quick]   (--quick: 2,000 points only)
"""
from __future__ import annotations

import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.cluster import MeanShift  # noqa: E402

from engine import data as edata  # noqa: E402
from engine import meanshift  # noqa: E402
from timing import best_of  # noqa: E402 - bench/timing.py

H = 1.5
MAX_ITER = 300


def bench(n: int, seeds: str, repeats: int) -> float:
    X = edata.generate("blobs", n=n, seed=0).X

    def ours_steps():
        last = None
        for last in meanshift.steps(X, bandwidth=H, seeds=seeds, max_iter=MAX_ITER):
            pass
        return last.centers

    def ours_fit():
        return meanshift.fit(X, bandwidth=H, seeds=seeds, max_iter=MAX_ITER).centers

    def sk():
        kw = {"bin_seeding": True} if seeds == "bins" else {"seeds": X}
        return MeanShift(bandwidth=H, max_iter=MAX_ITER - 1, **kw).fit(X).cluster_centers_

    (t_sk, c_sk), (t_st, c_st), (t_fit, _) = best_of(sk, ours_steps, ours_fit, repeats=repeats)
    same = c_sk.shape == c_st.shape and np.allclose(c_sk, c_st, rtol=0, atol=1e-6)
    windows = n if seeds == "all" else len(meanshift.bin_seeds(X, H))
    print(f"n={n:,} seeds={seeds} ({windows:,} windows), h={H}, flat kernel: {c_st.shape[0]} modes, "
          f"same modes as scikit-learn: {same}")
    print(f"    scikit-learn : {t_sk:8.3f} s")
    print(f"    steps()      : {t_st:8.3f} s   ratio {t_st / t_sk:.3f}")
    print(f"    fit()        : {t_fit:8.3f} s   ratio {t_fit / t_sk:.3f}")
    return t_st / t_sk


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    cases = [(2000, "bins", 5), (2000, "all", 2)]
    if "--quick" not in argv:
        cases += [(10_000, "bins", 3), (10_000, "all", 1)]
    ratios = {(n, s): bench(n, s, r) for n, s, r in cases}
    print("\nratio steps()/scikit-learn (< 1: faster):")
    for (n, s), r in ratios.items():
        print(f"    n={n:>6,} seeds={s:<4}  {r:.3f}")


if __name__ == "__main__":
    main()
