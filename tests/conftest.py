"""Every test gets its own data directory, so nothing touches the real learner's files."""

import pytest


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch):
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("SERVERLESS_TUTOR_HOME", str(home))
    return home
