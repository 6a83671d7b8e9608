"""The K-means / K-medians / K-medoids plugin and its views: init lab, elbow, prototypes."""
