"""The hierarchical clustering plugin and its views: dendrogram, norms, comparison."""
