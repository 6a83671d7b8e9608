"""K-means step texts name points as the data and the window do: the data's point names, else x1, x2, ..."""
import numpy as np
import pytest

from engine import kmeans
from engine import session as esession
from engine.core.params import ParamError
from engine.data.examples import example

ABCDE = ("A", "B", "C", "D", "E")


@pytest.fixture(scope="module")
def five():
    ds = example("five-points")  # exercise 3's points, named A..E
    assert ds.point_names == ABCDE
    return ds.X


def _texts(steps) -> list[str]:
    return [s.description for s in steps]


@pytest.mark.parametrize("variant", kmeans.VARIANTS)
def test_random_init_names_the_starting_points(five, variant):
    first = next(iter(kmeans.steps(five, 2, variant=variant, init="random", seed=0, names=ABCDE)))
    chosen = [ABCDE[i] for i in np.flatnonzero((five[:, None, :] == first.centers[None]).all(-1).any(1))]
    assert len(chosen) == 2
    names = first.description.split("(points ")[1].rstrip(")").split(", ")
    assert sorted(names) == chosen  # the names of exactly the points the centres sit on
    unnamed = next(iter(kmeans.steps(five, 2, variant=variant, init="random", seed=0)))
    head = first.description.split("(points ")[0]
    assert unnamed.description == head + "(points " + ", ".join(f"x{ABCDE.index(n) + 1}" for n in names) + ")"


@pytest.mark.parametrize("variant", kmeans.VARIANTS)
def test_kmeanspp_seeding_names_each_chosen_point(five, variant):
    seeds = [s for s in kmeans.steps(five, 3, variant=variant, seed=4, names=ABCDE) if s.kind == "seed"]
    assert len(seeds) == 3
    for j, s in enumerate(seeds):
        name = ABCDE[int(s.payload["chosen"])]
        assert s.description.startswith(f"k-means++: centre {j + 1} of 3 is point {name}, ")
    plain = [s for s in kmeans.steps(five, 3, variant=variant, seed=4) if s.kind == "seed"]
    for s in plain:
        assert s.description.startswith(f"k-means++: centre {len(s.centers)} of 3 is point "
                                        f"x{int(s.payload['chosen']) + 1}, ")


def test_given_centres_of_kmedoids_name_the_data_points_they_move_to(five):
    init = five[[0, 2]] + 0.1
    first = next(iter(kmeans.steps(five, 2, variant="medoids", init=init, names=ABCDE)))
    assert first.description.endswith("each moved to its nearest data point (points A, C)")
    first = next(iter(kmeans.steps(five, 2, variant="medoids", init=init)))
    assert first.description.endswith("each moved to its nearest data point (points x1, x3)")


def test_a_reseeded_cluster_names_its_new_point():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [10.0, 0.0], [11.0, 0.0], [30.0, 0.0]])
    C0 = np.array([[0.5, 0.5], [12.0, 0.0], [100.0, 100.0]])  # the third centre attracts nobody
    names = ["p", "q", "r", "s", "t", "far"]
    update = list(kmeans.steps(X, 3, init=C0, names=names))[2]
    assert update.payload["reseeded"] == [2]
    assert "cluster 3 was empty and was re-seeded with point far," in update.description
    update = list(kmeans.steps(X, 3, init=C0))[2]
    assert "re-seeded with point x6," in update.description


def test_mnist_sized_random_init_says_x_one_based():
    X = np.random.default_rng(0).normal(size=(500, 3))
    first = next(iter(kmeans.steps(X, 4, init="random", seed=1)))
    idx = sorted(int(np.flatnonzero((X == c).all(1))[0]) for c in first.centers)
    assert sorted(first.description.split("(points ")[1].rstrip(")").split(", ")) == sorted(f"x{i + 1}" for i in idx)


def test_names_change_only_the_texts(five):
    named = list(kmeans.steps(five, 2, init="random", seed=3, names=ABCDE))
    plain = list(kmeans.steps(five, 2, init="random", seed=3))
    assert len(named) == len(plain)
    for a, b in zip(named, plain):
        np.testing.assert_array_equal(a.labels, b.labels)
        np.testing.assert_array_equal(a.centers, b.centers)
        assert a.objective == b.objective or (np.isnan(a.objective) and np.isnan(b.objective))
    r = kmeans.fit(five, 2, init="random", seed=3, names=ABCDE)
    np.testing.assert_array_equal(r.labels, plain[-1].labels)


def test_restarts_pass_the_names_on(five):
    first = next(iter(kmeans.ALGORITHM.steps(five, 2, init="random", seed=0, restarts=3, names=ABCDE)))
    assert "(points " in first.description and "x" not in first.description.split("(points ")[1]
    r = kmeans.ALGORITHM.fit(five, 2, init="random", seed=0, restarts=3, names=ABCDE)
    assert r.labels.shape == (5,)


