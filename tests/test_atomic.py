"""Every file Clusterlab writes is written atomically: a failure midway leaves the old file byte for byte."""
import os

import numpy as np
import pytest

from engine import session as es
from engine.core.atomic import atomic_write, write_bytes_atomic
from engine.core.csvfile import write_rows


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"old contents")

    def half(tmp):
        tmp.write_bytes(b"new, half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(target, half)
    assert target.read_bytes() == b"old contents" and os.listdir(tmp_path) == ["figure.png"]


def test_a_target_that_is_not_a_regular_file_is_refused(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(OSError):
        write_rows(tmp_path / "folder.csv", ["x"], [[1]])
    with pytest.raises(OSError, match="not a regular file"):
        write_bytes_atomic(os.devnull, b"x")
    assert os.path.exists(os.devnull) and not os.path.isfile(os.devnull)  # /dev/null is still a device


def test_the_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("old")
    target.chmod(0o640)
    write_rows(target, ["x"], [[1]])
    assert target.read_text() == "x\n1\n" and (target.stat().st_mode & 0o777) == 0o640


@pytest.mark.parametrize("fail_at", ["write", "replace"])
def test_saving_a_session_that_fails_midway_keeps_the_old_session(tmp_path, monkeypatch, fail_at):
    s = es.session_from_dict({"format": es.FORMAT, "version": 1, "name": "a", "data": {"example": "five-points"},
                              "algorithm": {"name": "kmeans", "params": {"k": 2}}})
    path = es.save_session(s, tmp_path / "s.json")
    before = path.read_bytes()
    if fail_at == "write":
        real = open

        def failing_open(file, mode="r", *a, **k):
            if "w" in mode and str(file).endswith(".tmp"):
                raise OSError(28, "No space left on device")
            return real(file, mode, *a, **k)
        monkeypatch.setattr("builtins.open", failing_open)
    else:
        monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(5, "I/O error")))
    with pytest.raises(OSError, match="Cannot write s.json"):
        es.save_session(s.replace(name="b"), path)
    monkeypatch.undo()
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["s.json"]


def test_png_export_that_fails_keeps_the_old_figure(qtbot, tmp_path, monkeypatch):
    from PySide6.QtGui import QImage

    from gui.widgets import export
    from gui.widgets.scatter import ScatterView
    v = ScatterView()
    qtbot.addWidget(v)
    v.resize(300, 200)
    v.show()
    v.set_points(np.random.default_rng(0).normal(size=(50, 2)))
    path = tmp_path / "s.png"
    path.write_bytes(b"old png")
    monkeypatch.setattr(QImage, "save", lambda self, *a, **k: False)  # as when the disk is full
    with pytest.raises(OSError, match="saving the PNG failed"):
        export.export_png(v, path)
    assert path.read_bytes() == b"old png" and sorted(os.listdir(tmp_path)) == ["s.png"]
