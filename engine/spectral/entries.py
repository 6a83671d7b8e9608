"""What a spectral clustering session keeps beside its parameters: nothing; ``render``'s ``result.json`` gets
the embedding, its eigenvalues and the centres in it (beside the labels every result has)."""
from __future__ import annotations

from engine.core.registry import SessionEntries

__all__ = ["SESSION"]


def _summary(steps) -> dict:
    p = steps[-1].payload
    out = {key: p[key] for key in ("eigenvalues", "embedding", "embedding_centers", "n_components") if key in p}
    return out


SESSION = SessionEntries(summary=_summary)
