"""A local repository's entries are laid over their files' headers as each file read reaches
this process (`auditor.sources.localrepo._EarlyOverlays`): the same packages and errors as
when every overlay is made after the last file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.sources import localrepo
from auditor.sources.interface import ReadOptions
from tests.conftest import DATA

EXAMPLE = Path(__file__).parents[2] / "examples" / "xcp-ng-mini"


def read(path: Path) -> tuple[str, list[tuple[str, str]]]:
    found = localrepo.read_local_repository(str(path), ReadOptions(), None)
    return repr(found.packages), [(error.source, error.reason) for error in found.errors]


@pytest.mark.parametrize("path", [DATA / "repo", DATA / "srpm-repo", EXAMPLE / "repo", EXAMPLE / "srpms"])
def test_overlays_made_while_reading_are_those_made_after(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[localrepo._EarlyOverlays] = []
    original = localrepo._EarlyOverlays.__init__

    def kept(self: localrepo._EarlyOverlays, *args: Any) -> None:
        original(self, *args)
        made.append(self)

    monkeypatch.setattr(localrepo._EarlyOverlays, "__init__", kept)
    early = read(path)
    assert made and made[0].overlaid  # the path under test was taken
    monkeypatch.setattr(localrepo._EarlyOverlays, "heard", lambda *_: None)
    assert read(path) == early
