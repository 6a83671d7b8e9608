"""Hierarchical agglomerative clustering (HAC), one merge per step.

Start from one cluster per point (or from a given partition), repeatedly
merge the two closest clusters, record the distance, until one cluster is
left. Point distances use the norm ``"l1"``, ``"l2"`` or ``"linf"`` (or a
precomputed matrix); cluster distances (``linkage``):

* ``"min"`` (single): smallest distance over pairs of members;
* ``"max"`` (complete): largest distance over pairs;
* ``"avg"`` (average): mean distance over all pairs;
* ``"centroid"``: distance between the cluster means, in the chosen norm
  (can merge *below* an earlier merge: an inversion, flagged, never hidden);
* ``"ward"`` (ℓ2 only): ``sqrt(2 |A||B| / (|A| + |B|)) * ||mu_A - mu_B||_2``,
  scipy's scale (the square root of twice the increase in squared error).

Ids follow scipy's linkage matrix: the ``m`` starting clusters are
``0..m-1`` (singletons: the point index; with ``clusters``: in sorted label
order) and the cluster made by merge ``t`` is ``m + t``. The fourth column
of the linkage matrix counts starting clusters (= points without a starting
partition), so it is always a valid scipy linkage; the payload's ``"size"``
counts points.

Tie rule
--------
Every cluster has a *representative*: the smallest starting-cluster id it
contains. Each merge joins the pair at the smallest cluster distance; among
pairs at exactly the same distance (compared as floats, no tolerance) it
joins the pair whose (smaller representative, larger representative) is
lexicographically smallest. Example: with x1, x2, x3 pairwise equidistant,
{x1} and {x2} merge first. (ℓ2 centroid and Ward distances are compared as
squares; in the rare case that two different squares round to the same
square root, the smaller square counts as smaller.)

Steps
-----
``steps`` yields a ``kind="start"`` step and then one ``kind="merge"`` step
per merge. ``objective`` is the merge distance; ``trace[0]`` is the start
step's ``nan`` and ``trace[1:]`` the merge distances so far. Labels (computed
on demand from the merge list, never stored per step) are numbered by
smallest member: the cluster containing point 0 is label 0, the cluster
containing the smallest point not in it is 1, and so on.

Merge step payload (read-only):

``"a"``, ``"b"`` : int
    Ids of the merged clusters, ``a < b`` (as in the linkage row).
``"members_a"``, ``"members_b"`` : int ndarray
    Their point indices (views of ``dendrogram.point_order``, leaf order).
``"new_id"``, ``"size"`` : int
    Id (``m + t``) and number of points of the new cluster.
``"distance"`` : float
    The merge distance (= ``objective``).
``"witness_kind"`` : str
    ``"pair"`` (min: a closest pair, max: a farthest pair),
    ``"all_pairs"`` (avg: the mean runs over every pair of
    ``members_a`` x ``members_b``), ``"centroids"`` (centroid, ward).
``"witness_points"`` : int ndarray of shape (2,) or None
    For ``"pair"``: point ``p`` of a and ``q`` of b with ``d(p, q)`` equal to
    the merge distance (the first such pair in leaf order).
``"witness_coords"`` : tuple of two float ndarrays of shape (d,), or None
    ``"pair"``: the coordinates of ``p`` and ``q`` (None without ``X``);
    ``"centroids"``: the two cluster means.
``"inversion"`` : bool
    True when this distance is lower than an earlier merge distance.
``"dendrogram"`` : :class:`engine.hac.dendrogram.Dendrogram`
    The whole tree's geometry, shared by all steps.
``"n_links"`` : int
    Links ``0..n_links-1`` of the dendrogram are drawn (``t + 1``).
``"n_clusters"`` : int
    Clusters left after the merge (the merge index ``t`` is ``iteration - 1``).
``"linkage"``, ``"norm"`` : str
    The run's settings (norm is ``"precomputed"`` with ``distances``).

Modules: :mod:`engine.hac.prepare` (input checks), :mod:`engine.hac.linkage` (the fast merge loops;
min / max / avg keep the ``m (m - 1) / 2`` cluster distances in :mod:`engine.hac.condensed`, the one
O(n^2) array; :mod:`engine.hac.memory` refuses a run that cannot fit),
:mod:`engine.hac.merges` (steps, :func:`fit`, :func:`first_merges`), :mod:`engine.hac.witness`,
:mod:`engine.hac.dendrogram`; this package re-exports their public names.

The start step's payload has ``"dendrogram"``, ``"n_links"`` (0),
``"n_clusters"`` (m), ``"linkage"`` and ``"norm"``.

Example
-------
>>> r = fit([[1.0], [2.0], [4.0]], linkage="min")
>>> r.linkage.tolist()
[[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]]
>>> [s.description for s in steps([[1.0], [2.0], [4.0]])][1]
'merged {x1} and {x2} at d_min = 1 (ℓ2)'
"""
from __future__ import annotations

from engine.core.registry import Algorithm
from engine.hac import entries as _entries
from engine.hac.dendrogram import cut_count, cut_height, validate_linkage
from engine.hac.merges import FirstMerge, HacResult, first_merges, fit, steps
from engine.hac.prepare import LINKAGES, NORM_NAMES, NORMS, PARAMS
from engine.hac.working import working as _working

__all__ = ["steps", "fit", "HacResult", "first_merges", "FirstMerge", "cut_height", "cut_count",
           "validate_linkage", "ALGORITHM", "NORMS", "LINKAGES", "NORM_NAMES"]


ALGORITHM = Algorithm(name="hac", session=_entries.SESSION, example={"example": "four-points"}, example_params={},
    gui="gui.algorithms.hac.plugin:HacPlugin", order=10, fit=fit,
    title="Hierarchical clustering (HAC)", steps=steps, params=PARAMS,
    summary="Agglomerative merges under min, max, avg, centroid or Ward linkage in the ℓ1, ℓ2 or ℓ∞ norm.",
                      objective_name="merge distance", objective_sense=None, working=_working)
