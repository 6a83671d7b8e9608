"""engine.hac steps: payload, labels, descriptions, Newick, small inputs and bad arguments."""
import re

import numpy as np
import pytest

from engine import hac
from engine.hac.dendrogram import newick
from engine.core.params import ParamError
from engine.core.registry import get_algorithm
from engine.core.steps import Step

X1 = np.array([[0.1, 0.5], [0.35, 0.75], [0.28, 1.35], [0.0, 1.01]])


def labels_by_definition(n, merges, m_groups):
    """Flat labels after some merges, numbered by smallest member point (brute force)."""
    sets = [set(g) for g in m_groups]
    alive = list(range(len(sets)))
    for a, b in merges:
        sets.append(sets[a] | sets[b])
        alive = [c for c in alive if c not in (a, b)] + [len(sets) - 1]
    alive.sort(key=lambda c: min(sets[c]))
    out = np.empty(n, dtype=int)
    for lab, c in enumerate(alive):
        out[list(sets[c])] = lab
    return out


@pytest.mark.parametrize("lk", ["min", "max", "avg", "centroid", "ward"])
def test_steps_payload_and_labels(lk):
    X = np.random.default_rng(4).normal(size=(30, 2))
    clusters = np.arange(30) // 2 if lk in ("max", "centroid") else None
    ss = list(hac.steps(X, linkage=lk, clusters=clusters))
    r = hac.fit(X, linkage=lk, clusters=clusters)
    m = r.order.size
    assert len(ss) == m and all(isinstance(s, Step) for s in ss)
    assert [s.kind for s in ss] == ["start"] + ["merge"] * (m - 1)
    assert [s.done for s in ss] == [False] * (m - 1) + [True] and ss[-1].status == "finished"
    d = ss[0].payload["dendrogram"]
    groups = [list(g) for g in r.groups]
    assert ss[0].payload["n_links"] == 0 and ss[0].payload["n_clusters"] == m
    for t, s in enumerate(ss[1:]):
        p = s.payload
        a, b = int(r.linkage[t, 0]), int(r.linkage[t, 1])
        assert p["dendrogram"] is d and p["n_links"] == t + 1 and s.iteration == t + 1
        assert (p["a"], p["b"], p["new_id"]) == (a, b, m + t)
        assert p["distance"] == s.objective == r.heights[t]
        assert np.array_equal(s.trace[1:], r.heights[:t + 1], equal_nan=True) and np.isnan(s.trace[0])
        assert p["inversion"] == bool(r.inversions[t])
        assert sorted(p["members_a"].tolist()) == sorted(d.members(a).tolist())
        assert p["size"] == p["members_a"].size + p["members_b"].size == d.members(m + t).size
        assert np.shares_memory(p["members_a"], d.point_order)  # views, not copies
        for arr in (p["members_a"], s.trace, s.labels):
            assert not arr.flags.writeable
        assert p["n_clusters"] == m - t - 1
        merges = r.linkage[:t + 1, :2].astype(int).tolist()
        assert s.labels.tolist() == labels_by_definition(30, merges, groups).tolist()
        if lk in ("min", "max"):
            u, v = p["witness_points"]
            assert p["witness_kind"] == "pair" and u in p["members_a"] and v in p["members_b"]
            assert s.objective == pytest.approx(np.linalg.norm(X[u] - X[v]), rel=1e-12)
            assert np.array_equal(np.array(p["witness_coords"]), X[[u, v]])
        elif lk == "avg":
            assert p["witness_kind"] == "all_pairs" and p["witness_points"] is None
            A, B = p["members_a"], p["members_b"]
            assert s.objective == pytest.approx(np.linalg.norm(X[A][:, None] - X[B][None], axis=2).mean())
        else:
            ca, cb = p["witness_coords"]
            assert p["witness_kind"] == "centroids"
            np.testing.assert_allclose(ca, X[p["members_a"]].mean(axis=0), atol=1e-12)
            np.testing.assert_allclose(cb, X[p["members_b"]].mean(axis=0), atol=1e-12)
    assert ss[0].labels.tolist() == labels_by_definition(30, [], groups).tolist()


