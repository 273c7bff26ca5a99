"""Two requirements, each with a Citrix and a clean way, whose clean ways rule each other out.

``libx`` is Citrix's ``cx-x`` or the clean ``xa`` and ``xb``; ``liby`` is Citrix's ``cx-y`` or
the clean ``ya`` and ``yb``; each clean ``libx`` conflicts with each clean ``liby``. Asked one
requirement at a time, each has a clean way, and no installation (nor buildroot) holds both
without a Citrix package, as libsolv finds. The clean-way screen (`auditor.deps.cleanscreen`)
asked a package only when it also reached a package apart from what the mixed group leads to,
and the clean providers of both groups are what they lead to. So ``tool``, which
BuildRequires both, was **clean** (a source package's BuildRequires have no ``may-depend``),
and ``app``, which Requires both, ``may-depend``. A package that owns a mixed group itself is
now asked (rt-rich's seed 242 was of this shape, deeper).

What stays is the screen's documented miss: a package that reaches each mixed group only
through a package it surely holds (``app-far`` Requires ``x-user`` and ``y-user``, which
require ``libx`` and ``liby``) is not asked, and stays ``may-depend``; its build ``tool-far``
stays ``clean``. Asking every package that may reach a mixed group took 10 s on distro-60k.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.deps import cleanway
from auditor.rpm.gaps import GapKind
from tests.deps.built import CITRIX, audit, build_repository, libsolv_buildroot, libsolv_installs, verdicts
from tests.deps.screen import both_ways, screen_only

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-x", "provides": ["libx"], **CITRIX},
    {"name": "xa", "provides": ["libx"], "conflicts": ["ya", "yb"]},
    {"name": "xb", "provides": ["libx"], "conflicts": ["ya", "yb"]},
    {"name": "cx-y", "provides": ["liby"], **CITRIX},
    {"name": "ya", "provides": ["liby"]},
    {"name": "yb", "provides": ["liby"]},
    {"name": "tool", "buildrequires": ["libx", "liby"]},
    {"name": "app", "requires": ["libx", "liby"]},
    {"name": "app-user", "requires": ["app"]},
    # Each mixed group one package further: not asked (the documented miss).
    {"name": "x-user", "requires": ["libx"]},
    {"name": "y-user", "requires": ["liby"]},
    {"name": "app-far", "requires": ["x-user", "y-user"]},
    {"name": "tool-far", "buildrequires": ["x-user", "y-user"]},
    # One mixed group and a clean requirement that rules out nothing: a clean way, as libsolv
    # finds, and one through Citrix's (may-depend, at run time and at build time).
    {"name": "z", "provides": ["libz"]},
    {"name": "app-ok", "requires": ["libx", "libz"], "buildrequires": ["libx", "libz"]},
]  # fmt: skip
CITRIX_NAMES = ["cx-x", "cx-y"]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("twomixed"))


@pytest.fixture(scope="module")
def found(repository: Path) -> dict[bool, dict[str, str]]:
    """The verdicts of a run asking every package, and of one asking the screen's choice."""
    screened = {}
    for screen in (False, True):
        with pytest.MonkeyPatch.context() as monkeypatch:
            screen_only(monkeypatch, screen)
            screened[screen] = verdicts(audit(repository))
    return screened


def test_libsolv_needs_citrix_for_each_case(repository: Path) -> None:
    for name in ("app", "app-user", "app-far"):
        nevra = f"{name}-1.0-1.noarch"
        assert libsolv_installs(repository, nevra) is not None, name
        assert libsolv_installs(repository, nevra, locked=CITRIX_NAMES) is None, name
    for name in ("tool", "tool-far"):
        assert libsolv_buildroot(repository, PACKAGES, name, locked=()) is not None, name
        assert libsolv_buildroot(repository, PACKAGES, name, locked=CITRIX_NAMES) is None, name
    assert libsolv_installs(repository, "app-ok-1.0-1.noarch", locked=CITRIX_NAMES) is not None
    assert libsolv_buildroot(repository, PACKAGES, "app-ok", locked=CITRIX_NAMES) is not None


@pytest.mark.parametrize(
    ("nevra", "verdict", "screen"),
    both_ways(
        [
            ("tool-1.0-1.src", "build-depends"),
            ("tool-1.0-1.noarch", "build-depends"),
            ("app-1.0-1.noarch", "depends"),
            ("app-user-1.0-1.noarch", "depends"),
            ("app-ok-1.0-1.noarch", "may-depend"),
            ("app-ok-1.0-1.src", "may-depend"),
            ("app-far-1.0-1.noarch", "depends"),
            ("tool-far-1.0-1.src", "build-depends"),
        ],
        missed=[("app-far-1.0-1.noarch", "depends"), ("tool-far-1.0-1.src", "build-depends")],
    ),
)
def test_each_verdict_is_libsolvs(
    found: dict[bool, dict[str, str]], nevra: str, verdict: str, screen: bool
) -> None:
    assert found[screen][nevra] == verdict


def test_what_only_asking_every_package_adds_is_no_gap_when_the_steps_run_out(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `cleanway.STEPS`, the packages the screen chooses and that were not asked are a gap
    (the run says it did not check them); those only a small run asks beyond them are left as a
    larger run leaves them, with no gap: the same gap either way."""

    def unchecked(screen: bool) -> list[int]:
        with pytest.MonkeyPatch.context() as inner:
            screen_only(inner, screen)
            result = audit(repository)
        return [gap.count for gap in result.gaps if gap.kind is GapKind.CLEAN_WAY_UNCHECKED]

    monkeypatch.setattr(cleanway, "STEPS", -1)
    assert unchecked(False) == unchecked(True) != []


@pytest.mark.parametrize("screen", [False, True])
def test_a_run_that_asks_the_screen_s_choice_only_says_so(repository: Path, screen: bool) -> None:
    """Past `askevery.ASK_EVERY`, a may-depend may hide a depends the screen missed: a warning
    says the run asked only the screen's choice; a run that asked every package says nothing."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        screen_only(monkeypatch, screen)
        result = audit(repository)
    said = [warning for warning in result.warnings if "clean-way screen" in warning]
    assert len(said) == screen
    if screen:
        assert "may-depend may need an origin package" in said[0]
