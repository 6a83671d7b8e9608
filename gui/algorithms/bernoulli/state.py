"""What a session keeps of the Bernoulli mixture plugin: the binarization threshold and given starting parameters;
the restart shown and the model selection (BIC / AIC against K)."""
from __future__ import annotations

from gui.algorithms.base import State
from gui.algorithms.kmeans.restarts import RESTART_STATE
from gui.algorithms.mixture.selection import SELECTION_STATE
from gui.algorithms.mixture.state import GIVEN_INIT, GivenInit

__all__ = ["BernoulliState"]


class BernoulliState(GivenInit):
    """Mixin of :class:`~gui.algorithms.bernoulli.plugin.BernoulliPlugin`: its declared session state."""

    session_state = (State("threshold", save="_save_threshold", restore="_restore_threshold"), GIVEN_INIT,
                     RESTART_STATE, SELECTION_STATE)

    def _save_threshold(self):
        return float(self.threshold.value()) if getattr(self, "threshold", None) is not None else None

    def _restore_threshold(self, value) -> None:
        self.threshold.setValue(0.5 if value is None else float(value))
