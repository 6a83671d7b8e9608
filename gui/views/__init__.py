"""pyqtgraph views that turn step data into pixels (they compute nothing of the algorithm)."""
