import numpy as np

from gui.widgets.objective import ObjectiveView, monotonicity


def test_monotonicity_check():
    assert monotonicity([np.nan, 5, 4, 4, 1], "min") == (True, None)
    assert monotonicity([5, 4, 4.5, 1], "min") == (False, 2)
    assert monotonicity([-9, -5, -5.0000000000001, -1], "max")[0]  # rounding tolerated
    assert monotonicity([-9, -5, -6], "max") == (False, 2)
    assert monotonicity([3, 1, 2], None) == (True, None)


def test_view_marks_current_step_and_reports_check(qtbot):
    v = ObjectiveView()
    qtbot.addWidget(v)
    v.set_objective("SSE", "min")
    v.show_trace(np.array([np.nan, 10.0, 7.0, 6.5]), 2)
    assert "never increased over 3 steps" in v.check.text()
    assert v.marker.data["x"].tolist() == [3.0]  # step index 2 is "step 3" on the timeline
    v.show_trace(np.array([10.0, 7.0, 8.0]), 0)
    assert "increased at step 3" in v.check.text()
