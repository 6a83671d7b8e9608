"""Clusterlab's Qt application: the window, the step player and the pyqtgraph views."""
