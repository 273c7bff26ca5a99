"""``auditor check`` against two scans on random rpm-md universes (not a pytest module: a hunting
tool, as `tests.deps.rpmmd_hunt`, whose universes it changes).

usage: python -m tests.deps.rpmmd_check_hunt SHAPE LO HI

Each seed takes the universe of `tests.deps.rpmmd_hunt.universe` as BASE and changes one of its
packages into NEW (a version 9-1 that gains or loses a requirement or a provide, or becomes or
stops being Citrix's). AFTER is BASE with NEW in place of the packages it replaces (its name and
architecture, or any architecture where either is noarch), as the README's contributor check
reads a change. ``check NEW --against BASE`` must list as new blocking facts exactly the
blocking facts of ``scan AFTER`` that ``scan BASE`` lacks (by package, kind and capability),
beside those it marks as reaching an origin package they did not reach (``reaches_more``, which
one scan cannot tell), and exit 1 exactly when there is one. On 2026-12-05, seeds 0-149 of
``plain``, ``ver``, ``pkg``, ``obs``, ``cat``, ``rich``, ``mix``, ``archmix`` and ``el7`` all agreed.
A taint whose nearest origin package NEW rebuilt clean, named now by another it reached in BASE,
is the same fact, not a new one (`_renamed`, the README's reading since readme59), but never
here since red team 59: every input is read --metadata-only, a gap of the run, and an origin
package not all seen is not cured (tests/gate/test_nearest_origin_fixed.py pairs them).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from contextlib import redirect_stderr
from io import StringIO
from pathlib import Path
from typing import Any

from auditor.cli.main import main as auditor
from auditor.gate.superseded import hides_origin
from tests.deps.built import CITRIX
from tests.deps.rpmmd_hunt import Universe, universe, write_repository

Fact = tuple[str, str, str]


def changed(rng: random.Random, packages: Universe) -> dict[str, Any]:
    """A new version of one of ``packages``, changed one way."""
    new = {
        key: list(value) if isinstance(value, list) else value for key, value in rng.choice(packages).items()
    }
    new["evr"] = "9-1"
    capabilities = sorted({provide.split()[0] for package in packages for provide in package["provides"]})
    draw = rng.random()
    if draw < 0.4 and capabilities:
        new["requires"].append(rng.choice(capabilities))
    elif draw < 0.6 and new["requires"]:
        new["requires"].pop(rng.randrange(len(new["requires"])))
    elif draw < 0.75:
        new.update(CITRIX)
    elif draw < 0.9 and new["provides"]:
        new["provides"].pop(rng.randrange(len(new["provides"])))
    else:
        new.pop("vendor", None)
    return new


def _report(arguments: list[str], out: Path) -> dict[str, Any]:
    with redirect_stderr(StringIO()):
        code = auditor(
            [*arguments, "--metadata-only", "--no-cache", "--format", "json", "-q", "-o", str(out)]
        )
    report: dict[str, Any] = json.loads(out.read_text())
    report["exit"] = code
    return report


def _blocking(report: dict[str, Any]) -> set[Fact]:
    return {
        (package["name"], fact["kind"], fact["capability"])
        for package in report["packages"]
        for fact in package["facts"]
        if fact["blocks"]
    }


def _renamed(base: dict[str, Any], after: dict[str, Any]) -> set[Fact]:
    """The taints of ``after`` that are a taint ``base`` had, named now by another origin package:
    of the same package, kind and category, reaching only what that one reached (recorded with its
    end), the origin package it ended at audited in ``after``, none of its packages origin, none
    read but not audited, and its evidence all seen (the README's reading of a fixed nearest
    origin package, `auditor.gate.superseded.renamed_by_reach`): not a package with a gap (its
    source package not given), and none when ``after`` has a gap of the run (an input read
    --metadata-only, as every one here is, so that the hunts pair nothing): an origin package
    not seen is not cured (red team 59), but for the gaps that hide no origin evidence
    (`hides_origin`)."""
    if after["completeness"]["gaps"]:
        return set()
    names = {package["name"] for package in after["packages"]}
    unseen = {
        package["name"]
        for package in after["packages"]
        for fact in package["facts"]
        if hides_origin(fact["kind"], fact["rule"])
    }
    still_origin = {package["name"] for package in after["packages"] if "origin" in package["statuses"]}
    # And an origin package of that name read but not audited (the context), still there.
    still_origin |= {item["nevra"].rsplit("-", 2)[0] for item in after.get("unaudited_origins", ())}
    cured = names - still_origin - unseen
    earlier: dict[tuple[str, str, str], list[tuple[str, frozenset[str]]]] = {}
    for package in base["packages"]:
        for fact in package["facts"]:
            if fact.get("ends_at") in cured and fact.get("reaches") is not None:
                key = (package["name"], fact["kind"], fact["capability"].partition(":")[0])
                earlier.setdefault(key, []).append((fact["ends_at"], frozenset(fact["reaches"])))
    found: set[Fact] = set()
    for package in after["packages"]:
        for fact in package["facts"]:
            reaches = fact.get("reaches")
            if reaches is None or fact.get("ends_at") not in reaches:
                continue
            key = (package["name"], fact["kind"], fact["capability"].partition(":")[0])
            if any(end in reached and set(reaches) <= reached for end, reached in earlier.get(key, ())):
                found.add((package["name"], fact["kind"], fact["capability"]))
    return found


def disagreements(shape: str, seed: int, work: Path) -> list[str]:
    base = universe(shape, seed)
    new = changed(random.Random(f"check-{shape}-{seed}"), base)

    def replaced(package: dict[str, Any]) -> bool:
        arches = (package["arch"], new["arch"])
        return package["name"] == new["name"] and (arches[0] == arches[1] or "noarch" in arches)

    after = [package for package in base if not replaced(package)] + [new]
    for name, packages in (("base", base), ("new", [new]), ("after", after)):
        source = [{**one, "sourcerpm": f"{one['name']}-{one['evr']}.src.rpm"} for one in packages]
        write_repository(work / name, source)
    checked = _report(["check", str(work / "new"), "--against", str(work / "base")], work / "check.json")
    after_report = _report(["scan", str(work / "after")], work / "after.json")
    base_report = _report(["scan", str(work / "base")], work / "base.json")
    expected = _blocking(after_report) - _blocking(base_report) - _renamed(base_report, after_report)
    regressions = [
        fact for fact in checked["regressions"] if fact["blocks_after"] and not fact["blocked_before"]
    ]
    said = {
        (fact["package"], fact["kind"], fact["capability"])
        for fact in regressions
        if not fact["reaches_more"]
    }
    found = []
    if expected != said:
        found.append(
            f"facts: the scans' only {sorted(expected - said)}, check's only {sorted(said - expected)}"
        )
    if checked["exit"] != (1 if regressions else 0) or (bool(expected) and checked["exit"] != 1):
        found.append(
            f"exit {checked['exit']}: {len(regressions)} new blocking facts, {len(expected)} by the scans"
        )
    return [f"{line} (changed {new['name']})" for line in found]


def main(arguments: list[str]) -> None:
    shape, low, high = arguments[0], int(arguments[1]), int(arguments[2])
    count = 0
    for seed in range(low, high):
        with tempfile.TemporaryDirectory() as work:
            for line in disagreements(shape, seed, Path(work)):
                count += 1
                print(f"{shape} {seed}: {line}", flush=True)
    print(shape, low, high, "disagreements:", count)


if __name__ == "__main__":
    main(sys.argv[1:])