def test_descriptions_name_points_and_norms():
    ss = list(hac.steps(X1, norm="linf", linkage="max"))
    assert re.fullmatch(r"merged \{x\d\} and \{x\d\} at d_max = [0-9.]+ \(ℓ∞\)", ss[1].description)
    assert ss[0].description == "start: 4 clusters {x1}, {x2}, {x3}, {x4}"
    ss = list(hac.steps(X1, norm="l1", linkage="avg", clusters=[0, 0, 1, 2]))
    assert ss[0].description == "start: 3 clusters {x1, x2}, {x3}, {x4}"
    assert "(ℓ1)" in ss[1].description and "d_avg" in ss[1].description
    big = list(hac.steps(np.arange(9.0), linkage="max"))
    # 0..8 under max: {x1..x4} (4 shown in full) and {x5..x9} (5 points: 3 shown, then the count)
    assert big[-1].description == "merged {x1, x2, x3, x4} and {x5, x6, x7, ... (5 points)} at d_max = 8 (ℓ2)"


def test_one_and_two_points():
    (s,) = list(hac.steps([[1.0, 2.0]]))
    assert s.kind == "start" and s.done and s.status == "finished" and s.labels.tolist() == [0]
    r = hac.fit([[1.0, 2.0]])
    assert r.linkage.shape == (0, 4) and r.fcluster(k=1).tolist() == [0] and r.newick() == "x1;"
    ss = list(hac.steps([[0.0, 0.0], [3.0, 4.0]], norm="l1"))
    assert len(ss) == 2 and ss[1].done and ss[1].objective == 7.0
    assert ss[1].labels.tolist() == [0, 0] and ss[0].labels.tolist() == [0, 1]
    (s,) = list(hac.steps(X1, clusters=[5, 5, 5, 5]))  # one starting cluster: nothing to merge
    assert s.done and s.labels.tolist() == [0, 0, 0, 0]


def parse_newick(text):
    """Tiny Newick parser: returns (children or name, branch length) trees."""
    pos = 0

    def node():
        nonlocal pos
        if text[pos] == "(":
            pos += 1
            kids = [node()]
            while text[pos] == ",":
                pos += 1
                kids.append(node())
            assert text[pos] == ")"
            pos += 1
            label = kids
        else:
            j = pos
            while text[pos] not in ",():;":
                pos += 1
            label = text[j:pos]
        length = None
        if text[pos] == ":":
            j = pos = pos + 1
            while text[pos] not in ",();":
                pos += 1
            length = float(text[j:pos])
        return label, length

    tree = node()
    assert text[pos:] == ";"
    return tree


def leaves(tree):
    label, _ = tree
    return {label} if isinstance(label, str) else set().union(*map(leaves, label))


def clades(tree, out):
    label, _ = tree
    if not isinstance(label, str):
        out.append(frozenset(leaves(tree)))
        for k in label:
            clades(k, out)
    return out


def heights_to_leaves(tree, acc=0.0):
    label, length = tree
    acc += length or 0.0
    if isinstance(label, str):
        return [acc]
    return [h for k in label for h in heights_to_leaves(k, acc)]


def test_newick_round_trip_structure():
    X = np.random.default_rng(9).normal(size=(12, 2))
    r = hac.fit(X, linkage="avg")
    tree = parse_newick(r.newick())
    d = r.dendrogram
    want = {frozenset(f"x{i + 1}" for i in d.members(c)) for c in range(12, 23)}
    assert set(clades(tree, [])) == want
    # ultrametric: every leaf lies at the root height below the root
    np.testing.assert_allclose(heights_to_leaves(tree), r.heights[-1], atol=1e-12)
    named = r.newick(names=[f"p {i}" for i in range(12)])
    assert "'p 0'" in named
    # starting clusters appear as groups whose members hang at length 0
    r2 = hac.fit(X[:4], clusters=[0, 0, 1, 2])
    tree2 = parse_newick(r2.newick())
    assert frozenset({"x1", "x2"}) in set(clades(tree2, []))
    assert newick(np.array([[0.0, 1.0, 1.0, 2.0]])) == "(x1:1.0,x2:1.0);"


def test_deep_chain_newick_does_not_recurse():
    X = np.cumsum(np.arange(1, 3001, dtype=float) ** 1.01)  # gaps grow: a single-linkage chain
    text = hac.fit(X, linkage="min").newick()
    assert text.count("(") == 2999


