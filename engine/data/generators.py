"""Seeded generators of classic 2-D shapes, with the generating labels as ground truth.

Each kind listed in :data:`engine.data.GENERATORS` is one function here; the
same ``(kind, n, seed, options)`` always gives the same points. Points are
shuffled so that their order says nothing about their cluster.

Example
-------
>>> ds = generate("blobs", n=90, seed=1, k=3)
>>> ds.X.shape, sorted(set(ds.labels.tolist()))
((90, 2), [0, 1, 2])
"""
from __future__ import annotations

import numpy as np

from engine.core.validation import check_whole
from engine.data.dataset import MAX_POINTS, DataError, Dataset

__all__ = ["generate", "GENERATORS"]

# kind -> (allowed options with their defaults)
#: Generator kind -> one-line description (the single list; engine.data.generators implements each).
GENERATORS = {
    "blobs": "k round Gaussian clusters of equal spread and size.",
    "elongated": "k elongated, overlapping Gaussians at different angles (exercise 6).",
    "unequal": "k Gaussian clusters of very different spread and size.",
    "moons": "Two interleaving half circles.",
    "rings": "k concentric rings.",
    "uniform": "Uniform noise in the unit square (one label).",
}

_OPTIONS = {
    "blobs": {"k": 3, "std": 1.0},
    "elongated": {"k": 3, "ratio": 4.0},
    "unequal": {"k": 3},
    "moons": {"noise": 0.08},
    "rings": {"k": 2, "noise": 0.05},
    "uniform": {},
}
MAX_K = 50


def _sizes(n: int, weights) -> np.ndarray:
    """Split n points into groups proportional to ``weights`` (every group >= 1, total exactly n)."""
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    sizes = np.maximum(1, np.floor(w * n).astype(int))
    while sizes.sum() > n:  # only when n is close to k
        sizes[np.argmax(sizes)] -= 1
    rest = n - sizes.sum()
    order = np.argsort(-(w * n - np.floor(w * n)), kind="stable")
    for i in range(rest):
        sizes[order[i % len(order)]] += 1
    return sizes


def _gaussians(rng, sizes, means, covs):
    pts, labs = [], []
    for j, (m, mean, cov) in enumerate(zip(sizes, means, covs)):
        pts.append(rng.multivariate_normal(mean, cov, size=int(m), method="cholesky"))
        labs.append(np.full(int(m), j))
    return np.vstack(pts), np.concatenate(labs)


