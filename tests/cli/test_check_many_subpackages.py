"""`auditor check` of a spec of many subpackages against the repository built from it.

Each BASE file a new subpackage's ``%files`` may package but does not name stands in for it
unless another subpackage of the change may package it (`auditor.audit.standins`). That other
was looked for among every package of the change, for each file of each: a spec of 20,000
subpackages took 268 s, 4,000 whose sections have globs 157 s (scale63). The change's sections
are now indexed by what a path must start with (`auditor.rpm.spec.files.file_anchors`): the report
is the one asking each of them gives, and few are asked."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.audit import standins
from auditor.cli.main import main
from auditor.rpm.spec import files as spec_files
from benchmarks.generators.rpmmd import Fragments, write_repository

COUNT = 140
"""Subpackages, 20 of each kind of ``%files`` section (`_section`)."""


def _section(i: int) -> str:
    """p{i}'s ``%files``: of each kind BASE's files meet differently."""
    return [
        f"/usr/share/p{i}/*\n/usr/lib/libp{i}.so.*\n",  # globs: BASE's files under them stand in
        f"%dir /usr/share/p{i}\n/usr/bin/p{i}\n",  # the directory alone: nothing under it
        f"/usr/share/p{i}\n%exclude /usr/share/p{i}/b\n",  # a directory whole, one file left out
        f"/usr/share/p{i + 1}/a\n/usr/share/{{p{i},q}}/*\n",  # braces, and a neighbour's file
        f"%{{_mystery}}/p{i}\n",  # a macro left as written: any file
        f"/etc/yum.repos.d/*\n/usr/bin/p{i}\n",  # a repository directory many claim
        "/usr/lib/libp*.so.1\n",  # every package's library
    ][i % 7]


def _spec(path: Path) -> Path:
    text = "Name: p0\nVersion: 1\nRelease: 2\nSummary: s\nLicense: MIT\nURL: https://example.org/\nBuildArch: noarch\n"
    text += "%description\nd\n%files\n" + _section(0)
    for i in range(1, COUNT):
        text += f"%package -n p{i}\nSummary: s\n%description -n p{i}\nd\n%files -n p{i}\n{_section(i)}"
    path.write_text(text)
    return path


def _base_package(i: int) -> Fragments:
    name = f"p{i}"
    pkgid = hashlib.sha256(name.encode()).hexdigest()
    paths = [f"/usr/share/{name}/a", f"/usr/share/{name}/b", f"/usr/lib/lib{name}.so.1", f"/usr/bin/{name}"]
    paths += [f"/etc/yum.repos.d/{name}.repo"] if i % 10 == 0 else []
    files = "".join(f"    <file>{path}</file>\n" for path in paths)
    head = f'<package pkgid="{pkgid}" name="{name}" arch="noarch">\n  <version epoch="0" ver="1" rel="1"/>\n'
    primary = (
        f'<package type="rpm">\n  <name>{name}</name>\n  <arch>noarch</arch>\n'
        f'  <version epoch="0" ver="1" rel="1"/>\n  <checksum type="sha256" pkgid="YES">{pkgid}</checksum>\n'
        "  <summary>s</summary>\n  <description>d</description>\n  <packager>p</packager>\n"
        '  <url>https://example.org/</url>\n  <time file="1" build="1"/>\n'
        f'  <size package="1" installed="1" archive="1"/>\n  <location href="{name}-1-1.noarch.rpm"/>\n'
        "  <format>\n    <rpm:license>MIT</rpm:license>\n    <rpm:vendor>v</rpm:vendor>\n"
        "    <rpm:sourcerpm>p0-1-1.src.rpm</rpm:sourcerpm>\n"
        f'    <rpm:provides>\n      <rpm:entry name="{name}"/>\n    </rpm:provides>\n{files}  </format>\n</package>\n'
    )
    return Fragments(
        primary, head + files.replace("    <file>", "  <file>") + "</package>\n", head + "</package>\n"
    )


def _check(spec: Path, base: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code = main(
        ["check", str(spec), "--against", str(base), "--metadata-only", "--no-cache", "--format", "json"]
    )
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err, err
    document: dict[str, Any] = json.loads(out)
    return document


def _stand_ins(document: dict[str, Any]) -> dict[str, str]:
    """Each package's stand-in files as its gap lists them."""
    return {
        fact["package"]: fact["capability"].rpartition(" stand in ")[2]
        for fact in document["facts"]
        if "its %files does not name stand in" in fact["capability"]
    }


def test_the_stand_in_files_of_many_subpackages_are_those_asking_each_other_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(tmp_path / "p.spec")
    base = tmp_path / "base"
    write_repository(str(base), (_base_package(i) for i in range(COUNT)), COUNT)
    asked = 0
    may_package = spec_files.may_package

    def counted(*args: Any) -> bool:
        nonlocal asked
        asked += 1
        return may_package(*args)

    monkeypatch.setattr(spec_files, "may_package", counted)
    indexed = _check(spec, base, capsys)
    asked_indexed, asked = asked, 0

    def every_other(self: Any, path: str, package: Any) -> bool:
        """The reading before the index: each other binary of the change asked."""
        return any(
            counted(path, files, patterns) for other, files, patterns in self.sections if other is not package
        )

    monkeypatch.setattr(standins._Claims, "by_another", every_other)
    assert indexed == _check(spec, base, capsys)
    found = _stand_ins(indexed)
    # globs: BASE's files under them stand in; the library is claimed by every p(7k+6) too
    assert found["p0"] == "(/usr/share/p0/a, /usr/share/p0/b)"
    assert found["p7"] == "(/usr/share/p7/a, /usr/share/p7/b)"
    # a directory whole: its files but the one it excludes, which no other section claims
    assert found["p2"] == "(/usr/share/p2/a)"
    # braces: p3's glob {p3,q}/* packages p3's files
    assert found["p3"] == "(/usr/share/p3/a, /usr/share/p3/b)"
    # p4's section may package anything: p3 names /usr/share/p4/a, every p(7k+6) claims its library
    assert found["p4"] == "(/usr/share/p4/b, /usr/bin/p4)"
    # a %dir alone and the library glob claimed also by p0 (libp0): nothing; the repository files
    # every p(7k+5) claims stand in for none of them
    assert {"p1", "p5", "p6", "p12", "p13"}.isdisjoint(found)
    assert len(found) == 80
    # each stand-in file was asked of the few sections its path meets, not of all 140 (and
    # the index is asked once per file, of the files of each package)
    assert asked_indexed * 10 < asked, (asked_indexed, asked)
    assert asked_indexed < 8 * 5 * COUNT
