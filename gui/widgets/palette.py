"""Cluster colours shared by every view: cluster ``i`` has the same colour everywhere.

The first eight colours are the Okabe-Ito palette (Okabe & Ito, 2008), which
stays distinguishable for the common forms of colour blindness. Clusters 8
and beyond reuse the colours with a different marker shape in symbol views
(:func:`symbol`), and take colours from Paul Tol's colour-blind-safe "muted"
and "light" schemes in raster views, where shapes are not available.

Unassigned points (label ``-1``) are drawn in light grey.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

__all__ = ["OKABE_ITO", "color", "hex_color", "text_hex", "contrast", "rgba_table", "label_colors", "symbol", "UNASSIGNED", "NAMED_COLOURS",
           "named_hex", "ClusterStyle"]

# Okabe-Ito, ordered so that the first few read well on white (yellow last but one).
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
# Paul Tol's "muted" then "light" schemes, for clusters 8 and beyond in raster views.
EXTENDED = (
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499",
    "#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00",
)
UNASSIGNED = "#BBBBBB"
SYMBOLS = ("o", "s", "t", "d", "star", "p", "h", "t1")
#: Marker size (pixels) of points in the scatter views and their legend samples.
POINT_SIZE = 9


def hex_color(i: int, extended: bool = False) -> str:
    """Hex colour of cluster ``i`` (``-1`` = unassigned grey).

    With ``extended`` (raster views), clusters >= 8 get their own colour from the
    longer list; otherwise colours repeat and :func:`symbol` tells clusters apart.
    """
    if i < 0:
        return UNASSIGNED
    if i < len(OKABE_ITO) or not extended:
        return OKABE_ITO[i % len(OKABE_ITO)]
    return EXTENDED[(i - len(OKABE_ITO)) % len(EXTENDED)]


def contrast(a: str, b: str = "#FFFFFF") -> float:
    """The WCAG contrast ratio of two colours (1 to 21): (L1 + 0.05) / (L2 + 0.05) of their relative luminances."""
    def luminance(hex_colour: str) -> float:
        rgb = np.array(QColor(hex_colour).getRgbF()[:3])
        lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        return float(lin @ [0.2126, 0.7152, 0.0722])
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_hex(hex_colour: str, at_least: float = 3.0) -> str:
    """``hex_colour`` for text on white: the colour itself when it stands out enough (contrast >= ``at_least``,
    WCAG's large and bold text), else a darker shade of it (the yellow, light blue and pink of the palette: a
    cluster's number or caption stays in its colour and is read from the back of a lecture hall)."""
    c = QColor(hex_colour)
    while contrast(c.name()) < at_least and c.value() > 0:
        c = c.darker(110)
    return c.name().upper()


def color(i: int, alpha: int = 255, extended: bool = False) -> QColor:
    c = QColor(hex_color(i, extended))
    c.setAlpha(alpha)
    return c


def symbol(i: int) -> str:
    """Marker shape of cluster ``i``: circles for 0-7, squares for 8-15, ..."""
    return "o" if i < 0 else SYMBOLS[(i // len(OKABE_ITO)) % len(SYMBOLS)]


def rgba_table(n: int, alpha: int = 255, extended: bool = True) -> np.ndarray:
    """(n + 1, 4) uint8 colour table; row ``n`` is the unassigned grey (index with ``labels`` where -1 -> n)."""
    out = np.empty((n + 1, 4), dtype=np.uint8)
    for i in range(n):
        c = QColor(hex_color(i, extended))
        out[i] = (c.red(), c.green(), c.blue(), alpha)
    g = QColor(UNASSIGNED)
    out[n] = (g.red(), g.green(), g.blue(), alpha)
    return out


def label_colors(labels: np.ndarray, alpha: int = 255, extended: bool = True) -> np.ndarray:
    """(n, 4) uint8 colours for a label array (vectorised; -1 maps to grey)."""
    labels = np.asarray(labels)
    n = int(labels.max(initial=-1)) + 1
    table = rgba_table(max(n, 1), alpha, extended)
    idx = np.where(labels < 0, len(table) - 1, labels)
    return table[idx]


# ---------------------------------------------------------------------------- named groups
#: Readable colours for groups named after a colour (a data set's ``label_names``, case and spaces ignored).
NAMED_COLOURS = {
    "black": "#000000", "red": "#D7191C", "blue": "#0072B2", "green": "#009E73", "orange": "#E69F00",
    "yellow": "#F0E442", "purple": "#7B3294", "violet": "#7B3294", "pink": "#CC79A7", "magenta": "#CC79A7",
    "skyblue": "#56B4E9", "lightblue": "#56B4E9", "cyan": "#56B4E9", "vermillion": "#D55E00",
    "brown": "#8C510A", "grey": "#666666", "gray": "#666666",
}
#: Okabe-Ito colours a named colour also takes (too close to tell apart beside it).
_ALSO_TAKES = {"#D7191C": ("#D55E00",), "#7B3294": ("#CC79A7",)}
#: Group names joined for a cluster made of whole groups, at most this many names ("black+red+blue").
JOIN_MAX = 3


def named_hex(name) -> str | None:
    """The colour a group name stands for (``"Red"`` -> ``"#D7191C"``), or None."""
    return NAMED_COLOURS.get("".join(str(name).lower().split()))


class ClusterStyle:
    """Names and colours of the clusters of a label array, from the data set's named groups.

    A data set's groups (``labels`` with ``label_names``) are its own words for its points, so every view
    uses them: a cluster that is exactly a union of whole named groups is called by their names, joined in
    order of their first points (``"black"``, ``"black+red"``), and drawn in the colour its first point's
    group is named after (``"black"`` -> black); every other cluster is "cluster N" (id ``N - 1``) in the
    Okabe-Ito order with the colours the data set's colour names take skipped. So while HAC's clusters are
    the starting groups (and after merges, when a merge keeps the label of the part holding the smaller
    first point, as the engine numbers them) the colour of a cluster stays that of its first group. Without
    named groups this is exactly :func:`hex_color` and "cluster N".
    """

    def __init__(self, groups=None, group_names=None):
        self.set_groups(groups, group_names)

    def set_groups(self, groups, group_names) -> bool:
        """The data set's group per point (``-1``: none) and a name per group; returns True when it changed."""
        names = None if groups is None or group_names is None else tuple(str(s) for s in group_names)
        g = None if names is None else np.asarray(groups, dtype=np.int64)
        if names is not None and getattr(self, "_names", None) == names and np.array_equal(g, self._groups):
            return False
        self._groups, self._names = g, names
        taken = {named_hex(s) for s in names or ()} - {None}
        taken |= {c for t in list(taken) for c in _ALSO_TAKES.get(t, ())}
        self._free = tuple(c for c in OKABE_ITO if c not in taken) or OKABE_ITO
        self._cache = (None, None)
        return True

    @property
    def named(self) -> bool:
        """True when the data set names its groups (otherwise every cluster is "cluster N")."""
        return self._names is not None

    def _resolve(self, labels) -> dict:
        """``{id: (name, hex or None)}`` for the clusters that are unions of whole named groups."""
        if labels is None or self._names is None or np.shape(labels) != self._groups.shape:
            return {}
        if self._cache[0] is labels:
            return self._cache[1]
        lab, g = np.asarray(labels, dtype=np.int64), self._groups
        out: dict = {}
        m = len(self._names)
        if lab.size and g.max(initial=-1) < m:
            ing = g >= 0
            lo = np.full(m, np.iinfo(np.int64).max)
            hi = np.full(m, -2)
            np.minimum.at(lo, g[ing], lab[ing])
            np.maximum.at(hi, g[ing], lab[ing])
            whole = (lo == hi) & (lo >= 0)
            bad = ~ing | ~whole[np.where(ing, g, 0)]
            k = int(lab.max(initial=-1)) + 1
            ok = lab >= 0
            badcount = np.bincount(lab[ok], weights=bad[ok], minlength=k)
            ids, first = np.unique(lab[ok], return_index=True)
            first = np.flatnonzero(ok)[first]
            gfirst = {}  # group -> its first point
            for i, gi in enumerate(g.tolist()):
                if gi >= 0 and gi not in gfirst:
                    gfirst[gi] = i
            for c, p in zip(ids.tolist(), first.tolist()):
                if badcount[c] == 0:
                    parts = sorted((q, gi) for gi, q in gfirst.items() if lo[gi] == c)
                    words = [self._names[gi] for _, gi in parts]
                    name = "+".join(words) if len(words) <= JOIN_MAX else \
                        f"{'+'.join(words[:JOIN_MAX])}+{len(words) - JOIN_MAX} more"
                    out[c] = (name, named_hex(self._names[g[p]]))
        self._cache = (labels, out)
        return out

    def hex(self, i: int, labels=None, extended: bool = False) -> str:
        """Hex colour of cluster ``i`` of ``labels`` (``-1``: the unassigned grey)."""
        if i < 0:
            return UNASSIGNED
        if self._names is None:
            return hex_color(i, extended)
        named = self._resolve(labels).get(i)
        if named is not None and named[1] is not None:
            return named[1]
        free = self._free
        if i < len(free) or not extended:
            return free[i % len(free)]
        return EXTENDED[(i - len(free)) % len(EXTENDED)]

    def color(self, i: int, labels=None, alpha: int = 255, extended: bool = False) -> QColor:
        c = QColor(self.hex(i, labels, extended))
        c.setAlpha(alpha)
        return c

    def name(self, i: int, labels=None) -> str:
        """What people call cluster ``i``: its groups' names, or "cluster N" (``i + 1``)."""
        named = self._resolve(labels).get(i) if i >= 0 else None
        return named[0] if named is not None else f"cluster {i + 1}"

    def short(self, i: int, labels=None) -> str:
        """A label to write on a figure: the groups' names, or "C N"."""
        named = self._resolve(labels).get(i) if i >= 0 else None
        return named[0] if named is not None else f"C{i + 1}"

    def rgba_table(self, k: int, labels=None, alpha: int = 255, extended: bool = True) -> np.ndarray:
        """Like :func:`rgba_table`, with this style's colours."""
        out = np.empty((k + 1, 4), dtype=np.uint8)
        for i in range(-1, k):
            c = QColor(self.hex(i, labels, extended))
            out[i] = (c.red(), c.green(), c.blue(), alpha)
        return out
