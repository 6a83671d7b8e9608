"""Starting parameters a session gives in full (weights, means, covariances or probabilities), shown in the window.

A session may start a mixture from parameters it gives entirely. The window
runs from them while they fit the data and the number of components, and
forgets them as soon as the person changes a setting (the run then starts the
usual way). Shared by the Gaussian and the Bernoulli mixture plugins.
"""
from __future__ import annotations

import numpy as np

from gui.algorithms.base import State

__all__ = ["GivenInit", "GIVEN_INIT"]

#: The session entry of a mixture's given starting parameters.
GIVEN_INIT = State("init", save="_save_given_init", restore="_restore_given_init")


def _arrays(value):
    if isinstance(value, dict):
        return {k: np.asarray(v, dtype=np.float64) for k, v in value.items()}
    return np.asarray(value, dtype=np.float64)


class GivenInit:
    """Mixin of a mixture plugin: a session's given starting parameters; ``make_steps`` asks :meth:`given_arguments`."""

    _given_init = None

    def given_init_fits(self) -> bool:
        """The given parameters have the current number of components (the engine checks the rest)."""
        init = self._given_init
        if init is None:
            return False
        means = init.get("means", init.get("probs")) if isinstance(init, dict) else init
        return np.ndim(means) >= 1 and np.shape(means)[0] == int(self.form.values().get("k", -1))

    def _save_given_init(self):
        return self._given_init if self.given_init_fits() else None

    def _restore_given_init(self, value) -> None:
        self._given_init = None if value is None else _arrays(value)
        if not getattr(self, "_given_init_connected", False):
            self.form.sigChanged.connect(self._forget_given_init)
            self._given_init_connected = True
        if value is not None:
            self.window.status("The run starts from the session's given parameters; changing a setting "
                               "starts it the usual way.")

    def _forget_given_init(self) -> None:
        self._given_init = None

    def given_arguments(self, params: dict) -> dict:
        """``{"init": ...}`` while the session's given parameters are in force (and ``params`` loses its
        ``init`` method then), else {}."""
        if not self.given_init_fits():
            return {}
        params.pop("init", None)
        return {"init": self._given_init}
