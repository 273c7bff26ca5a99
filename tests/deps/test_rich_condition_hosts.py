"""A conditional requirement read on hosts that no installation of its package is: what libsolv
needs there (and the buildroot that takes it) is needed, not may-depend.

`auditor.deps.rich.Evaluation` reads ``(A if B else C)`` on each host, with B or without it,
and a group only some hosts need binds nothing alone. Three kinds of host cannot install the
package, and each hid a group libsolv needs (the red team's rich universes):

- ``mid`` Requires ``(lib4 if libc else (libc if libone else libone))``: without ``libc`` it
  needs ``libc`` (with ``libone``) or ``libone`` (without, which then needs ``libc``): meeting
  that installs the very condition the host lacks, so every installation holds ``libc``
  (Citrix's ``cx-c`` or ``clean-c``, which Conflicts with ``libd``) and ``lib4`` (cond seed 196);
  so does ``missing-mid``'s, whose last ``libone`` is ``(libone or libmissing)``: nothing in the
  run provides ``libmissing``, so that clause too installs ``libone``;
- ``self-mid`` provides ``self`` and Requires ``(libn if libone else (libmissing if self))``: no
  host without ``self`` holds it, and with it the else branch needs what nothing provides, so
  every installation holds ``libone`` and ``libn`` (Citrix's ``cx-n`` or ``clean-n``, which
  Conflicts with ``libd``) (chain seed 84: ``p4``, whose requirement only ``p21``, a blocked
  binary, meets);
- ``o-mid`` Requires ``(libn if libone else (libmissing if libo))``: a host with ``libo`` and
  without ``libone`` cannot meet it, so beside ``o`` every installation holds ``libone`` and
  ``libn``; the packages that make a group needed (`auditor.deps.triggers`) were read on that
  host too, where ``libn`` is not needed, so ``o`` made it needed nowhere.

Each ``user`` needs ``libd`` beside its ``mid``, and so does each ``app``'s buildroot: libsolv
installs none of them without Citrix. Hosts of the first kind are now left out
(`auditor.deps.richhosts.possible`); a condition a package provides is held as one its other
requirements install is (`auditor.deps.resolve`), read on the hosts with it only; and the
triggers are read on the hosts that can meet the requirement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.built import CITRIX, build_repository, libsolv_buildroot, libsolv_installs
from tests.deps.test_category_clean_way_random import scan_facts

PACKAGES: list[dict[str, Any]] = [
    {"name": "d", "provides": ["libd"]},
    {"name": "cx-c", "provides": ["libc"], **CITRIX},
    {"name": "clean-c", "provides": ["libc"], "conflicts": ["libd"]},
    {"name": "four", "provides": ["lib4"]},
    {"name": "one", "provides": ["libone"]},
    {"name": "mid", "requires": ["(lib4 if libc else (libc if libone else libone))"]},
    {"name": "user", "requires": ["mid", "libd"]},
    {"name": "app", "buildrequires": ["mid", "libd"]},
    {"name": "cx-n", "provides": ["libn"], **CITRIX},
    {"name": "clean-n", "provides": ["libn"], "conflicts": ["libd"]},
    {"name": "self-mid", "provides": ["self"], "requires": ["(libn if libone else (libmissing if self))"]},
    {"name": "self-user", "requires": ["self-mid", "libd"]},
    {"name": "self-app", "buildrequires": ["self-mid", "libd"]},
    {"name": "missing-mid", "requires": ["(lib4 if libc else (libc if libone else (libone or libmissing)))"]},
    {"name": "missing-user", "requires": ["missing-mid", "libd"]},
    {"name": "missing-app", "buildrequires": ["missing-mid", "libd"]},
    {"name": "cx-45", "provides": ["lib4x = 1", "lib5x = 2"], **CITRIX},
    {"name": "never", "provides": ["lib5x = 2"], "requires": ["(lib4x >= 2 or (lib4x unless lib5x))"]},
    {"name": "needs-5", "requires": ["lib5x >= 2"]},
    {"name": "o", "provides": ["libo"]},
    {"name": "o-mid", "requires": ["(libn if libone else (libmissing if libo))"]},
    {"name": "o-user", "requires": ["o-mid", "o", "libd"]},
    {"name": "o-app", "buildrequires": ["o-mid", "o", "libd"]},
]
CITRIX_NAMES = ["cx-c", "cx-n", "cx-45"]
Facts = dict[str, set[tuple[str, str | None]]]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("condition-hosts"))


@pytest.fixture(scope="module")
def facts(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Facts:
    return scan_facts(repository, tmp_path_factory.mktemp("report") / "report.json")


@pytest.mark.parametrize("prefix", ["", "missing-", "self-", "o-"])
def test_libsolv_needs_citrix_beside_libd(repository: Path, prefix: str) -> None:
    user, mid = f"{prefix}user-1.0-1.noarch", f"{prefix}mid-1.0-1.noarch"
    assert libsolv_installs(repository, user) is not None
    assert libsolv_installs(repository, user, locked=CITRIX_NAMES) is None
    assert libsolv_installs(repository, mid, locked=CITRIX_NAMES) is not None
    assert libsolv_buildroot(repository, PACKAGES, f"{prefix}app", locked=()) is not None
    assert libsolv_buildroot(repository, PACKAGES, f"{prefix}app", locked=CITRIX_NAMES) is None


@pytest.mark.parametrize(
    "prefix",
    [
        pytest.param("", id="installs-its-condition"),
        pytest.param("missing-", id="installs-its-condition-or-nothing"),
        pytest.param("self-", id="self-provided"),
        pytest.param("o-", id="cannot-meet-it"),
    ],
)
def test_what_every_installation_holds_is_needed(facts: Facts, prefix: str) -> None:
    assert ("depends", "citrix") in facts[f"{prefix}user-1.0-1.noarch"]
    for nevra in (f"{prefix}app-1.0-1.src", f"{prefix}app-1.0-1.noarch"):
        assert ("build-depends", "citrix") in facts[nevra], nevra


def test_a_package_no_host_installs_is_no_way_around(repository: Path, facts: Facts) -> None:
    """``never`` provides ``lib5x`` and Requires ``(lib4x >= 2 or (lib4x unless lib5x))``:
    nothing provides ``lib4x >= 2``, and with its own ``lib5x`` the rest cannot hold, so no host
    installs it, and ``needs-5`` (``lib5x >= 2``: ``never`` or Citrix's ``cx-45``) needs Citrix.
    Left with no host once each was found impossible, the reading kept the one that needs what
    nothing provides, and ``never`` needed nothing (cond seed 248, p13)."""
    assert libsolv_installs(repository, "never-1.0-1.noarch") is None
    assert libsolv_installs(repository, "needs-5-1.0-1.noarch") is not None
    assert libsolv_installs(repository, "needs-5-1.0-1.noarch", locked=CITRIX_NAMES) is None
    assert ("depends", "citrix") in facts["needs-5-1.0-1.noarch"]
