"""Shared widgets: the scatter, the timeline, the panels, tiles, the objective plot, export."""
