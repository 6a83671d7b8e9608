"""DataModel: every command, exact undo/redo, undoable replace, sigDataChanged, edit rules."""
import numpy as np
import pytest

from engine.data import DataError, Dataset, example, generate
from gui.run.data_model import DataModel


@pytest.fixture
def model(qtbot):
    m = DataModel()
    m.changes = []
    m.sigDataChanged.connect(lambda: m.changes.append(m.dataset))
    return m


def snapshot(m):
    ds = m.dataset
    if ds is None:
        return None
    return (ds.X.copy(), None if ds.labels is None else ds.labels.copy(), ds.point_names, ds.label_names)


def same(a, b):
    if a is None or b is None:
        return a is b
    return (np.array_equal(a[0], b[0]) and a[0].shape == b[0].shape
            and ((a[1] is None and b[1] is None) or (a[1] is not None and b[1] is not None
                                                      and np.array_equal(a[1], b[1])))
            and a[2] == b[2] and a[3] == b[3])


def texts(m):
    return [m.undo_stack.text(i) for i in range(m.undo_stack.count())]


def test_starts_as_empty_editable_2d_canvas(model):
    assert model.dataset is None
    assert model.X.shape == (0, 2) and model.n == 0 and model.d == 2
    assert model.groups.shape == (0,)
    assert model.can_edit()
    assert model.undo_stack.count() == 0


def test_click_points_into_empty_canvas(model):
    model.add_point(0.35, 0.75)
    model.add_point(0.1, 0.5)
    ds = model.dataset
    assert ds.X.tolist() == [[0.35, 0.75], [0.1, 0.5]]
    assert ds.source == "" and ds.labels is None and ds.point_names is None
    assert texts(model) == ["Add point (0.35, 0.75)", "Add point (0.1, 0.5)"]
    assert len(model.changes) == 2


def test_every_command_then_undo_all_and_redo_all_exactly(model):
    states = [snapshot(model)]
    model.replace(example("four-points"), "Load four points")
    states.append(snapshot(model))
    model.add_point(0.5, 0.5)
    states.append(snapshot(model))
    model.move_point(2, 0.3, 1.3)
    states.append(snapshot(model))
    model.paint([3, 4], 1)
    states.append(snapshot(model))
    model.delete_points([0, 0, 1])
    states.append(snapshot(model))
    model.clear()
    states.append(snapshot(model))
    assert texts(model) == ["Load four points", "Add point (0.5, 0.5)", "Move x3 to (0.3, 1.3)",
                            "Paint 2 points into group 2", "Delete 2 points", "Clear points"]
    assert len(model.changes) == 6
    for k in range(len(states) - 1, 0, -1):
        model.undo_stack.undo()
        assert same(snapshot(model), states[k - 1]), k
    assert model.dataset is None
    for k in range(1, len(states)):
        model.undo_stack.redo()
        assert same(snapshot(model), states[k]), k
    assert len(model.changes) == 6 + 2 * 6  # every undo and redo announced


def test_undo_restores_the_very_arrays(model):
    model.replace(generate("blobs", n=50, seed=1))
    X_before = model.dataset.X
    model.move_point(3, 10.0, -10.0)
    assert model.dataset.X[3].tolist() == [10.0, -10.0]
    model.undo_stack.undo()
    assert model.dataset.X is X_before  # the data set before the edit, not a copy


def test_move_keeps_names_and_groups(model):
    model.replace(example("four-points"))
    model.move_point(0, 0.2, 0.6)
    ds = model.dataset
    assert ds.point_names == ("x1", "x2", "x3", "x4")
    assert ds.labels.tolist() == [0, 0, 1, 2]
    assert ds.X[0].tolist() == [0.2, 0.6] and ds.X[1].tolist() == [0.35, 0.75]
    assert ds.source == "" and ds.name.endswith("(edited)")


def test_add_to_named_data_gets_fresh_name_and_no_group(model):
    model.replace(example("five-points"))
    model.add_point(4.0, 4.0)
    ds = model.dataset
    assert ds.point_names == ("A", "B", "C", "D", "E", "x6")
    assert ds.labels is None
    model.replace(example("four-points"))
    model.add_point(1.0, 1.0)
    ds = model.dataset
    assert ds.point_names[-1] == "x5"
    assert ds.labels.tolist() == [0, 0, 1, 2, -1]
    assert model.groups.tolist() == [0, 0, 1, 2, -1]
    assert type(ds) is Dataset  # one model: a plain Dataset whose labels hold -1 for the new point
    assert ds.n_labels == 3 and ds.unlabelled == 1


