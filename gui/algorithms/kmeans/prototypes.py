"""The "Prototypes" tab of the K-means plugin, for image data: centres as images, members, several K.

:class:`PrototypesMixin` is mixed into :class:`gui.algorithms.kmeans.plugin.KMeansPlugin`
(it uses the plugin's ``window``, ``form``, ``prototypes`` view
(:class:`gui.widgets.tiles.PrototypesView`), ``sweep`` and colour helpers).
At every step it shows

* the centres as tiles, captioned with the cluster's size and majority label
  (:func:`engine.kmeans.cluster_summary`);
* representative members of each cluster: its centre, the five nearest
  members and five at random (:func:`engine.kmeans.representatives`, which
  says the rule it used);
* after a sweep, the best centres of every K side by side.

For data that are not images (no ``image_shape``) the plugin hides the tab (``KMeansPlugin.offers``); should
it show anyway (a side-by-side pane), its message says why it is empty.
"""
from __future__ import annotations

import numpy as np

from engine import kmeans as ekm
from engine.core.steps import Step, step_label
from gui.algorithms.kmeans.extras import data_coordinates
from gui.widgets import palette

__all__ = ["PrototypesMixin"]


class PrototypesMixin:
    """Centres, members and several K as image tiles (see the module docstring)."""

    def _image_info(self):
        """(image_shape, levels) of the current data, or None when they are not images."""
        ds = self.window.dataset
        if ds is None or ds.image_shape is None or ds.n == 0:
            return None
        X = ds.X
        return ds.image_shape, (float(X.min()), float(X.max()))

    def _captions(self, labels, k) -> list[str]:
        ds = self.window.dataset
        truth = ds.labels if ds is not None and ds.labels is not None and labels is not None \
            and len(ds.labels) == len(labels) else None
        names = ds.label_names if truth is not None else None
        summary = ekm.cluster_summary(labels, k, truth) if labels is not None and len(labels) else None
        out = []
        for j in range(k):
            ink = palette.text_hex(self.window.scatter.cluster_hex(j, extended=self._extended()))
            head = f"<b><span style='color:{ink}'>#{j + 1}</span></b>"
            if summary is None:
                out.append(head)
                continue
            text = f"{head}\nn={int(summary.sizes[j])}"  # one short line each: no wrapping inside a tile
            if truth is not None and summary.majority[j] >= 0:
                m = int(summary.majority[j])
                name = names[m] if names is not None and m < len(names) else str(m)
                text += f"\n'{name}' {100 * summary.share[j]:.0f}%"
            out.append(text)
        return out

    def _show_prototypes(self, step: Step | None):
        view = self.prototypes
        info = self._image_info()
        if info is None:
            view.set_available(False)
            return
        view.set_available(True)
        shape, levels = info
        if step is None or step.centers is None or step.centers.shape[1] != shape[0] * shape[1]:
            view.centres.clear()
            view.members.clear()
            view.set_title("centres", "")
            view.set_title("members", "")
            return
        w = self.window
        C = data_coordinates(w, step.centers)
        k = C.shape[0]
        labels = step.labels
        assigned = labels is not None and (labels >= 0).any()
        what = {"medians": "coordinate-wise median", "medoids": "medoid"}.get(self.form.values().get("variant"), "mean")
        view.set_title("centres", f"Centres (the {what} image of each cluster) at {step_label(w.player.index)}: "
                                  f"{step.kind}, iteration {step.iteration}")
        view.centres.set_tiles(C, shape, captions=self._captions(labels if assigned else None, k),
                               colors=[self._color(j) for j in range(k)], levels=levels)
        if not view.members.isVisible() or not assigned:
            if not assigned:
                view.members.clear()
                view.set_title("members", "Members: shown once every point has a cluster")
            return
        X = w.dataset.X
        variant = self.form.values().get("variant", "means")
        metric = {"means": "l2", "medians": "l1"}.get(variant, self.form.values().get("metric", "l2"))
        reps = ekm.representatives(X, labels, C, n_nearest=5, n_random=5, seed=0, metric=metric)
        slots = 11
        tiles = np.full((k * slots, X.shape[1]), np.nan)
        colors = [None] * (k * slots)
        for j in range(k):
            tiles[j * slots] = C[j]
            colors[j * slots] = self._color(j)
            near, rnd = reps.nearest[j], reps.random[j]
            tiles[j * slots + 1: j * slots + 1 + len(near)] = X[near]
            tiles[j * slots + 6: j * slots + 6 + len(rnd)] = X[rnd]
        view.set_title("members", "Members of each cluster: its centre, the 5 nearest members, 5 at random")
        view.members.set_tiles(tiles, shape, colors=colors, ncols=slots, levels=levels,
                               row_titles=[f"#{j + 1}" for j in range(k)],
                               column_titles=["centre", "nearest", "", "", "", "", "random", "", "", "", ""])
        view.members.set_note(reps.rule)

    def _show_compare(self):
        info = self._image_info()
        view = self.prototypes
        res = self.sweep
        if info is None or res is None or not any(b is not None for b in res.best):
            view.compare.clear()
            view.set_title("compare", "Centres for several K: run a sweep in “Restarts & K”" if info else "")
            return
        shape, levels = info
        rows = [(int(k), b) for k, b in zip(res.ks, res.best) if b is not None]
        width = max(k for k, _ in rows)
        tiles = np.full((len(rows) * width, shape[0] * shape[1]), np.nan)
        colors, titles = [None] * len(tiles), []
        for r, (k, b) in enumerate(rows):
            tiles[r * width: r * width + k] = data_coordinates(self.window, b.centers)
            for j in range(k):
                colors[r * width + j] = self._color(j)
            titles.append(f"K={k}")
        view.set_title("compare", "Best run of each K from the sweep")
        view.compare.set_tiles(tiles, shape, colors=colors, ncols=width, levels=levels, row_titles=titles)
        view.compare.set_note("Final objective J of each row: " + "; ".join(
            f"K={k}: J={b.objective[-1]:.6g}" for k, b in rows))
