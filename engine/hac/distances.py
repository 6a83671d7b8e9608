"""Point distances of HAC under the ℓ1, ℓ2 and ℓ∞ norms, computed feature by feature as scipy does.

Example
-------
>>> import numpy as np
>>> pairwise(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]), "l2").tolist()
[[5.0]]
"""
from __future__ import annotations

import numpy as np

from engine.core.cancel import check

__all__ = ["BLOCK", "pairwise", "point_row"]

#: Elements per temporary block (256 kB of float64: stays in cache).
BLOCK = 1 << 15


def pairwise(A: np.ndarray, B: np.ndarray, norm: str, out: np.ndarray | None = None,
             squared: bool = False) -> np.ndarray:
    """Point distances ``||A[i] - B[j]||_norm``, shape ``(len(A), len(B))``.

    ``squared=True`` (ℓ2 only) leaves out the final square root.

    Sums run feature by feature in order, as scipy's ``pdist`` does, so the
    values match it to the last bit for ℓ1 / ℓ∞ and to rounding for ℓ2.
    """
    na, d = A.shape
    nb = B.shape[0]
    if out is None:
        out = np.empty((na, nb))
    if na == 0 or nb == 0:
        return out
    if d <= 16:
        tmp = np.empty((na, nb))
        np.subtract.outer(A[:, 0], B[:, 0], out=out)
        if norm == "l2":
            np.multiply(out, out, out=out)
        else:
            np.abs(out, out=out)
        for f in range(1, d):
            np.subtract.outer(A[:, f], B[:, f], out=tmp)
            if norm == "l2":
                np.multiply(tmp, tmp, out=tmp)
                out += tmp
            elif norm == "l1":
                np.abs(tmp, out=tmp)
                out += tmp
            else:
                np.abs(tmp, out=tmp)
                np.maximum(out, tmp, out=out)
    else:
        rows = max(1, BLOCK // max(1, nb * d))
        for r0 in range(0, na, rows):
            check()
            diff = A[r0:r0 + rows, None, :] - B[None, :, :]
            if norm == "l2":
                out[r0:r0 + rows] = np.einsum("ijk,ijk->ij", diff, diff)
            elif norm == "l1":
                np.abs(diff, out=diff)
                out[r0:r0 + rows] = diff.sum(axis=2)
            else:
                np.abs(diff, out=diff)
                out[r0:r0 + rows] = diff.max(axis=2)
    if norm == "l2" and not squared:
        np.sqrt(out, out=out)
    return out


def point_row(X, x, norm, squared=False):
    """Distances from the point ``x`` (shape ``(d,)``) to every row of ``X``, shape ``(n,)``, feature by
    feature as :func:`pairwise` computes them (ℓ2 ``squared``: no square root)."""
    d = X.shape[1]
    if d > 16:
        return pairwise(x[None, :], X, norm, squared=squared)[0]
    acc = X[:, 0] - x[0]
    if norm == "l2":
        acc *= acc
    else:
        np.abs(acc, out=acc)
    for f in range(1, d):
        diff = X[:, f] - x[f]
        if norm == "l2":
            diff *= diff
            acc += diff
        else:
            np.abs(diff, out=diff)
            if norm == "l1":
                acc += diff
            else:
                np.maximum(acc, diff, out=acc)
    if norm == "l2" and not squared:
        np.sqrt(acc, out=acc)
    return acc