def _rotation(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def _blobs(rng, n, k, std):
    # centres spread over a box growing with k, kept apart by rejection (>= 4 std)
    box = 4.0 * std * max(2.0, np.sqrt(k) * 1.5)
    centres = []
    for _ in range(10_000):
        c = rng.uniform(-box, box, size=2)
        if all(np.linalg.norm(c - o) >= 4.0 * std for o in centres):
            centres.append(c)
            if len(centres) == k:
                break
    while len(centres) < k:  # a crowded box: accept the rest without the gap
        centres.append(rng.uniform(-box, box, size=2))
    return _gaussians(rng, _sizes(n, np.ones(k)), centres, [np.eye(2) * std ** 2] * k)


def _elongated(rng, n, k, ratio):
    # means on a circle close enough for the long axes to overlap; angles evenly spread, then jittered
    radius = 1.2 + 0.4 * k
    phase = rng.uniform(0, 2 * np.pi)
    means = [radius * np.array([np.cos(phase + 2 * np.pi * j / k), np.sin(phase + 2 * np.pi * j / k)])
             for j in range(k)] if k > 1 else [np.zeros(2)]
    major = 1.6
    covs = []
    for j in range(k):
        angle = np.pi * j / k + rng.uniform(-0.2, 0.2) + np.pi / 6
        R = _rotation(angle)
        covs.append(R @ np.diag([major ** 2, (major / ratio) ** 2]) @ R.T)
    return _gaussians(rng, _sizes(n, np.ones(k)), means, covs)


def _unequal(rng, n, k):
    # spreads grow geometrically, sizes shrink: a wide sparse cluster next to small dense ones
    stds = 0.3 * 3.0 ** (np.arange(k) / max(k - 1, 1) * 2)  # 0.3 .. 2.7
    weights = 1.0 + np.arange(k)  # the widest cluster is also the largest (k-means tends to split it)
    x = 0.0
    means = []
    for j in range(k):
        if j:
            x += 2.5 * (stds[j - 1] + stds[j])
        means.append(np.array([x, rng.uniform(-1.0, 1.0) * stds[j]]))
    return _gaussians(rng, _sizes(n, weights), means, [np.eye(2) * s ** 2 for s in stds])


def _moons(rng, n, noise):
    n0, n1 = _sizes(n, [1, 1]) if n > 1 else (1, 0)
    t0 = rng.uniform(0, np.pi, n0)
    t1 = rng.uniform(0, np.pi, n1)
    a = np.column_stack([np.cos(t0), np.sin(t0)])
    b = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([a, b]) + rng.normal(0, noise, size=(n0 + n1, 2))
    return X, np.concatenate([np.zeros(n0, int), np.ones(n1, int)])


def _rings(rng, n, k, noise):
    radii = np.arange(1, k + 1, dtype=float)
    sizes = _sizes(n, radii)  # points proportional to circumference
    pts, labs = [], []
    for j, (m, r) in enumerate(zip(sizes, radii)):
        t = rng.uniform(0, 2 * np.pi, int(m))
        pts.append(r * np.column_stack([np.cos(t), np.sin(t)]) + rng.normal(0, noise * k, size=(int(m), 2)))
        labs.append(np.full(int(m), j))
    return np.vstack(pts), np.concatenate(labs)


def _uniform(rng, n):
    return rng.uniform(0.0, 1.0, size=(n, 2)), np.zeros(n, int)


_MAKERS = {"blobs": _blobs, "elongated": _elongated, "unequal": _unequal,
           "moons": _moons, "rings": _rings, "uniform": _uniform}
assert set(_MAKERS) == set(GENERATORS) == set(_OPTIONS)


def _positive(name, value, lo=0.0, hi=1e6):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{name}={value!r} should be a number.") from None
    if isinstance(value, bool) or not np.isfinite(v) or not lo < v <= hi:
        raise DataError(f"{name}={value!r} should be a number > {lo:g} and <= {hi:g}.")
    return v


def generate(kind: str, n: int = 300, seed=0, **opts) -> Dataset:
    """A seeded 2-D data set of a classic shape.

    Parameters
    ----------
    kind : str
        One of :data:`GENERATORS`: ``"blobs"`` (options ``k=3, std=1.0``),
        ``"elongated"`` (``k=3, ratio=4.0``: long/short axis ratio),
        ``"unequal"`` (``k=3``), ``"moons"`` (``noise=0.08``),
        ``"rings"`` (``k=2, noise=0.05``), ``"uniform"``.
    n : int
        Number of points, 1 .. MAX_POINTS (and >= k).
    seed : int >= 0 or None
        The same seed gives the same points.

    Returns
    -------
    Dataset
        ``X`` of shape (n, 2) and the generating ``labels`` (0 .. k-1) as ground truth.

    Example
    -------
    >>> a, b = generate("moons", n=50, seed=3), generate("moons", n=50, seed=3)
    >>> bool((a.X == b.X).all())
    True
    """
    if kind not in _MAKERS:
        raise DataError(f"Unknown generator {kind!r}; choose one of: {', '.join(GENERATORS)}.")
    allowed = _OPTIONS[kind]
    unknown = sorted(set(opts) - set(allowed))
    if unknown:
        hint = ", ".join(f"{k}={v!r}" for k, v in allowed.items()) or "none"
        raise DataError(f"Generator {kind!r} has no option {', '.join(unknown)}; its options are: {hint}.")
    n = check_whole(n, "n", low=1, high=MAX_POINTS, error=DataError)
    if seed is not None:
        check_whole(seed, "seed", low=0, error=DataError, suffix=" or None")
    args = dict(allowed, **opts)
    if "k" in args:
        args["k"] = check_whole(args["k"], "k", low=1, high=MAX_K, error=DataError)
        if args["k"] > n:
            raise DataError(f"n={n} should be >= k={args['k']}: choose at most {n} clusters or more points.")
    if kind == "moons" and n < 2:
        raise DataError(f"n={n} should be >= 2 for two moons.")
    for key in ("std", "noise", "ratio"):
        if key in args:
            args[key] = _positive(key, args[key], lo=0.0 if key != "ratio" else 1.0 - 1e-12)
    rng = np.random.default_rng(seed)
    X, labels = _MAKERS[kind](rng, n, **args)
    perm = rng.permutation(n)
    shown = ", ".join(f"{k}={v:g}" for k, v in args.items())
    return Dataset(X[perm], labels=labels[perm],
                   name=f"{kind.capitalize()} (n={n}{', ' + shown if shown else ''}, seed {seed})",
                   source=f"generator:{kind}")
