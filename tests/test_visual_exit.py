"""Closing the app never crashes (a crash at exit read as a failed lecture; the test runs hid it): a window with
every view of K-means, lecture mode on and off, then the interpreter's own exit, in a fresh process.

At exit Qt tears the scenes down while Python shuts down; a Python override that raised then (a legend's
setGeometry reading an entry already deleted) crashed the interpreter (exit code -11), and so did a timer
that Qt and Python both deleted."""
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from gui.shell.main_window import MainWindow
    w = MainWindow(startup="", only=("kmeans", "gmm"))
    w.resize(1000, 700)
    w.show()
    for _ in range(3):
        app.processEvents()
    w.lecture.set_on(True)
    app.processEvents()
    w.lecture.set_on(False)
    w.close()
    app.processEvents()
    print("closed")
""")


def test_the_app_exits_cleanly(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CLUSTERLAB_SETTINGS_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert done.returncode == 0 and "closed" in done.stdout, (done.returncode, done.stderr[-2000:])
