"""A sweep over K computed on several threads (``workers``) is the sweep computed on one: the same runs, callbacks in
run order on the calling thread, and a cancel that stops it."""
import threading

import numpy as np
import pytest

from engine import kmeans
from engine.data import generate


@pytest.fixture(scope="module")
def blobs():
    return generate("blobs", n=300, seed=4).X


def test_the_result_does_not_depend_on_the_number_of_workers(blobs):
    calls = {1: [], 3: []}
    threads = {1: set(), 3: set()}
    out = {}
    for w in (1, 3):
        def on_run(i, r, res, w=w):
            calls[w].append((i, r))
            threads[w].add(threading.get_ident())
        out[w] = kmeans.sweep(blobs, [1, 2, 3, 5], 3, seed=11, init="random", on_run=on_run, workers=w)
    a, b = out[1], out[3]
    np.testing.assert_allclose(a.objectives, b.objectives, rtol=1e-12)
    np.testing.assert_allclose(a.silhouettes, b.silhouettes, rtol=1e-12, equal_nan=True)
    assert a.best_restart.tolist() == b.best_restart.tolist() and a.n_iter.tolist() == b.n_iter.tolist()
    for x, y in zip(a.best, b.best):
        assert np.array_equal(x.labels, y.labels)
    assert calls[3] == calls[1] == [(i, r) for i in range(4) for r in range(3)]  # in run order
    assert threads[3] == {threading.get_ident()}  # on the calling thread


def test_a_cancelled_sweep_on_threads_stops_and_keeps_the_runs_finished(blobs):
    seen = []

    def cancel():
        return len(seen) >= 4

    with pytest.raises(kmeans.Cancelled) as info:
        kmeans.sweep(blobs, [2, 3, 4, 5], 3, seed=1, on_run=lambda i, r, res: seen.append((i, r)), cancel=cancel,
                     workers=2)
    partial = info.value.partial
    assert len(seen) == 4 and np.isfinite(partial.objectives).sum() >= 4


def test_workers_must_be_a_whole_number_of_at_least_one(blobs):
    with pytest.raises(ValueError, match="workers"):
        kmeans.sweep(blobs, [2], 1, workers=0)
