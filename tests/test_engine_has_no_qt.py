"""engine/ must never import Qt (PySide6, pyqtgraph, shiboken6) - checked statically and at import time."""
import ast
import pathlib
import subprocess
import sys

ENGINE = pathlib.Path(__file__).resolve().parents[1] / "engine"
FORBIDDEN = ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6", "scipy", "sklearn")


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_engine_sources_import_no_qt_and_no_reference_libraries():
    files = sorted(ENGINE.rglob("*.py"))
    assert files, "engine/ has no modules"
    bad = [(f.name, m) for f in files for m in _imports(f) if m.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_importing_every_engine_module_loads_no_qt():
    mods = [".".join(p.relative_to(ENGINE.parent).with_suffix("").parts).removesuffix(".__init__")
            for p in sorted(ENGINE.rglob("*.py"))]
    code = ("import sys, importlib\n"
            f"for m in {mods!r}: importlib.import_module(m)\n"
            f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    root = str(ENGINE.parent)
    res = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
