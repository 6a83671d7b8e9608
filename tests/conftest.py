"""Test settings: Qt runs offscreen, settings go to a temporary place, never the user's."""
import os
import sys
import pathlib

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Each test gets its own QSettings store so tests never share or leak state."""
    monkeypatch.setenv("CLUSTERLAB_SETTINGS_DIR", str(tmp_path / "settings"))
    yield
