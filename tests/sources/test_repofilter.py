"""exclude and includepkgs matched as dnf matches them, at a cost bounded by what the
configuration holds: a name written out is looked up, only a glob is matched against every
package. The reference is ``fnmatch.fnmatchcase`` over each NEVRA form, first form first, on
the packages of the createrepo_c fixture repository."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

from auditor.rpm.model import Package, PackageKind
from auditor.sources import repofilter
from auditor.sources.repodata import read_repository
from auditor.sources.repofilter import PackageFilter

REPO = Path(__file__).parent.parent / "data" / "repo"


@pytest.fixture(scope="module")
def binaries() -> list[Package]:
    packages = read_repository(str(REPO)).packages
    return [package for package in packages if package.kind is not PackageKind.SOURCE]


def reference(pattern: str, packages: list[Package]) -> set[str]:
    """The NEVRAs ``pattern`` names under the first form that names any, by fnmatchcase."""
    for form in repofilter._FORMS:
        found = {p.nevra for p in packages if any(fnmatch.fnmatchcase(text, pattern) for text in form(p))}
        if found:
            return found
    return set()


def texts(packages: list[Package]) -> list[str]:
    return sorted({text for form in repofilter._FORMS for p in packages for text in form(p)})


def test_each_pattern_names_what_fnmatch_names(binaries: list[Package]) -> None:
    odd = ["a\\b", "x]", "]", "foo-1", "*.noarch", "[!a]*", "epochs-3:*", "[", "?"]
    for pattern in [*texts(binaries), *odd, *(text[:-1] + "*" for text in texts(binaries))]:
        _kept, hidden = PackageFilter(excludes=(pattern,)).apply(binaries)
        assert {p.nevra for p in hidden} == reference(pattern, binaries), pattern


def test_names_written_out_are_looked_up_not_matched(
    binaries: list[Package], monkeypatch: pytest.MonkeyPatch
) -> None:
    """10,000 names cost no glob match (each cost a pass over every package's forms: 1,000
    took 70 s on a 60,000-package repository); one glob among them costs one."""
    translated: list[str] = []
    real = fnmatch.translate
    # Before the count: the reference matches with fnmatch, whose cache of translated patterns
    # holds this one or not as the tests this process ran before it did.
    expected = reference(binaries[0].name, binaries)

    def counted(pattern: str) -> str:
        translated.append(pattern)
        return real(pattern)

    monkeypatch.setattr(fnmatch, "translate", counted)
    names = tuple(f"absent-{i}" for i in range(10_000))
    _kept, hidden = PackageFilter(excludes=(*names, binaries[0].name, "*.nothing")).apply(binaries)
    assert translated == ["*.nothing"]
    assert {p.nevra for p in hidden} == expected


def test_globs_past_the_work_bound_are_refused() -> None:
    rules = PackageFilter(excludes=("a*",) * 10, includes=("b?", "plain"))
    assert rules.refused(repofilter.MAX_GLOB_WORK // 11) is None
    assert "11 glob patterns" in (rules.refused(repofilter.MAX_GLOB_WORK // 11 + 1) or "")
    assert "longer than" in (PackageFilter(excludes=("x" * 2000 + "*",)).refused(1) or "")
    assert PackageFilter(excludes=("x" * 100_000,)).refused(10**6) is None  # a name, however long


def test_a_warning_quotes_five_patterns_of_each_option_at_most() -> None:
    """Red team 18: a 1 MB exclude list made a 1 MB warning line."""
    from auditor.sources.repofilter import PackageFilter

    many = tuple(f"name{n}" for n in range(10_000))
    said = PackageFilter(excludes=many, includes=("a", "b")).describe()
    assert said == "exclude=name0,name1,name2,name3,name4 (and 9995 more) includepkgs=a,b"