@pytest.mark.parametrize("kwargs,match", [
    (dict(norm="l3"), "norm='l3' is not allowed"),
    (dict(linkage="median"), "linkage='median' is not allowed"),
    (dict(norm="l1", linkage="ward"), "ward.*ℓ2 norm only"),
    (dict(clusters=[0, 1]), "one integer label per point"),
    (dict(clusters=[0.5, 1, 1, 2]), "whole-number labels"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ParamError, match=match):
        hac.steps(X1, **kwargs)
    with pytest.raises(ParamError, match=match):
        hac.fit(X1, **kwargs)


def test_bad_data_and_distance_matrices():
    with pytest.raises(ParamError, match="NaN"):
        hac.fit([[0.0, 1.0], [np.nan, 2.0]])
    with pytest.raises(ParamError, match="X .* or a precomputed distance"):
        hac.fit(None)
    good = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.5], [2.0, 1.5, 0.0]])
    assert hac.fit(None, linkage="max", distances=good).heights.tolist() == [1.0, 2.0]
    for bad, match in [(good + np.eye(3), "zero diagonal"), (good * np.array([1, 1, 2]), "symmetric"),
                       (-good, "negative"), (np.where(good == 2.0, np.nan, good), "NaN"),
                       (np.ones(4), "n\\(n-1\\)/2"), (np.ones((3, 2)), "square")]:
        with pytest.raises(ParamError, match=match):
            hac.fit(None, distances=bad)
    with pytest.raises(ParamError, match="needs the point coordinates X"):
        hac.fit(None, linkage="centroid", distances=good)
    with pytest.raises(ParamError, match="describe 3 points but X has 4"):
        hac.fit(X1, distances=good)
    r = hac.fit(X1)
    with pytest.raises(ParamError, match="exactly one"):
        r.fcluster()
    with pytest.raises(ParamError, match="between 1 and 4"):
        r.fcluster(k=5)


def test_algorithm_declaration():
    alg = get_algorithm("hac")
    assert alg is hac.ALGORITHM and alg.steps is hac.steps and alg.objective_sense is None
    assert [p.name for p in alg.params] == ["norm", "linkage"]
    assert alg.defaults() == {"norm": "l2", "linkage": "min"}
    assert alg.objective_name == "merge distance"


def test_steps_memory_is_small_for_many_points():
    X = np.random.default_rng(0).normal(size=(3000, 2))
    ss = list(hac.steps(X, linkage="max"))
    shared = ss[0].payload["dendrogram"]
    own = sum(s.nbytes() for s in ss) - sum(s.payload["members_a"].nbytes + s.payload["members_b"].nbytes
                                           for s in ss[1:]) - sum(s.trace.nbytes for s in ss)
    assert own < 200 * len(ss)  # a witness pair per step; members, trace and dendrogram are shared views
    assert all(s.payload["dendrogram"] is shared for s in ss)
    assert all(np.shares_memory(s.trace, ss[-1].trace) for s in ss)


@pytest.mark.parametrize("lk", ["min", "max"])
def test_witnesses_found_when_read_are_those_of_the_whole_tree_at_once(lk, monkeypatch):
    """Small merges' witnesses are listed a chunk at a time when a payload asks (large merges' at once): read
    in any order, they are the pairs the whole-tree search gives."""
    from engine.hac import witness
    from engine.hac.prepare import prepare

    monkeypatch.setattr(witness, "CHUNK_PAIRS", 2048)  # many chunks
    X = np.round(np.random.default_rng(7).normal(size=(1500, 2)) * 40)  # ties: single linkage uses the loop
    ss = list(hac.steps(X, linkage=lk))
    order = np.random.default_rng(0).permutation(len(ss) - 1) + 1
    got = {int(t): ss[t].payload["witness_points"].tolist() for t in order}
    d = ss[0].payload["dendrogram"]
    want = witness.all_witnesses(prepare(X, "l2", lk, None, None), d, lk == "max")
    for t in range(1, len(ss)):
        u, v = want[t - 1]
        assert got[t] == ([u, v] if u in ss[t].payload["members_a"] else [v, u])
    size = d.node_stop - d.node_start
    pairs = size[d.linkage[:, 0].astype(int)] * size[d.linkage[:, 1].astype(int)]
    assert pairs[pairs <= witness.SMALL].sum() > 8 * witness.CHUNK_PAIRS
