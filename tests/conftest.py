from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
RPMS = DATA / "rpms"


def pytest_configure(config: pytest.Config) -> None:
    missing = [tool for tool in ("rpm", "createrepo_c") if shutil.which(tool) is None]
    if missing:
        raise pytest.UsageError(
            f"the tests compare against real tools; install {', '.join(missing)} (apt-get install rpm createrepo-c)"
        )


@pytest.fixture(scope="session")
def rpm_files() -> list[Path]:
    return sorted(RPMS.glob("*.rpm"))


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets an empty cache directory: no test reads what another stored, and the
    user's own ~/.cache is never touched."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
