"""False cleans `tests.deps.rich_universe`'s random universes found against libsolv (rt-rich).

A rich requirement under a condition (``if``, ``unless``) is read host by host
(`auditor.deps.rich.Evaluation.clauses`), and the clean-way search (`auditor.deps.cleanway`)
and the sure needs (`auditor.deps.sureneeds`) took none of its groups as binding: a condition
may not hold. Yet a group every host needs binds whatever the condition does.

- ``app-either`` Requires ``(lib if lib >= 2 else lib < 2)`` and ``libc``. ``only-lib``
  provides ``lib`` unversioned, which meets both sides; the Citrix ``cx`` provides ``lib = 2``
  and ``libc``; ``clean-c`` provides ``libc`` and ``marker``, and ``only-lib`` Conflicts with
  ``marker``. Every host needs ``cx`` or ``only-lib`` (the ``else`` side needs ``only-lib``
  alone, inside that), so without ``cx`` it takes ``only-lib``, which rules out ``clean-c``:
  libsolv installs ``app-either`` only with ``cx``. The auditor said ``may-depend``; a clause
  each host needs, or needs one inside of, now binds (`Requirement.every_host`; seed 106).
- A condition the package's own requirements hold. ``app-held`` Requires ``libd >= 2`` (only
  ``d2``, which Requires ``libe``: ``clean-e`` or the Citrix ``cx-e``) and ``(libf if libd >= 2)``:
  every installation has ``libd >= 2``, so it needs ``libf``, whose one provider ``f-marked``
  provides ``mark``, which ``clean-e`` Conflicts with. libsolv installs it only with ``cx-e``
  (seed 74). The auditor read ``(libf if libd >= 2)`` on a host without ``libd >= 2`` too:
  ``may-depend``; and ``src-held``, whose BuildRequires they are, clean (seed 152). A condition
  that every way of meeting another requirement of the package installs is now held
  (`auditor.deps.resolve.Resolver._with_held_conditions`).
- A condition a package of the installation holds. ``app-above`` Requires ``libd >= 2`` and
  ``mid-held``, which Requires ``(libf if libd >= 2)``: ``mid-held`` alone needs no ``libf``, but
  with ``app-above`` it does (seed 82). ``src-below`` BuildRequires ``libm`` and ``(libf if
  cond-g)``: ``libm``'s one clean provider ``m-clean`` Requires ``cond-g``, so a clean buildroot
  holds ``g`` and needs ``libf``, whose one provider ``f-bad`` Conflicts with ``m-clean``: libsolv
  finds a buildroot only with the Citrix ``cx-m``. The auditor said clean (seed 275; ``app-below``,
  the same as Requires, ``may-depend``). A host-only group now has the packages whose presence
  makes it needed (`auditor.deps.triggers`), and the clean-way search takes it once it holds one.
- ``app-forced`` Requires ``(libk if cond-h else nolib)``, and nothing provides ``nolib``: a
  host without ``cond-h`` cannot install it, so libsolv installs ``h`` (``cond-h``) with it,
  then ``libk`` from the Citrix ``cx-k``, as ``clean-k`` Conflicts with ``h``'s ``hmark``.
  The auditor read the host without ``cond-h`` as needing nothing (a capability nothing in
  the run provides is left out of a met requirement's groups) and did not need ``h``:
  ``may-depend``, and ``src-forced``, whose BuildRequires it is, clean. A host on which a
  met requirement's clause names no package is now left out, and a condition every other
  host has is needed (`Evaluation.requirement`; seeds 94 and 106).
- ``app-nocond`` Requires ``(libz if nocond else liby)`` and ``libm``; nothing provides
  ``nocond``, so the requirement is ``liby`` (``y``, which ``clean-m`` Conflicts with), read
  exactly, yet its group did not bind for the ``if`` written in it: ``may-depend`` where
  libsolv installs it only with the Citrix ``cx-m`` (seed 112).
- ``app-switch`` Requires ``mid-s``, which Requires ``(libxs if condn else libys)``: without
  ``condn`` (only the Citrix ``cx-n``) it needs ``y-s``, which Conflicts with ``app-switch``,
  so libsolv installs ``cx-n`` to take the other side. ``(a if b else c)`` needs b or c on
  every installation, and the auditor never read the condition as something installed
  for the package: clean. A condition B now gives, for each clause every host without B
  needs, that clause or B (seed 156).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.deps import richhosts
from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, verdicts
from tests.deps.rich_universe import RichInstalls

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx", "provides": ["lib = 2", "libc"], **CITRIX},
    {"name": "only-lib", "provides": ["lib"], "conflicts": ["marker"]},
    {"name": "clean-c", "provides": ["libc", "marker = 1"]},
    {"name": "app-either", "requires": ["(lib if lib >= 2 else lib < 2)", "libc"]},
    # The condition held by the package's own requirement.
    {"name": "cx-e", "provides": ["libe"], **CITRIX},
    {"name": "clean-e", "provides": ["libe"], "conflicts": ["mark"]},
    {"name": "d2", "provides": ["libd = 2"], "requires": ["libe"]},
    {"name": "f-marked", "provides": ["libf", "mark"]},
    {"name": "app-held", "requires": ["libd >= 2", "(libf if libd >= 2)"]},
    {"name": "src-held", "buildrequires": ["libd >= 2", "(libf if libd >= 2)"]},
    {"name": "mid-held", "requires": ["(libf if libd >= 2)"]},
    {"name": "app-above", "requires": ["libd >= 2", "mid-held"]},
    # The condition held by the one clean provider of another requirement.
    {"name": "cx-m2", "provides": ["libm2"], **CITRIX},
    {"name": "m-clean", "provides": ["libm2"], "requires": ["cond-g"]},
    {"name": "g", "provides": ["cond-g"]},
    {"name": "f-bad", "provides": ["libf2"], "conflicts": ["m-clean"]},
    {"name": "src-below", "buildrequires": ["libm2", "(libf2 if cond-g)"]},
    {"name": "app-below", "requires": ["libm2", "(libf2 if cond-g)"]},
    # The condition forced: the else side is one nothing provides.
    {"name": "cx-k", "provides": ["libk"], **CITRIX},
    {"name": "clean-k", "provides": ["libk"], "conflicts": ["hmark"]},
    {"name": "h", "provides": ["cond-h", "hmark"]},
    {"name": "app-forced", "requires": ["(libk if cond-h else nolib)"]},
    {"name": "src-forced", "buildrequires": ["(libk if cond-h else nolib)"]},
    # A condition nothing provides: the else side is the requirement.
    {"name": "cx-m", "provides": ["libm"], **CITRIX},
    {"name": "clean-m", "provides": ["libm"], "conflicts": ["ymark"]},
    {"name": "y", "provides": ["liby", "ymark"]},
    {"name": "app-nocond", "requires": ["(libz if nocond else liby)", "libm"]},
    # The Citrix package is the condition that spares the else side.
    {"name": "cx-n", "provides": ["condn"], **CITRIX},
    {"name": "y-s", "provides": ["libys"], "conflicts": ["app-switch"]},
    {"name": "mid-s", "requires": ["(libxs if condn else libys)"]},
    {"name": "app-switch", "provides": ["libxs"], "requires": ["mid-s"]},
]


@pytest.mark.parametrize(
    ("package", "locked"),
    [
        ("app-either", "cx"),
        ("app-forced", "cx-k"),
        ("app-nocond", "cx-m"),
        ("app-switch", "cx-n"),
        ("app-held", "cx-e"),
        ("app-above", "cx-e"),
        ("app-below", "cx-m2"),
    ],
)
def test_a_conditional_group_every_installation_needs_binds(
    tmp_path: Path, package: str, locked: str
) -> None:
    repository = build_repository(PACKAGES, tmp_path)
    nevra = f"{package}-1.0-1.noarch"
    assert libsolv_installs(repository, nevra) is not None
    assert libsolv_installs(repository, nevra, locked=[locked]) is None
    assert verdicts(audit(repository))[nevra] == "depends"


def test_a_condition_the_else_side_forces_is_a_build_need(tmp_path: Path) -> None:
    repository = build_repository(PACKAGES, tmp_path)
    (requirement,) = next(package for package in PACKAGES if package["name"] == "src-forced")["buildrequires"]
    roots = RichInstalls(repository)
    assert roots.installs((), capabilities=[requirement])
    assert not roots.installs({"cx-k"}, capabilities=[requirement])
    found = verdicts(audit(repository))
    assert found["src-forced-1.0-1.src"] == "build-depends", found


@pytest.mark.parametrize(("source", "locked"), [("src-held", "cx-e"), ("src-below", "cx-m2")])
def test_a_condition_every_clean_buildroot_holds_is_a_build_need(
    tmp_path: Path, source: str, locked: str
) -> None:
    """``src-held``'s BuildRequires ``libd >= 2`` holds the condition of its ``(libf if libd >= 2)``:
    every buildroot has ``f-marked``, so ``clean-e`` is out, and ``d2`` needs the Citrix ``cx-e``.
    ``src-below``: the one clean provider of ``libm2`` brings ``cond-g``, so ``(libf2 if cond-g)``
    needs ``f-bad``, which Conflicts with it: no clean buildroot."""
    repository = build_repository(PACKAGES, tmp_path)
    requirements = next(package for package in PACKAGES if package["name"] == source)["buildrequires"]
    roots = RichInstalls(repository)
    assert roots.installs((), capabilities=requirements)
    assert not roots.installs({locked}, capabilities=requirements)
    assert verdicts(audit(repository))[f"{source}-1.0-1.src"] == "build-depends"


def test_past_the_trigger_bound_a_host_only_group_is_not_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`auditor.deps.triggers.MAX_TRIGGER_WORK`, as the README's table of bounds says: past it
    no package triggers a requirement's host-only groups, and the search reads them as it did
    before triggers (``src-below`` may-depend again, its buildroot taking ``cx-m2`` or not, as
    ``app-below`` is)."""
    from auditor.deps import triggers

    monkeypatch.setattr(triggers, "MAX_TRIGGER_WORK", 0)
    found = verdicts(audit(build_repository(PACKAGES, tmp_path)))
    assert (found["src-below-1.0-1.src"], found["app-below-1.0-1.noarch"]) == ("may-depend", "may-depend")


def test_past_the_bound_only_what_every_host_needs_as_written_binds(monkeypatch: pytest.MonkeyPatch) -> None:
    """`richhosts.MAX_SUBSETS`: a clause one host needs as written and another needs one inside of
    (``{1}`` is inside ``{1, 2}``: ``(c if c >= 2 else c < 2)``) is needed on every host; with
    no comparison of clauses allowed, only a clause every host needs as written is, which
    binds less and so can never make a package cleaner than the host-by-host reading."""
    one, one_or_two, three = (
        frozenset[richhosts.Atom]({1}),
        frozenset[richhosts.Atom]({1, 2}),
        frozenset[richhosts.Atom]({3}),
    )
    needed = [one_or_two, three]
    hosts = [[one, three], [one_or_two, three]]
    assert richhosts.on_every_host(needed, hosts) == needed
    monkeypatch.setattr(richhosts, "MAX_SUBSETS", 0)
    assert richhosts.on_every_host(needed, hosts) == [three]