@pytest.mark.parametrize("bad, message", [
    (["A", "B"], "names has 2 entries but the data have 5 points: give one name per point"),
    ("ABCDE", "names should be a list of strings, one per point, not str"),
    ([1, 2, 3, 4, 5], r"names\[0\] is 1 \(int\), not a string"),
    (5, "names should be a list of strings, one per point, not int"),
])
def test_bad_names_are_refused_when_steps_is_called(five, bad, message):
    with pytest.raises(ParamError, match=message):
        kmeans.steps(five, 2, names=bad)
    with pytest.raises(ParamError, match=message):
        kmeans.fit(five, 2, names=bad)


def test_numpy_string_names_are_plain_strings(five):
    first = next(iter(kmeans.steps(five, 2, init="random", seed=0, names=np.array(ABCDE))))
    assert "np.str_" not in first.description and "(points " in first.description


def test_a_session_on_named_points_names_them_in_the_steps():
    s = esession.session_from_dict({
        "format": esession.FORMAT, "version": 1, "data": {"example": "five-points"},
        "algorithm": {"name": "kmeans", "params": {"k": 2, "init": "random", "seed": 0}}})
    first = esession.run(s)[0]
    want = next(iter(kmeans.steps(example("five-points").X, 2, init="random", seed=0, names=ABCDE)))
    assert first.description == want.description and "(points x" not in first.description
    s = esession.session_from_dict({
        "format": esession.FORMAT, "version": 1,
        "data": {"points": [[0, 0], [0, 1], [5, 5], [5, 6]], "names": ["Ann", "Bo", "Cy", "Dee"]},
        "algorithm": {"name": "kmeans", "params": {"k": 2, "seed": 1}}})
    seeds = [st.description for st in esession.run(s) if st.kind == "seed"]
    assert len(seeds) == 2 and all(any(f"is point {n}," in t for n in ("Ann", "Bo", "Cy", "Dee")) for t in seeds)


# ------------------------------------------------------------------ the window
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
@pytest.mark.parametrize("init", ["random", "k-means++"])
def test_the_window_names_exercise_3s_points_in_the_step_text(qtbot, open_window, init):
    from engine import data as edata
    from gui.algorithms.kmeans.plugin import KMeansPlugin, load_exercise

    w = open_window(KMeansPlugin, startup="")
    load_exercise(w, "exercise3")
    p = w.plugin
    assert w.dataset.point_names == ABCDE
    p.lab.set_mode(init)
    p.form.set_values({"k": 2, "seed": 0})
    w.restart_run()
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    w.player.seek(0)
    first, X = w.player.current, w.run_X()
    at = [ABCDE[int(np.flatnonzero((X == c).all(1))[0])] for c in first.centers]
    want = next(iter(kmeans.steps(X, 2, init=init, seed=0, names=ABCDE)))
    assert first.description == want.description
    shown = w.timeline.step_text()
    if init == "random":
        assert shown.endswith(f"(points {', '.join(at)})")
    else:
        assert f"is point {at[0]}, drawn uniformly at random" in shown
    assert "(points x" not in shown and "is point x" not in shown
    w.set_dataset(edata.Dataset(X=np.asarray(X, dtype=float)))  # the same points, unnamed
    p.lab.set_mode(init)
    p.form.set_values({"k": 2, "seed": 0})
    w.restart_run()
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    w.player.seek(0)
    shown = w.timeline.step_text()
    xs = [f"x{ABCDE.index(a) + 1}" for a in at]
    assert (shown.endswith(f"(points {', '.join(xs)})") if init == "random" else
            f"is point {xs[0]}, drawn uniformly at random" in shown)


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_a_run_loaded_from_the_sweep_names_the_points_too(qtbot, open_window):
    """A click on the elbow loads that run of the sweep: its step texts name the data's points like any run."""
    from gui.algorithms.kmeans.plugin import KMeansPlugin, load_exercise

    w = open_window(KMeansPlugin, startup="")
    load_exercise(w, "exercise3")
    p = w.plugin
    p.lab.set_mode("random")
    view = p.restarts
    w.tabs.setCurrentWidget(view)
    view.ks_edit.setText("2")
    view.restarts_spin.setValue(1)
    view.run_button.click()
    qtbot.waitUntil(lambda: p.sweep is not None and not p.sweep_task.busy, timeout=30000)
    p.load_run(0, 0)
    qtbot.waitUntil(lambda: len(w.player.history) > 0, timeout=5000)
    text = w.player.history[0].description
    assert "(points " in text and "x" not in text.split("(points ")[1], text
