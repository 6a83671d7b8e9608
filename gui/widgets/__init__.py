"""Shared widgets: the scatter, the timeline, the panels, tiles, the objective plot, export."""

#: A widget with this dynamic property set (``setProperty(CONTROL, True)``) is a control (radio buttons, a spin box)
#: inside a view that a figure shows whole: figures leave it out (:func:`gui.widgets.export.without_controls`).
#: Here, not in ``export``, so that a view can mark its controls without importing the exporters (and PIL).
CONTROL = "clusterlabControl"
