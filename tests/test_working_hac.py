"""The working of HAC steps (engine.hac.working): the textbook exercises' numbers, table shapes, highlights, ties,
large runs and many features.

Hand computations for exercise 1 (x1 = (0.1, 0.5), x2 = (0.35, 0.75), x3 = (0.28, 1.35), x4 = (0, 1.01); starting
clusters {x1, x2}, {x3}, {x4}): the point differences are x1 - x3 = (-0.18, -0.85), x2 - x3 = (0.07, -0.6),
x1 - x4 = (0.1, -0.51), x2 - x4 = (0.35, -0.26), x3 - x4 = (0.28, 0.34), and the mean of {x1, x2} is (0.225, 0.625).
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from engine.core.working import MAX_ROWS, Table, Working
from engine.hac import steps
from engine.hac.working import working
from engine.hac.working_pairs import MAX_COLS
from engine.session import load_session, make_dataset, run, run_input, sessions_dir

# ---------------------------------------------------------------- exercise 1: the first merge per norm and linkage
BU, RU = "{x1, x2, x4}", "{x3, x4}"  # black joins blue / red joins blue
FIRST_MERGES = {  # (norm, linkage): (the new cluster, its height)
    ("l1", "min"): (BU, 0.61), ("l1", "max"): (BU, 0.61), ("l1", "avg"): (BU, 0.61), ("l1", "centroid"): (BU, 0.61),
    ("l2", "min"): (BU, math.sqrt(0.35 ** 2 + 0.26 ** 2)),  # 0.4360 < d(x3, x4) = 0.4405
    ("l2", "max"): (RU, math.sqrt(0.28 ** 2 + 0.34 ** 2)),  # 0.4405 < max(0.5197, 0.4360)
    ("l2", "avg"): (RU, math.sqrt(0.194)),                  # 0.4405 < (0.5197 + 0.4360) / 2 = 0.4779
    ("l2", "centroid"): (RU, math.sqrt(0.194)),             # 0.4405 < ||(0.225, -0.385)|| = 0.4459
    ("linf", "min"): (RU, 0.34), ("linf", "max"): (RU, 0.34), ("linf", "avg"): (RU, 0.34),
    ("linf", "centroid"): (RU, 0.34),
}
#: Exercise 1 under l2: the second (last) merge height per linkage.
SECOND_L2 = {"min": math.sqrt(0.194),                                        # {x1, x2, x4} - {x3}: d(x3, x4)
             "max": math.sqrt(0.18 ** 2 + 0.85 ** 2),                        # d(x1, x3) = 0.8689
             "avg": (math.sqrt(0.7549) + math.sqrt(0.3649) + math.sqrt(0.2701) + math.sqrt(0.1901)) / 4,  # 0.6072
             "centroid": math.sqrt(0.085 ** 2 + 0.555 ** 2)}                 # (0.225, 0.625) - (0.14, 1.18): 0.5615
#: Exercise 2 (1, 2, 4, 5, 9, 11, 16, 17): merge heights and the clusters made.
EX2 = {"min": ([1, 1, 1, 2, 2, 4, 5], ["{1, 2}", "{4, 5}", "{16, 17}", "{1, 2, 4, 5}", "{9, 11}",
                                        "{1, 2, 4, ... (6 points)}", "{1, 2, 4, ... (8 points)}"]),
       "max": ([1, 1, 1, 2, 4, 8, 16], ["{1, 2}", "{4, 5}", "{16, 17}", "{9, 11}", "{1, 2, 4, 5}",
                                         "{9, 11, 16, 17}", "{1, 2, 4, ... (8 points)}"])}


def session_run(name):
    s = load_session(sessions_dir() / f"{name}.json")
    ds = make_dataset(s)
    X, _ = run_input(s, ds)
    return X, run(s, ds), s.params, ds.point_names


def all_workings(X, run_steps, params, names=None):
    return [working(X, run_steps, i, params, names=names) for i in range(len(run_steps))]


def assert_agrees(w: Working, step):
    for key, value in w.derived.items():
        want = getattr(step, key) if hasattr(step, key) else step.payload[key]
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, want, err_msg=key)
        else:
            assert value == pytest.approx(want, rel=1e-9, abs=0), key


def merged_name(w: Working) -> str:
    return w.tables[-1].rows[0]


@pytest.mark.parametrize("norm_linkage", sorted(FIRST_MERGES), ids=lambda nl: "-".join(nl))
def test_exercise1_first_merge_per_norm_and_linkage(norm_linkage):
    norm, linkage = norm_linkage
    X, run_steps, params, names = session_run(f"ex1-{linkage}-{norm}")
    w = working(X, run_steps, 1, params, names=names)
    new, height = FIRST_MERGES[norm_linkage]
    assert merged_name(w) == new
    assert w.derived["objective"] == pytest.approx(height, rel=1e-12)
    assert_agrees(w, run_steps[1])
    matrix = w.tables[0]
    assert matrix.rows == matrix.columns == ("{x1, x2}", "{x3}", "{x4}")
    pair = (0, 2) if new == BU else (1, 2)
    assert pair in matrix.highlight
    assert matrix.values[pair[0]][pair[1]] == pytest.approx(height, rel=1e-12)
    assert all(math.isnan(matrix.values[i][i]) for i in range(3))


@pytest.mark.parametrize("linkage", sorted(SECOND_L2))
def test_exercise1_l2_dendrogram_heights(linkage):
    X, run_steps, params, names = session_run(f"ex1-{linkage}-l2")
    assert len(run_steps) == 3
    w = working(X, run_steps, 2, params, names=names)
    assert w.derived["objective"] == pytest.approx(SECOND_L2[linkage], rel=1e-12)
    assert merged_name(w) == "{x1, x2, x3, x4}" and w.derived["n_clusters"] == 1
    assert_agrees(w, run_steps[2])


@pytest.mark.parametrize("linkage", ["min", "max"])
def test_exercise2_merge_sequence_and_heights(linkage):
    X, run_steps, params, names = session_run(f"ex2-{linkage}")
    ws = all_workings(X, run_steps, params, names)
    heights, made = EX2[linkage]
    assert [w.derived["objective"] for w in ws[1:]] == pytest.approx(heights, rel=1e-12)
    assert [merged_name(w) for w in ws[1:]] == made
    for w, s in zip(ws, run_steps):
        assert_agrees(w, s)


def test_exercise2_three_way_tie_is_highlighted_and_broken_by_the_rule():
    X, run_steps, params, names = session_run("ex2-min")
    w = working(X, run_steps, 1, params, names=names)
    matrix = w.tables[0]
    assert (len(matrix.rows), len(matrix.columns)) == (8, 8)
    assert sorted(matrix.highlight) == [(0, 1), (2, 3), (6, 7)]  # the three pairs at distance 1
    assert "3 pairs tie at 1" in matrix.note and "Tie rule" in matrix.note
    assert merged_name(w) == "{1, 2}"
    # the fourth and fifth merges: {1, 2}-{4, 5} and {9}-{11} both at 2; representatives (0, 2) before (4, 5)
    w4 = working(X, run_steps, 4, params, names=names)
    assert merged_name(w4) == "{1, 2, 4, 5}" and len(w4.tables[0].highlight) == 2


def test_tie_rule_uses_the_starting_clusters_numbering():
    # starting clusters numbered in sorted label order: {x3} = 0, {x1} = 1, {x2} = 2; {x1}-{x2} and {x2}-{x3}
    # tie at 5; representatives (1, 2) and (0, 2): {x2} and {x3} merge although {x1} holds the smallest point
    X = [[0.0], [5.0], [10.0]]
    run_steps = list(steps(X, linkage="min", clusters=[1, 2, 0]))
    w = working(X, run_steps, 1, {"norm": "l2", "linkage": "min"})
    assert merged_name(w) == "{x2, x3}"
    assert w.derived["labels"].tolist() == [0, 1, 1]
    assert_agrees(w, run_steps[1])


def test_min_expansion_highlights_every_closest_pair():
    X, run_steps, params, names = session_run("ex1-min-l1")
    pairs = working(X, run_steps, 1, params, names=names).tables[1]
    assert pairs.rows == ("x1", "x2") and pairs.columns == ("x4",)
    assert [v[0] for v in pairs.values] == pytest.approx([0.61, 0.61], rel=1e-12)  # 0.1 + 0.51 and 0.35 + 0.26
    assert sorted(pairs.highlight) == [(0, 0), (1, 0)]


def test_max_expansion_highlights_the_farthest_pair():
    X, run_steps, params, names = session_run("ex1-max-l2")
    pairs = working(X, run_steps, 2, params, names=names).tables[1]
    assert pairs.rows == ("x1", "x2") and pairs.columns == ("x3", "x4")
    assert pairs.highlight == ((0, 0),)  # x1-x3
    assert pairs.values[0][0] == pytest.approx(math.sqrt(0.7549), rel=1e-12)


def test_avg_expansion_gives_the_sum_count_and_mean():
    X, run_steps, params, names = session_run("ex1-avg-l2")
    w = working(X, run_steps, 2, params, names=names)
    pairs, mean = w.tables[1], w.tables[2]
    assert (len(pairs.rows), len(pairs.columns)) == (2, 2)
    total = sum(sum(r) for r in pairs.values)
    assert mean.values[0][0] == pytest.approx(total, rel=1e-12)
    assert mean.values[1][0] == 4 and mean.values[2][0] == pytest.approx(total / 4, rel=1e-12)
    assert mean.highlight == ((2, 0),)


def test_centroid_expansion_gives_both_means_and_their_distance():
    X, run_steps, params, names = session_run("ex1-centroid-l1")
    cent = working(X, run_steps, 1, params, names=names).tables[1]
    assert cent.columns[:3] == ("size", "f1", "f2")
    assert list(cent.values[0][1:3]) == pytest.approx([0.225, 0.625], rel=1e-12)
    assert list(cent.values[1][1:3]) == pytest.approx([0.0, 1.01], abs=1e-15)
    assert cent.values[2][-1] == pytest.approx(0.61, rel=1e-12)  # |0.225| + |-0.385|
    assert cent.highlight == ((2, 3),)


def test_ward_expansion_matches_the_engines_height():
    X = np.array([[0.1, 0.5], [0.35, 0.75], [0.28, 1.35], [0.0, 1.01]])
    run_steps = list(steps(X, linkage="ward", clusters=[0, 0, 1, 2]))
    ws = all_workings(X, run_steps, {"norm": "l2", "linkage": "ward"})
    for w, s in zip(ws, run_steps):
        assert_agrees(w, s)
    # {x3} and {x4}: Delta E = (1 * 1 / 2) * 0.194 = 0.097, height sqrt(2 * 0.097)
    sizes, increase = ws[1].tables[1], ws[1].tables[2]
    assert [r[0] for r in sizes.values] == [1, 1, 2]
    assert increase.values[0][0] == pytest.approx(0.097, rel=1e-12)
    assert increase.values[1][0] == pytest.approx(0.097, rel=1e-12)
    assert increase.values[2][0] == pytest.approx(math.sqrt(0.194), rel=1e-12)


def test_start_step_lists_the_points_and_their_starting_clusters():
    X, run_steps, params, names = session_run("ex1-min-l2")
    w = working(X, run_steps, 0, params, names=names)
    (points,) = w.tables
    assert points.rows == ("x1", "x2", "x3", "x4")
    assert points.columns == ("f1", "f2", "starting cluster")
    assert [r[-1] for r in points.values] == ["{x1, x2}", "{x1, x2}", "{x3}", "{x4}"]
    assert w.derived == {}


def test_tables_are_json_ready_and_well_formed():
    for linkage in ("min", "max", "avg", "centroid", "ward"):
        X, run_steps, params, names = session_run("ex2-max")
        params = {**params, "linkage": linkage}
        run_steps = list(steps(X, linkage=linkage, names=names))
        for w, s in zip(all_workings(X, run_steps, params, names), run_steps):
            assert all(isinstance(t, Table) for t in w.tables) and w.tables
            json.dumps(w.to_dict(), allow_nan=False)
            assert_agrees(w, s)


@pytest.mark.parametrize("linkage", ["min", "avg", "centroid"])
def test_many_clusters_show_the_merged_pair_and_the_nearest_others(linkage):
    X = np.random.default_rng(3).normal(size=(120, 2))
    run_steps = list(steps(X, linkage=linkage))
    for i in (1, 60, 110, 119):
        w = working(X, run_steps, i, {"norm": "l2", "linkage": linkage})
        assert_agrees(w, run_steps[i])
        matrix = w.tables[0]
        assert len(matrix.rows) == len(matrix.columns) <= MAX_ROWS
        assert matrix.highlight, "the merged pair is shown and highlighted"
        m = 121 - i
        if m > MAX_ROWS:
            assert f"{m} clusters" in matrix.note and "nearest" in matrix.note
        if linkage != "centroid":
            pairs = w.tables[1]
            assert len(pairs.rows) <= MAX_ROWS and len(pairs.columns) <= MAX_COLS


def test_late_merge_of_big_clusters_caps_the_pair_table_and_keeps_the_witness():
    X = np.concatenate([np.random.default_rng(4).normal(size=(70, 2)), 20 + np.random.default_rng(5).normal(size=(60, 2))])
    run_steps = list(steps(X, linkage="max"))
    w = working(X, run_steps, len(run_steps) - 1, {"norm": "l2", "linkage": "max"})
    assert_agrees(w, run_steps[-1])
    pairs = w.tables[1]
    assert (len(pairs.rows), len(pairs.columns)) == (MAX_ROWS, MAX_COLS)
    assert "Shown: 50 of the" in pairs.note
    (r, c), = pairs.highlight
    assert pairs.values[r][c] == pytest.approx(run_steps[-1].objective, rel=1e-12)


def test_more_points_than_the_full_search_takes_the_steps_pair():
    X = np.random.default_rng(6).uniform(size=(2100, 2))
    run_steps = list(steps(X, linkage="min"))
    for i in (1, 2099):
        w = working(X, run_steps, i, {"norm": "l2", "linkage": "min"})
        assert_agrees(w, run_steps[i])
        assert len(w.tables[0].rows) == 2 and "too many" in w.tables[0].note


def test_many_features_are_summarised():
    X = np.random.default_rng(7).uniform(size=(12, 784))
    for linkage in ("centroid", "ward", "avg"):
        run_steps = list(steps(X, linkage=linkage))
        ws = all_workings(X, run_steps, {"norm": "l2", "linkage": linkage})
        assert ws[0].tables[0].columns == ("‖x‖ (ℓ2)", "starting cluster")
        for w, s in zip(ws, run_steps):
            assert_agrees(w, s)
            assert all(len(t.columns) <= MAX_COLS + 1 for t in w.tables[1:]), [t.columns for t in w.tables]


def test_pairs_too_many_to_recompute_keep_the_steps_height():
    rng = np.random.default_rng(8)
    X = np.concatenate([rng.uniform(size=(300, 784)), 3 + rng.uniform(size=(300, 784))])
    run_steps = list(steps(X, linkage="avg"))
    w = working(X, run_steps, 599, {"norm": "l2", "linkage": "avg"})
    assert_agrees(w, run_steps[599])
    assert set(w.derived) == {"labels", "size", "n_clusters"}
    pairs = w.tables[1]
    assert (len(pairs.rows), len(pairs.columns)) == (MAX_ROWS, MAX_COLS) and "too many to recompute" in pairs.note
    assert w.tables[-1].values[0][1] == run_steps[599].objective
