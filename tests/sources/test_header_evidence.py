"""A package file read as evidence for its metadata entry holds the dependencies a full read
holds, refuses what a full read refuses of them, and comes back from the store whole."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from auditor.core.errors import InputError
from auditor.rpm.model import Package
from auditor.sources.evidence import (
    COPIED_DEPENDENCIES,
    CopiedTags,
    HeaderEvidence,
    evidence_from_json,
    evidence_to_json,
)
from auditor.sources.rpmpackage import read_rpm, read_rpm_evidence
from tests.conftest import RPMS

HOSTILE = Path(__file__).parent.parent / "hostile" / "corpus"
FILES = sorted([*RPMS.glob("*.rpm"), *HOSTILE.glob("*.rpm")])


def both(path: Path) -> tuple[Package | str, HeaderEvidence | str]:
    """The full read and the evidence read of ``path``, each its model or its error's reason."""
    full: Package | str
    evidence: HeaderEvidence | str
    try:
        full = read_rpm(str(path), checksum=False)[0]
    except InputError as exc:
        full = exc.reason
    try:
        evidence = read_rpm_evidence(str(path))[0]
    except InputError as exc:
        evidence = exc.reason
    return full, evidence


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_the_evidence_holds_the_dependencies_of_a_full_read(path: Path) -> None:
    full, evidence = both(path)
    if isinstance(evidence, str):
        assert full == evidence  # what the evidence read refuses, a full read refuses alike
        return
    if isinstance(full, str):
        return  # refused for what an evidence read does not look at (a binary's file list)
    assert evidence.dependencies() == {kind: getattr(full, kind) for kind in COPIED_DEPENDENCIES}
    for kind in COPIED_DEPENDENCIES:
        assert evidence.names(kind) == {dependency.name for dependency in getattr(full, kind)}
    assert evidence_from_json(evidence_to_json(evidence)) == evidence


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("epoch-5000-digits.rpm", "an epoch of 5000 digits"),
        ("requireflags-short.rpm", "tag 1049 and its flags/versions differ in length"),
    ],
)
def test_a_copied_dependency_tag_a_full_read_refuses_is_refused(name: str, reason: str) -> None:
    full, evidence = both(HOSTILE / name)
    assert isinstance(full, str) and reason in full
    assert evidence == full


def test_an_empty_dependency_name_is_kept() -> None:
    """One empty name joins to the empty text, which is not the absent tag."""
    tags = CopiedTags("", (0,), None)
    assert tags.name_list() == [""]
    assert CopiedTags(None, (), None).name_list() == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.pop("copied"),
        lambda data: data.update(copied=data["copied"][:3]),
        lambda data: data["copied"][0].__setitem__(1, ["0"]),
        lambda data: data["copied"][0].__setitem__(1, [0, 0, 0, 0, 0, 0, 0, 0, 0]),
        lambda data: data["copied"][0].__setitem__(0, 7),
        lambda data: data["package"].update(name=3),
    ],
    ids=["no copied", "three kinds", "a flag as text", "flags of other length", "names a number", "package"],
)
def test_a_damaged_stored_evidence_is_refused(damage: object) -> None:
    evidence = read_rpm_evidence(str(next(path for path in FILES if path.parent == RPMS)))[0]
    data = evidence_to_json(evidence)
    if data["copied"][0][0] is None:  # the damage needs a requirement to change
        data["copied"][0] = ["a\0b", [0, 0], "\0"]
    damage(data)  # type: ignore[operator]
    with pytest.raises((KeyError, TypeError, ValueError)):
        evidence_from_json(data)


def test_a_legacy_binary_header_provides_itself_as_rpm_retrofits_it(tmp_path: Path) -> None:
    """rpm adds NAME = EVR to the Provides of a binary header without the immutable region
    (rpm 3's) when it reads it, so rpm -qp and createrepo_c's metadata have it: both reads have
    it too, or a clean repository of such a package disagreed with its metadata."""
    from tests.differential import mutations as m

    unknown = iter(range(6001, 6020))
    gone = [1047, 1112, 1113]  # PROVIDENAME, PROVIDEFLAGS, PROVIDEVERSION
    without_provides = (m.rename("main", tag, next(unknown)) for tag in gone)
    case = m.Case("legacy-provides", m.Oracle.STRUCTURE, m.BINARY, None,
                  change=m.both(*without_provides, m.without_region))  # fmt: skip
    path = case.build(tmp_path)
    shown = subprocess.run(
        ["rpm", "-qp", "--nodigest", "--nosignature", "--qf", "[%{PROVIDENAME} %{PROVIDEFLAGS} %{PROVIDEVERSION}\n]",
         str(path)], capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert shown == ["three-requires 8 1.0-1"]
    package = read_rpm(str(path), checksum=False)[0]
    evidence = read_rpm_evidence(str(path))[0]
    assert [str(dependency) for dependency in package.provides] == ["three-requires = 1.0-1"]
    assert evidence.dependencies()["provides"] == package.provides
