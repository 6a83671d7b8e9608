"""The working of K-means / K-medians / K-medoids steps (engine.kmeans.working): exercise 3 by hand, the three
variants' tables, ties, k-means++ probabilities, re-seeding, many points and many features.

Exercise 3: A = (1, 1), B = (1, 0), C = (0, 2), D = (2, 4), E = (3, 5), K = 2, starting means A and C.
By hand: assign 1 gives {A, B}, {C, D, E} with J = 0 + 1 + 0 + 8 + 18 = 27; the means (1, 0.5) and (5/3, 11/3)
give J = 0.5 + 84/9 = 59/6; assign 2 moves C (3.25 < 50/9): J = 3.75 + 34/9 = 271/36; the means (2/3, 1) and
(2.5, 4.5) give J = 8/3 + 1 = 11/3; assign 3 changes nothing (converged, J = 11/3).
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from engine.core.registry import get_algorithm
from engine.core.working import MAX_ROWS, Working, disagreements
from engine.kmeans import steps
from engine.kmeans.working import working
from engine.session import load_session, make_dataset, run, run_input, sessions_dir

ABCDE = np.array([[1, 1], [1, 0], [0, 2], [2, 4], [3, 5]], dtype=float)
NAMES = list("ABCDE")
EX3_OBJECTIVES = [27.0, 27.0, 59 / 6, 271 / 36, 11 / 3, 11 / 3]


def params(k=2, variant="means", metric="l2", init="k-means++"):
    return {"k": k, "variant": variant, "metric": metric, "init": init, "seed": 0, "max_iter": 300}


def workings(X, run_steps, p, names=None, rows=None):
    """The working of every step, each checked against its step and for JSON."""
    out = []
    for i, s in enumerate(run_steps):
        w = working(X, run_steps[:i + 1], i, p, names=names, rows=rows)
        assert isinstance(w, Working) and w.tables, (i, s.kind)
        assert not disagreements(w, s), (i, s.kind, disagreements(w, s))
        json.dumps(w.to_dict(), allow_nan=False)
        out.append(w)
    return out


def test_kmeans_registers_its_working():
    assert get_algorithm("kmeans").working is working


def test_exercise3_objectives_labels_and_means():
    s = load_session(sessions_dir() / "ex3-kmeans.json")
    ds = make_dataset(s)
    X, _ = run_input(s, ds)
    run_steps = run(s, ds)
    assert [st.kind for st in run_steps] == ["init", "assign", "update", "assign", "update", "assign"]
    ws = workings(X, run_steps, s.params, names=ds.point_names)
    assert [w.derived["objective"] for w in ws] == pytest.approx(EX3_OBJECTIVES, rel=1e-12)
    assert ws[1].derived["labels"].tolist() == [0, 0, 1, 1, 1]
    assert ws[3].derived["labels"].tolist() == [0, 0, 0, 1, 1] and ws[3].derived["n_changed"] == 1
    np.testing.assert_allclose(ws[2].derived["centers"], [[1, 0.5], [5 / 3, 11 / 3]], rtol=1e-12)
    np.testing.assert_allclose(ws[4].derived["centers"], [[2 / 3, 1], [2.5, 4.5]], rtol=1e-12)
    assert ws[5].derived["n_changed"] == 0 and "converged" in ws[5].tables[0].note


def test_exercise3_assign_table_by_hand():
    run_steps = list(steps(ABCDE, 2, init=ABCDE[[0, 2]]))
    dist, obj = working(ABCDE, run_steps, 3, params(), names=NAMES).tables
    assert dist.rows == tuple(NAMES) and dist.columns == ("μ1", "μ2", "cluster", "from", "changed")
    np.testing.assert_allclose([r[:2] for r in dist.values],
                               [[0.25, 68 / 9], [0.25, 125 / 9], [3.25, 50 / 9], [13.25, 2 / 9], [24.25, 32 / 9]],
                               rtol=1e-12)
    assert sorted(dist.highlight) == [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)]  # each row's minimum
    assert [r[2:] for r in dist.values][2] == ("μ1", "μ2", True)                # C moved from μ2 to μ1
    assert [r[4] for r in dist.values] == [False, False, True, False, False]
    # the objective as the sum of per-cluster terms: 0.25 + 0.25 + 3.25 and 2/9 + 32/9
    assert obj.rows == ("μ1", "μ2", "J")
    assert [r[1] for r in obj.values] == pytest.approx([3.75, 34 / 9, 271 / 36], rel=1e-12)
    assert obj.highlight == ((2, 1),)


def test_update_means_lists_members_sums_counts_and_means():
    run_steps = list(steps(ABCDE, 2, init=ABCDE[[0, 2]]))
    means, obj = working(ABCDE, run_steps, 2, params(), names=NAMES).tables
    assert means.columns == ("members", "n_k", "Σ f1", "Σ f2", "μ f1", "μ f2", "moved (ℓ2)")
    assert means.values[0][:4] == ("A, B", 2, 2.0, 1.0) and means.values[1][:4] == ("C, D, E", 3, 5.0, 11.0)
    assert list(means.values[1][4:6]) == pytest.approx([5 / 3, 11 / 3], rel=1e-12)
    assert [r[1] for r in obj.values] == pytest.approx([0.5, 84 / 9, 59 / 6], rel=1e-12)


def test_medians_ties_go_to_the_lower_centre():
    # l1 from A and C: D is 4 from both, E is 6 from both -> both to m1 (the lower centre)
    run_steps = list(steps(ABCDE, 2, variant="medians", init=ABCDE[[0, 2]]))
    ws = workings(ABCDE, run_steps, params(variant="medians"), names=NAMES)
    dist = ws[1].tables[0]
    assert ws[1].derived["labels"].tolist() == [0, 0, 1, 0, 0]
    assert {(3, 0), (3, 1), (4, 0), (4, 1)} <= set(dist.highlight)
    assert ws[1].derived["objective"] == pytest.approx(11.0, rel=1e-12)  # 0 + 1 + 0 + 4 + 6
    medians = ws[2].tables[0]
    assert medians.columns == ("members", "n_k", "median f1", "median f2", "moved (ℓ1)")
    assert list(medians.values[0][2:4]) == pytest.approx([1.5, 2.5])  # x: 1, 1, 2, 3; y: 0, 1, 4, 5
    assert ws[2].derived["objective"] == pytest.approx(11.0, rel=1e-12)  # 2 + 3 + 2 + 4


def test_medoids_keep_the_current_medoid_on_a_tie():
    # cluster {A, B, D, E} under l1: totals A 1 + 4 + 6 = 11, B 13, D 11, E 15; A (current) and D tie: A stays
    run_steps = list(steps(ABCDE, 2, variant="medoids", metric="l1", init=ABCDE[[0, 2]]))
    ws = workings(ABCDE, run_steps, params(variant="medoids", metric="l1"), names=NAMES)
    summary, first, second, _ = ws[2].tables
    assert first.rows == ("A", "B", "D", "E")
    assert [r[0] for r in first.values] == pytest.approx([11, 13, 11, 15])
    assert first.highlight == ((0, 0),) and first.values[0][1] is True
    assert ws[2].derived["medoid_indices"].tolist() == [0, 2]
    assert summary.values[0] == ("A", 11.0)


def test_medoids_without_a_current_medoid_take_the_lower_index():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [10.0]])
    run_steps = list(steps(X, 2, variant="medoids", metric="l1", init="random-partition", seed=1))
    ws = workings(X, run_steps, params(variant="medoids", metric="l1", init="random-partition"))
    assert ws[0].derived["medoid_indices"].tolist() == run_steps[0].payload["medoid_indices"].tolist()


def test_kmeanspp_seeding_probabilities():
    run_steps = list(steps(ABCDE, 2, seed=0))
    assert [s.kind for s in run_steps[:2]] == ["seed", "seed"]
    ws = workings(ABCDE, run_steps, params(), names=NAMES)
    first, second = ws[0], ws[1]
    assert first.derived["probs"].tolist() == pytest.approx([0.2] * 5) and first.derived["chosen"] == 4
    assert np.isnan(first.derived["objective"])
    (table,) = first.tables
    assert table.columns == ("P(x_n)",) and table.highlight == ((4, 0),)
    # second centre: D^2 to E = (3, 5): 20, 29, 18, 2, 0 (sum 69); A drawn; then J = 0 + 1 + 2 + 2 + 0 = 5
    np.testing.assert_allclose(second.derived["probs"], np.array([20, 29, 18, 2, 0]) / 69, rtol=1e-12)
    draw, obj = second.tables
    assert draw.columns == ("nearest centre", "D²", "P = D² / ΣD²", "cumulative P")
    assert [r[1] for r in draw.values] == pytest.approx([20, 29, 18, 2, 0])
    assert draw.values[-1][3] == pytest.approx(1.0) and draw.highlight == ((0, 2),)
    assert second.derived["chosen"] == 0 and second.derived["objective"] == pytest.approx(5.0)
    assert obj.values[-1][1] == pytest.approx(5.0)


@pytest.mark.parametrize("variant", ["means", "medians", "medoids"])
def test_random_partition_and_random_points_inits(variant):
    X = np.random.default_rng(2).normal(size=(30, 2))
    for init in ("random-partition", "random"):
        run_steps = list(steps(X, 3, variant=variant, init=init, seed=3))
        ws = workings(X, run_steps, params(3, variant, init=init))
        if init == "random":
            assert ws[0].tables[0].title == "The starting centres"
            assert all(r[-1] != "—" for r in ws[0].tables[0].values)  # every centre is a data point
        else:
            assert "centers" in ws[0].derived


@pytest.mark.parametrize("variant", ["means", "medians"])  # a medoid is always nearest to itself: never empty
def test_an_empty_cluster_is_reseeded_with_the_farthest_point(variant):
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    run_steps = list(steps(X, 3, variant=variant, init=np.array([[0.0], [11.0], [100.0]])))
    ws = workings(X, run_steps, params(3, variant))
    reseed = ws[2].tables[0]
    assert reseed.title == "Re-seeding the empty clusters"
    assert reseed.rows == (("μ3",) if variant == "means" else ("m3",))
    assert reseed.values[0][0] == "x3" and ws[2].derived["n_changed"] == 1  # x3 = 2 is farthest from its centre
    assert ws[2].derived["labels"].tolist() == [0, 0, 2, 1, 1, 1]


@pytest.mark.parametrize("metric", ["l1", "l2", "linf"])
def test_medoid_metrics_agree_with_the_steps(metric):
    X = np.random.default_rng(4).normal(size=(40, 3))
    workings(X, list(steps(X, 4, variant="medoids", metric=metric, seed=5)), params(4, "medoids", metric))


def test_many_points_give_fifty_rows_and_a_summary():
    X = np.random.default_rng(5).normal(size=(200, 2))
    run_steps = list(steps(X, 3, seed=1))
    ws = workings(X, run_steps, params(3))
    assign = ws[3].tables[0]
    assert len(assign.rows) == MAX_ROWS + 1 and assign.rows[-1] == "all 200 points"
    assert sum(assign.values[-1][:3]) == 200
    assert assign.values[-1][-1] == ws[3].derived["n_changed"]
    # the selected points' rows
    w = working(X, run_steps, 3, params(3), rows=[150, 7])
    assert w.tables[0].rows == ("x8", "x151", "all 200 points")
    # a drawn k-means++ point outside the first fifty is always shown
    seed_w = working(X, run_steps, 1, params(3))
    chosen = seed_w.derived["chosen"]
    assert f"x{chosen + 1}" in seed_w.tables[0].rows and seed_w.tables[0].highlight


def test_mnist_sized_features_are_summarised():
    X = np.random.default_rng(6).uniform(size=(60, 784))
    for variant in ("means", "medians", "medoids"):
        run_steps = list(steps(X, 3, variant=variant, init="random", seed=2))
        ws = workings(X, run_steps, params(3, variant, init="random"))
        assert ws[0].tables[0].columns == ("‖c‖ (ℓ2)", "data point")
        for w in ws:
            assert all(len(t.columns) <= 8 for t in w.tables), [t.columns for t in w.tables]


def test_a_float32_run_is_explained_but_only_its_labels_are_checked():
    X = np.random.default_rng(7).normal(size=(80, 3)).astype(np.float32)
    ws = workings(X, list(steps(X, 3, seed=1)), params(3))
    assert "float32" in ws[3].tables[0].note
    assert set(ws[3].derived) == {"labels", "n_changed"}
