"""DBSCAN in the window: ε-balls, core / border / noise, clusters grown wave by wave, the k-distance plot."""
