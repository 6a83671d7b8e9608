"""Mean shift's numbers say what the picture shows (#12 item 4): on the assign step each mode is labelled with
its cluster's size, not the count of points in its window ("mode 3 (40)" beside a cluster of 50 points)."""
import numpy as np

from engine.session import load_session, shipped_sessions
from gui.shell.session_io import apply


def test_modes_are_labelled_with_their_clusters_sizes_at_the_end(qtbot, open_window):
    w = open_window("meanshift", startup="")
    apply(w, load_session(shipped_sessions()["meanshift-blobs"][0]))
    qtbot.waitUntil(lambda: w.player.current is not None, timeout=20_000)
    w.player.to_end()
    qtbot.waitUntil(lambda: w.player.at_end and w.player.current.kind == "assign", timeout=20_000)
    sizes = np.bincount(w.scatter.labels())
    texts = [t.toPlainText() for t in w.plugin.overlay.labels]
    assert texts == [f"mode {j + 1}: {n} points" for j, n in enumerate(sizes)], texts
    w.player.back()  # the merge: the points in each mode's window, as its legend says
    qtbot.waitUntil(lambda: w.player.current.kind == "merge", timeout=5000)
    assert all(t.toPlainText().startswith(f"mode {j + 1} (") for j, t in enumerate(w.plugin.overlay.labels))
