"""solution.tex compiles with a standard TeX installation: small sessions' worked solutions through ``pdflatex``.

Skipped where ``pdflatex`` is not on PATH (CI installs TeX for it, ``.ci/run``); on a developer's machine
``apt-get install texlive-latex-base texlive-latex-recommended texlive-fonts-recommended`` is enough. ``solution_checks.check_latex``
is the structural check that runs everywhere.
"""
from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib

import pytest

from engine import session as es
from engine.session import solution

PDFLATEX = shutil.which("pdflatex")
pytestmark = pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed "
                                "(apt-get install texlive-latex-base texlive-latex-recommended)")


def tiny_png(path) -> None:
    """A 2 x 2 grey PNG (the figures' stand-in: graphicx reads its size)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes([128, 128]) for _ in range(2))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def session_named(name: str, tmp_path, **params):
    d = json.loads(es.shipped_sessions()[name][0].read_text())
    d["algorithm"]["params"].update(params)
    p = tmp_path / f"{name}.json"
    p.write_text(json.dumps(d))
    return es.load_session(p)


@pytest.mark.parametrize("name, params", [("ex3-kmeans", {}), ("ex1-centroid-l2", {}),
                                          ("ex6-gmm-elongated", {"max_iter": 1})])
def test_solution_tex_compiles_with_pdflatex(name, params, tmp_path):
    session = session_named(name, tmp_path, **params)
    steps = es.run(session)
    tiny_png(tmp_path / "figure.png")
    doc = solution.build(session, steps, figures={i: "figure.png" for i in range(min(3, len(steps)))},
                         finals=[("the whole run", "figure.png")])
    solution.write(tmp_path, doc)
    done = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "solution.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    log = (tmp_path / "solution.log").read_text(encoding="latin-1")
    assert done.returncode == 0, log[-3000:]
    assert (tmp_path / "solution.pdf").stat().st_size > 1000
    assert "Missing character" not in log and "! " not in log  # no glyph dropped, no error
