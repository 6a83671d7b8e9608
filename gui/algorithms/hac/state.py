"""What a session keeps of the HAC plugin: whether the data's groups are the starting partition."""
from __future__ import annotations

from gui.algorithms.base import State

__all__ = ["HacState"]


class HacState:
    """Mixin of :class:`~gui.algorithms.hac.plugin.HacPlugin`: its declared session state."""

    session_state = (State("start_from_groups", save="_save_from_groups", restore="_restore_from_groups"),)

    def _save_from_groups(self) -> bool:
        ds = self.window.dataset
        return bool(self.from_groups.isChecked() and ds is not None and ds.labels is not None)

    def _restore_from_groups(self, value) -> None:
        self.from_groups.setChecked(bool(value))
