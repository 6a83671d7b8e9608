"""The Gaussian mixture plugin and its views."""