def test_delete_keeps_names_aligned(model):
    model.replace(example("four-points"))
    model.delete_points(np.array([1]))
    ds = model.dataset
    assert texts(model)[-1] == "Delete x2"
    assert ds.point_names == ("x1", "x3", "x4")
    assert ds.X.tolist() == [[0.1, 0.5], [0.28, 1.35], [0.0, 1.01]]
    assert ds.labels.tolist() == [0, 1, 2]
    model.delete_points([])  # nothing: no command
    assert texts(model)[-1] == "Delete x2"
    model.delete_points([0, 1, 2])  # everything
    assert model.dataset is None and model.can_edit()


def test_paint_groups_with_minus_one_for_unpainted(model):
    for x in range(5):
        model.add_point(float(x), 0.0)
    model.paint([1, 3], 0)
    assert model.groups.tolist() == [-1, 0, -1, 0, -1]
    assert model.dataset.labels.tolist() == [-1, 0, -1, 0, -1]
    assert texts(model)[-1] == "Paint 2 points into group 1"
    model.paint([0, 2, 4], 2)
    assert model.groups.tolist() == [2, 0, 2, 0, 2]
    assert type(model.dataset) is Dataset  # every point has a group: a plain Dataset
    model.paint([1, 3], 0)  # no change: no command
    assert texts(model)[-1] == "Paint 3 points into group 3"
    model.paint([0, 1, 2, 3, 4], -1)
    assert model.dataset.labels is None
    assert texts(model)[-1] == "Take 5 points out of their groups"
    with pytest.raises(ValueError, match="group=-2"):
        model.paint([0], -2)


def test_paint_extends_label_names(model):
    model.replace(example("four-points"))
    model.paint([3], 4)
    assert model.dataset.label_names == ("black", "red", "blue", "group 4", "group 5")
    assert model.dataset.labels.tolist() == [0, 0, 1, 4]


def test_replace_is_undoable_and_never_loses_hand_made_points(model):
    model.add_point(0.1, 0.2)
    model.add_point(0.3, 0.4)
    hand = model.dataset
    model.replace(example("one-d"), "Load one-d")
    assert model.dataset.d == 1 and not model.can_edit()
    model.undo_stack.undo()
    assert model.dataset is hand
    model.undo_stack.redo()
    assert model.dataset.source == "example:one-d"
    model.replace(None)
    assert model.dataset is None and texts(model)[-1] == "Clear points"


def test_default_replace_text(model):
    model.replace(example("five-points"))
    assert texts(model)[-1] == "Load Five points A..E (exercise 3)"


def test_high_dimensional_data_cannot_be_edited(model):
    X = np.random.default_rng(0).normal(size=(10, 5))
    model.replace(Dataset(X, name="five features"))
    assert not model.can_edit()
    for call in (lambda: model.add_point(0, 0), lambda: model.move_point(0, 1, 1),
                 lambda: model.delete_points([0]), lambda: model.paint([0], 1)):
        with pytest.raises(ValueError, match="only 2-D data can be edited"):
            call()
    assert model.undo_stack.count() == 1
    model.clear()  # clearing is always possible
    assert model.dataset is None


def test_bad_requests_are_refused_without_a_command(model):
    model.add_point(1, 2)
    with pytest.raises(ValueError, match="not finite"):
        model.add_point(float("nan"), 0)
    with pytest.raises(IndexError, match="out of range"):
        model.move_point(5, 0, 0)
    with pytest.raises(IndexError, match="0..0"):
        model.delete_points([3])
    with pytest.raises(TypeError):
        model.replace(np.zeros((3, 2)))
    assert model.undo_stack.count() == 1


def test_painting_everything_out_of_groups_drops_the_labels(model):
    model.replace(example("four-points"))
    model.paint([0, 1, 2, 3], -1)
    ds = model.dataset
    assert ds.labels is None and ds.label_names is None and model.groups.tolist() == [-1] * 4
    model.undo_stack.undo()
    assert model.dataset.labels.tolist() == [0, 0, 1, 2]
    model.paint([2], -1)
    assert model.dataset.labels.tolist() == [0, 0, -1, 2] and model.dataset.n_labels == 2
    assert model.dataset.label_names == ("black", "red", "blue")  # names of the groups still in use stay


def test_clean_state_follows_saves(model):
    model.add_point(0, 0)
    model.mark_saved()
    assert model.undo_stack.isClean()
    model.add_point(1, 1)
    assert not model.undo_stack.isClean()
    model.undo_stack.undo()
    assert model.undo_stack.isClean()
