"""``render`` writes only what shows something, and only plots (issue 12, item 11)."""
import json

import pytest
from PIL import Image
from PySide6.QtWidgets import QGraphicsItem

from gui.shell import render
from gui.widgets import export

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def drawn(monkeypatch):
    """Every target export_png / export_svg was given, with the file name."""
    seen = []
    for name in ("export_png", "export_svg"):
        real = getattr(export, name)

        def spy(view, path, *a, real=real, **k):
            seen.append((path.name, export.plot_target(view)))
            return real(view, path, *a, **k)
        monkeypatch.setattr(export, name, spy)
    return seen


def test_ex3_kmeans_writes_no_empty_views_and_only_plots(qtbot, tmp_path, drawn, capsys):
    out = tmp_path / "ex3"
    assert render.main(["example:ex3-kmeans", "--out", str(out), "--size", "400x300"]) == 0, capsys.readouterr().err
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(("prototypes", "restarts"))], names
    assert {"scatter.png", "objective.png", "result.json"} <= set(names)
    assert drawn and all(isinstance(target, QGraphicsItem) for _, target in drawn), \
        [(n, type(t).__name__) for n, t in drawn if not isinstance(t, QGraphicsItem)]
    res = json.loads((out / "result.json").read_text())
    assert sorted(res["files"]) == sorted(n for n in names if n != "result.json")


@pytest.mark.slow
def test_ex4_mnist_kmeans_still_writes_its_sweep_and_prototypes(qtbot, tmp_path, drawn, capsys):
    out = tmp_path / "ex4"
    args = ["example:ex4-mnist-kmeans", "--out", str(out), "--size", "400x300", "--no-svg"]
    assert render.main(args) == 0, capsys.readouterr().err
    names = {p.name for p in out.iterdir()}
    assert {"restarts-k.png", "prototypes.png"} <= names, names
    res = json.loads((out / "result.json").read_text())  # what test_render's every-session test checks of others
    assert res["session"] == "ex4-mnist-kmeans" and res["algorithm"] == "kmeans" and res["complete"]
    with Image.open(out / "scatter.png") as im:
        assert im.size == (400, 300)
    assert all(isinstance(target, QGraphicsItem) for name, target in drawn if name.startswith(("restarts",
                                                                                               "prototypes")))
