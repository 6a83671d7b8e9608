"""Helpers every file reader shares: size limits, label numbering, dropping incomplete rows, wording.

Used by :mod:`engine.data.text` (text tables) and :mod:`engine.data.loaders`
(binary formats); it imports only :mod:`engine.data.dataset`.

Example
-------
>>> labels, names = dense_labels(np.array(["b", "a", "b"]))
>>> labels.tolist(), names
([1, 0, 1], ('a', 'b'))
>>> plural(1, "row"), plural(1200, "row")
('1 row', '1,200 rows')
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from engine.core.cancel import Cancelled, requested
from engine.data.dataset import MAX_BYTES, MAX_POINTS, DataError

__all__ = ["SUPPORTED", "reason", "lines_list", "plural", "check_size", "dense_labels", "drop_nonfinite",
           "LoadCancelled", "cancel_check"]

SUPPORTED = ("CSV/TSV/text tables (.csv, .tsv, .txt, .dat, .tab), NumPy arrays (.npy, .npz) "
             "and MNIST IDX files (e.g. t10k-images-idx3-ubyte, also gzipped .gz)")


def reason(exc: BaseException) -> str:
    """An exception as a short text for a message (its type name when it says nothing)."""
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) < 200 else text[:200] + "..."


def lines_list(numbers, limit: int = 10) -> str:
    """``"1, 2, 3"``, the first ``limit`` numbers and how many more."""
    shown = ", ".join(str(i) for i in numbers[:limit])
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")


def plural(k: int, word: str) -> str:
    """``"1 row"``, ``"2 rows"``."""
    return f"{k:,} {word}{'' if k == 1 else 's'}"


def check_size(name: str, n: int, d: int, what: str = "data") -> None:
    """Refuse ``n`` points of ``d`` values over :data:`MAX_POINTS` points or :data:`MAX_BYTES` of float64."""
    if n > MAX_POINTS or n * d * 8 > MAX_BYTES:
        raise DataError(f"{name}: {what} of {n:,} x {d:,} values is over the limit of {MAX_POINTS:,} points "
                        f"or {MAX_BYTES // 1024 ** 3} GiB; use a subset of the rows.")


def dense_labels(values) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """Map label values to 0..m-1 (sorted); names are kept unless the values already are 0..m-1 integers."""
    values = np.asarray(values)
    uniq, inv = np.unique(values, return_inverse=True)
    if values.dtype.kind in "iub" and np.array_equal(uniq, np.arange(uniq.size)):
        return inv.astype(np.int64), None
    if values.dtype.kind == "f":
        names = tuple(str(int(v)) for v in uniq)
    else:
        names = tuple(str(v) for v in uniq)
    return inv.astype(np.int64), names


def drop_nonfinite(name, X, labels, notes, first_line=0):
    """Drop rows with NaN/inf (a note says which); returns X, labels."""
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        bad_rows = np.flatnonzero(bad)
        where = f"{'row' if bad_rows.size == 1 else 'rows'} {lines_list([int(i) + first_line for i in bad_rows])}"
        notes.append(f"{plural(bad_rows.size, 'row')} with missing values dropped ({where}).")
        X = X[~bad]
        labels = None if labels is None else labels[~bad]
        if X.shape[0] == 0:
            raise DataError(f"{name}: every row has a missing value (NaN, NA, empty or infinite); nothing is left.")
    return X, labels


# ------------------------------------------------------------------ cancelling a load
class LoadCancelled(DataError, Cancelled):
    """A load stopped because its cancel flag was set (see :func:`cancel_check`): a :class:`DataError` (what a
    loader raises) and a :class:`engine.core.cancel.Cancelled` (what stopped engine work raises)."""


def cancel_check(cancel: Callable[[], bool] | None = None) -> Callable[[str], None]:
    """``check(name)``: raises :class:`LoadCancelled` once ``cancel()`` says so or the thread's stop check
    (:func:`engine.core.cancel.watching`: the window's data loader installs its task's flag) does; a loader
    calls it while it reads.

    >>> from engine.core.cancel import watching
    >>> with watching(lambda: True):
    ...     cancel_check()("x.csv")
    Traceback (most recent call last):
    ...
    engine.data.common.LoadCancelled: x.csv: loading cancelled.
    """
    def check(name: str) -> None:
        if requested() or (cancel is not None and cancel()):
            raise LoadCancelled(f"{name}: loading cancelled.")
    return check
