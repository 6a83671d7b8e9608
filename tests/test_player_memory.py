"""The player's history stays bounded: 100,000 points x 500 steps of a real run hold under 300 MB."""
import numpy as np
import pytest

from engine import kmeans
from engine.core.steps import Step
from gui.run.player import Player

N_POINTS, N_STEPS, BUDGET = 100_000, 500, 300 * 1024 ** 2


def held_bytes(history) -> int:
    """Bytes of every ndarray the steps hold, each array counted once (steps share unchanged arrays)."""
    seen = {}
    for s in history:
        for a in (s.labels_source, s.centers, s.trace, *s.payload.values()):
            if isinstance(a, np.ndarray):
                base = a if a.base is None else a.base  # a view keeps its whole base alive
                seen[id(base)] = base.nbytes
    return sum(seen.values())


def kmeans_steps(X, total):
    """``total`` real K-means steps: k-means++ runs one after another (seed steps carry a
    probability per point, the heaviest payload), each run's last step passed on as not done."""
    count, seed = 0, 0
    while True:
        for s in kmeans.steps(X, k=8, seed=seed, init="k-means++", max_iter=300):
            count += 1
            if count == total:
                yield s if s.done else Step(s.kind, s.description, labels=s.labels_source, centers=s.centers,
                                            objective=s.objective, trace=s.trace, iteration=s.iteration,
                                            done=True, status="finished", payload=s.payload)
                return
            if s.done:  # keep the arrays (shared, as the engine made them); only the flag differs
                s = Step(s.kind, s.description, labels=s.labels_source, centers=s.centers, objective=s.objective,
                         trace=s.trace, iteration=s.iteration, payload=s.payload)
            yield s
        seed += 1


@pytest.mark.slow
def test_history_of_500_kmeans_steps_on_100k_points_stays_under_300_mb(qtbot):
    X = np.random.default_rng(0).normal(size=(N_POINTS, 2)) + np.random.default_rng(1).integers(0, 5, (N_POINTS, 1))
    player = Player()
    try:
        player.start(lambda: kmeans_steps(X, N_STEPS))
        qtbot.waitUntil(lambda: player.current is not None, timeout=30_000)
        player.to_end()
        qtbot.waitUntil(lambda: player.exhausted and not player.busy, timeout=240_000)
        history = list(player.history)
        assert len(history) == N_STEPS and history[-1].done and player.at_end
        kinds = {s.kind for s in history}
        assert {"seed", "assign", "update"} <= kinds  # a real run: every kind of K-means step
        assert all(s.labels.shape == (N_POINTS,) for s in history)
        held = held_bytes(history)
        naive = sum(s.nbytes() for s in history)  # without sharing, what the same steps would cost
        assert held < BUDGET, f"history holds {held / 2 ** 20:.0f} MiB"
        assert held < naive  # unchanged arrays really are shared between steps
        # what a redraw needs is still there: stepping back shows the first step's labels exactly
        player.seek(0)
        assert player.current is history[0] and history[0].labels.shape == (N_POINTS,)
    finally:
        player.shutdown()
