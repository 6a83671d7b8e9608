"""What a session keeps for HAC beside its parameters: whether the data's groups are the starting partition.

``"start_from_groups": true`` starts from the data's groups (points in group
``-1`` start on their own); the result carries the linkage matrix.
"""
from __future__ import annotations

import numpy as np

from engine.core import entries
from engine.core.params import ParamError
from engine.core.registry import SessionEntries
from engine.hac.flat import start_groups

__all__ = ["SESSION"]


def _parse(found: dict, params: dict) -> dict:
    return {key: entries.want(key, value, bool, "true or false") for key, value in found.items()}


def _inputs(extra: dict, dataset, X, kwargs):
    if extra.get("start_from_groups"):
        if dataset.labels is None:
            raise ParamError("start_from_groups is true but the data have no groups; set it to false or give groups.")
        kwargs["clusters"] = start_groups(dataset.labels)
    if dataset.point_names is not None:
        kwargs["names"] = dataset.point_names  # step texts name the points as the window does
    return X, kwargs


def _summary(steps) -> dict:
    p = steps[-1].payload
    if "dendrogram" not in p:
        return {}
    dendro = p["dendrogram"]
    return {"linkage": np.asarray(dendro.linkage), "heights": np.asarray(dendro.heights),
            "inversions": np.asarray(dendro.inversions)}


SESSION = SessionEntries(keys=("start_from_groups",), parse=_parse, inputs=_inputs, summary=_summary)
