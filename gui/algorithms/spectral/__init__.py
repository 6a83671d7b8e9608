"""Spectral clustering in the window (see :mod:`gui.algorithms.spectral.plugin`)."""
