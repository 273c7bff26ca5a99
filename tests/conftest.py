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
