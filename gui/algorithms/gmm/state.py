"""What a session keeps of the Gaussian mixture plugin: placed starting means, or starting parameters given in full;
the restart shown and the model selection (BIC / AIC against K)."""
from __future__ import annotations

import numpy as np

from engine.core.params import ParamError
from gui.algorithms.base import State
from gui.algorithms.kmeans.restarts import RESTART_STATE
from gui.algorithms.mixture.selection import SELECTION_STATE
from gui.algorithms.mixture.state import GIVEN_INIT, GivenInit

__all__ = ["GmmState"]


class GmmState(GivenInit):
    """Mixin of :class:`~gui.algorithms.gmm.plugin.GmmPlugin`: its declared session state."""

    session_state = (State("means", save="_save_means", restore="_restore_means", check="_check_means"),
                     GIVEN_INIT, RESTART_STATE, SELECTION_STATE)

    def _save_means(self):
        if self.given_init_fits() or getattr(self, "use_placed", None) is None or not self.use_placed.isChecked():
            return None
        return np.asarray(self.extra_arguments()["init"]["means"], dtype=float)

    def _check_means(self, value, dataset, X) -> None:
        if dataset.d != 2:
            raise ParamError(f"starting means are placed on the plot, which shows 2-D data exactly; these data "
                             f"have {dataset.d} dimensions. Use params.init (\"kmeans\" or \"random\") or give "
                             "init (weights, means and covariances) instead of \"means\".")

    def _restore_means(self, value) -> None:
        if value is not None:
            self.placed.set_positions(self.window.project(np.asarray(value, dtype=float)))
        self.use_placed.setChecked(value is not None)  # the plugin updates its label and init box
