"""Restarts in the main run (engine side): best_of keeps the best, the same seed gives the same result, the
registered algorithms take ``restarts``, sessions keep the restart shown."""
import numpy as np
import pytest

import engine
from engine import data, gmm, kmeans
from engine.core.cancel import Cancelled, watching
from engine.core.params import ParamError
from engine.core.registry import get_algorithm
from engine.core.restarts import best_of, restart_info, restart_seeds
from engine.session import run as run_session, session_from_dict, session_to_dict


def _blobs(n=200, seed=0):
    return data.generate("blobs", n=n, seed=seed).X


def _final(gen):
    last = None
    for last in gen:
        pass
    return last.objective


def test_best_of_picks_the_least_final_objective_of_the_seeds_seed_to_seed_plus_n():
    X = _blobs()
    res = best_of(lambda X, seed: kmeans.steps(X, 6, seed=seed), X, 6, seed=10, sense="min")
    assert res.seeds.tolist() == list(range(10, 16))
    alone = np.array([_final(kmeans.steps(X, 6, seed=s)) for s in range(10, 16)])
    np.testing.assert_allclose(res.objectives, alone, rtol=1e-12)
    assert res.best == int(np.argmin(alone))  # argmin: the first of equal values, as best_of
    assert abs(res.steps[-1].objective - alone.min()) <= 1e-12 * abs(alone.min())
    assert res.info.n_steps[res.best] == len(res.steps)


def test_best_of_maximises_for_a_mixture_and_ties_go_to_the_earlier_restart():
    X = _blobs(150)
    res = best_of(lambda X, seed: gmm.steps(X, 3, seed=seed), X, 4, seed=0, sense="max")
    best = np.nanmax(res.objectives)
    assert res.objectives[res.best] == best
    assert all(res.objectives[r] < best - 1e-9 * abs(best) for r in range(res.best))  # none before it as good


def test_same_seed_same_result():
    X = _blobs()
    a = best_of(lambda X, seed: kmeans.steps(X, 5, seed=seed), X, 4, seed=3)
    b = best_of(lambda X, seed: kmeans.steps(X, 5, seed=seed), X, 4, seed=3)
    np.testing.assert_array_equal(a.objectives, b.objectives)
    assert a.best == b.best and len(a.steps) == len(b.steps)
    np.testing.assert_array_equal(a.steps[-1].labels, b.steps[-1].labels)


def test_one_restart_is_the_plain_run():
    X = _blobs()
    alg = get_algorithm("kmeans")
    plain = list(kmeans.steps(X, 4, seed=2))
    one = list(alg.steps(X, k=4, seed=2, restarts=1))
    assert [s.description for s in one] == [s.description for s in plain]
    assert restart_info(one) is None


def test_registered_algorithms_take_restarts_and_fit_gives_the_best():
    X = _blobs()
    r5 = engine.fit("kmeans", X, k=6, seed=0, restarts=5)
    alone = [kmeans.fit(X, 6, seed=s).final_objective for s in range(5)]
    assert abs(r5.final_objective - min(alone)) <= 1e-12 * min(alone)
    g = engine.fit("gmm", X, k=3, seed=0, restarts=3)
    lls = [gmm.fit(X, 3, seed=s).loglik[-1] for s in range(3)]
    assert abs(g.loglik[-1] - max(lls)) <= 1e-9 * abs(max(lls))
    steps = list(get_algorithm("gmm").steps(X, k=3, seed=0, restarts=3))
    info = restart_info(steps)
    assert info.n == 3 and info.sense == "max" and info.shown == info.best
    assert steps[0].description.startswith(f"Restart {info.best + 1} of 3")


def test_show_restart_and_known_restarts_run_only_the_restart_shown():
    X = _blobs()
    alg = get_algorithm("kmeans")
    steps = list(alg.steps(X, k=6, seed=0, restarts=4, show_restart=2))
    info = restart_info(steps)
    assert info.shown == 2
    assert abs(steps[-1].objective - info.objectives[2]) <= 1e-12 * info.objectives[2]
    assert abs(steps[-1].objective - _final(kmeans.steps(X, 6, seed=2))) <= 1e-12 * steps[-1].objective
    calls = []

    def counting(X, k, seed=None, **kw):
        calls.append(seed)
        return kmeans.steps(X, k, seed=seed, **kw)

    from engine.core.restarts import restartable
    again = list(restartable(counting, "min")(X, k=6, seed=0, restarts=4, show_restart=1, known_restarts=info))
    assert calls == [0, 1]  # the argument check, then restart 1 alone
    assert restart_info(again).shown == 1 and restart_info(again).objectives.tolist() == info.objectives.tolist()


def test_cancel_keeps_the_finished_restarts_or_raises_with_none():
    X = _blobs()
    seen = []

    def progress(done, total, info):
        seen.append(done)

    stop = lambda: len(seen) >= 2  # noqa: E731
    res = best_of(lambda X, seed: kmeans.steps(X, 6, seed=seed), X, 6, seed=0, progress=progress, cancel=stop)
    assert res.info.cancelled and np.isfinite(res.objectives[:2]).all() and np.isnan(res.objectives[2:]).all()
    assert res.best in (0, 1)
    with watching(lambda: True), pytest.raises(Cancelled):  # the check a worker thread installs
        best_of(lambda X, seed: kmeans.steps(X, 6, seed=seed), X, 3, seed=0)


def test_failed_restarts_are_never_best_and_all_failing_says_why():
    X = _blobs()

    def sometimes(X, seed):
        if seed % 2:
            raise ParamError(f"seed {seed} refused")
        return kmeans.steps(X, 3, seed=seed)

    res = best_of(sometimes, X, 4, seed=0)
    assert np.isnan(res.objectives[[1, 3]]).all() and res.best in (0, 2)
    assert res.info.errors[1] == "seed 1 refused"
    with pytest.raises(ParamError, match="every restart failed"):
        best_of(lambda X, seed: sometimes(X, 1), X, 2, seed=0)


def test_restarts_need_a_random_initialisation_and_are_bounded():
    X = _blobs()
    alg = get_algorithm("kmeans")
    with pytest.raises(ParamError, match="random initialisation"):
        alg.steps(X, k=2, init=X[:2], restarts=3)
    with pytest.raises(ParamError):
        alg.steps(X, k=2, restarts=0)
    with pytest.raises(ParamError):
        alg.steps(X, k=2, restarts=3, show_restart=3)
    s = restart_seeds(None, 3)
    assert s[1] - s[0] == 1 and s[2] - s[0] == 2


def _session(**algorithm):
    return session_from_dict({"format": "clusterlab-session", "version": 1, "name": "r",
                              "data": {"generator": "blobs", "n": 150, "seed": 0},
                              "algorithm": {"name": "kmeans", "params": {"k": 5, "restarts": 4}, **algorithm}})


def test_session_keeps_the_restart_count_and_the_restart_shown():
    s = _session(restart=3)
    again = session_from_dict(session_to_dict(s))
    assert again.params["restarts"] == 4 and again.extra["restart"] == 3
    steps = run_session(again)
    assert restart_info(steps).shown == 3
    with pytest.raises(Exception, match="restart=4 but params.restarts=4"):
        _session(restart=4)
    old = session_from_dict({"format": "clusterlab-session", "version": 1, "name": "old",
                             "data": {"example": "five-points"}, "algorithm": {"name": "kmeans", "params": {"k": 2}}})
    assert restart_info(run_session(old)) is None  # a session without restarts: one run, as before
