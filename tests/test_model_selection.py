"""Model selection (engine side): BIC and AIC against K with restarts per K, the session entry, render's work."""
import numpy as np
import pytest

from engine import bernoulli, data, gmm
from engine import session as es
from engine.bernoulli.fitting import fit_result as bernoulli_result
from engine.core.params import ParamError
from engine.core.restarts import restart_info
from engine.gmm.fitting import fit_result as gmm_result
from engine.mixture.selection import SelectionWork, parse_entry, select_k


def _blobs():
    return data.generate("blobs", n=150, seed=0).X  # three groups


def test_bic_and_aic_are_least_at_the_three_groups_of_blobs():
    X = _blobs()
    sel = select_k(gmm.steps, X, range(1, 6), 3, seed=0, result_of=lambda s, k: gmm_result(iter(s), X, "full"))
    assert sel.ks.tolist() == [1, 2, 3, 4, 5] and sel.seeds.tolist() == [0, 1, 2]
    assert int(sel.ks[sel.best_index("bic")]) == 3
    assert np.isfinite(sel.aic).all() and sel.n_params.tolist() == [5, 11, 17, 23, 29]
    d = sel.to_dict()
    assert d["best_k_bic"] == 3 and len(d["objectives"]) == 5


def test_each_k_is_the_best_restart_and_its_criteria_are_the_fit_results():
    X = _blobs()
    sel = select_k(gmm.steps, X, [2, 4], 3, seed=5, covariance="diag",
                   result_of=lambda s, k: gmm_result(iter(s), X, "diag"))
    for i, k in enumerate(sel.ks):
        lls = [gmm.fit(X, int(k), covariance="diag", seed=s).loglik[-1] for s in (5, 6, 7)]
        np.testing.assert_allclose(sel.objectives[i], lls, rtol=1e-12)
        best = int(np.argmax(lls))
        assert sel.best_restart[i] == best
        fit = gmm.fit(X, int(k), covariance="diag", seed=5 + best)
        assert abs(sel.bic[i] - fit.bic) <= 1e-9 * abs(fit.bic) and abs(sel.aic[i] - fit.aic) <= 1e-9 * abs(fit.aic)
    again = select_k(gmm.steps, X, [2, 4], 3, seed=5, covariance="diag", fit_fn=gmm.fit)  # the slow way: same
    np.testing.assert_allclose(again.bic, sel.bic, rtol=1e-12)


def test_the_run_of_a_k_with_restarts_is_the_one_the_selection_kept():
    from engine.core.registry import get_algorithm
    X = _blobs()
    sel = select_k(gmm.steps, X, [2, 3], 3, seed=0, result_of=lambda s, k: gmm_result(iter(s), X, "full"))
    steps = list(get_algorithm("gmm").steps(X, k=2, seed=0, restarts=3))
    info = restart_info(steps)
    assert info.best == sel.best_restart[0]
    assert abs(steps[-1].objective - sel.loglik[0]) <= 1e-12 * abs(sel.loglik[0])
    np.testing.assert_allclose(info.objectives, sel.info(0).objectives, rtol=1e-12)


def test_bernoulli_mixture_criteria_count_its_own_parameters():
    X = data.binarize(data.mnist(200).X, 0.5)
    sel = select_k(bernoulli.steps, X, [1, 2, 3], 2, seed=0, alpha=1.0,
                   result_of=lambda s, k: bernoulli_result(iter(s), X, k, 1.0))
    d = X.shape[1]
    assert sel.n_params.tolist() == [k * d + k - 1 for k in (1, 2, 3)]
    fixed = select_k(bernoulli.steps, X, [2], 1, seed=0, fixed_weights=True,
                     result_of=lambda s, k: bernoulli_result(iter(s), X, k, 1.0))
    assert fixed.n_params.tolist() == [2 * d]
    assert np.isfinite(sel.bic).all() and (sel.bic > sel.aic).all()  # log(200) > 2


def test_cancel_keeps_the_k_values_done():
    X = _blobs()
    runs = []
    sel = select_k(gmm.steps, X, range(1, 6), 2, seed=0, result_of=lambda s, k: gmm_result(iter(s), X, "full"),
                   progress=lambda done, total, text: runs.append(done), cancel=lambda: len(runs) >= 3)
    assert sel.cancelled
    assert np.isfinite(sel.bic[0]) and np.isnan(sel.bic[2:]).all()


def test_a_k_that_cannot_be_fitted_is_reported_not_raised():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
    sel = select_k(gmm.steps, X, [1, 4], 1, seed=0, covariance="spherical",
                   result_of=lambda s, k: gmm_result(iter(s), X, "spherical"))
    assert np.isfinite(sel.bic[0]) and np.isnan(sel.bic[1]) and sel.errors[1]


def test_session_entry_is_checked_and_computed_by_work():
    assert parse_entry({"from": 2, "to": 4, "restarts": 2, "seed": 1}) == {"from": 2, "to": 4, "restarts": 2, "seed": 1}
    for bad in ({"to": 4}, {"from": 3, "to": 2}, {"from": 1, "to": 40}, {"from": 1, "to": 3, "k": 2}):
        with pytest.raises(ParamError):
            parse_entry(bad)
    s = es.session_from_dict({"format": "clusterlab-session", "version": 1, "name": "m",
                              "data": {"generator": "blobs", "n": 150, "seed": 0},
                              "algorithm": {"name": "gmm", "params": {"k": 3},
                                            "model_selection": {"from": 1, "to": 4, "restarts": 2}}})
    assert es.session_from_dict(es.session_to_dict(s)).extra["model_selection"]["to"] == 4
    got = es.work(s)["model_selection"]
    assert isinstance(got, SelectionWork) and int(got.result.ks[got.result.best_index("bic")]) == 3
    with pytest.raises(es.SessionError, match="only 5 points"):
        es.check(es.session_from_dict({"format": "clusterlab-session", "version": 1, "name": "m",
                                       "data": {"example": "five-points"},
                                       "algorithm": {"name": "gmm", "params": {"k": 2},
                                                     "model_selection": {"from": 1, "to": 6}}}))
