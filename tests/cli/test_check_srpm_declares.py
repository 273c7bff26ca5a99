"""A source RPM checked alone is rebuilt as the spec it carries declares its binaries.

``check foo.src.rpm --against BASE`` took the rebuild's binaries to be BASE's of the name,
re-pointed at the new source package: a Requires the new spec adds on a Citrix package, and a
subpackage it adds, were never seen. The check said "nothing gets worse" (exit 0) where
``check foo.spec`` of the very same spec exits 1: two answers to one change. The binaries are
now read from the spec a rebuild reads (`auditor.sources.rebuildspec`), with the source RPM's
own release (its builder's dist tag) and the tags its header has.

Real packages: rpmbuild builds BASE (binaries and source packages, createrepo_c repositories)
and the change's source RPM; a remote one is served by a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.rpm.model import Dependency, Package
from auditor.sources.rebuildspec import rebuild_of
from auditor.sources.rpmpackage import read_rpm_file
from tests.cli.test_check_dropped_subpackage import APP as DROPPED_APP
from tests.data.build_fixtures import strip_spec_tag
from tests.httpserver import LocalServer

FOO = """\
Name: foo
Version: 1.0
Release: {release}%{{?dist}}
Summary: foo
License: MIT
URL: https://example.org/foo
BuildArch: noarch
AutoReqProv: no
{requires}
%description
f
%package extra
Summary: extra
AutoReqProv: no
%description extra
e
%files
%files extra
{more}"""

HELPER = """\
%package helper
Summary: helper
AutoReqProv: no
Requires: xs-prop
%description helper
h
%files helper
"""

XS_PROP = """\
Name: xs-prop
Version: 1
Release: 1
Summary: x
License: Proprietary
Vendor: Citrix Systems, Inc.
BuildArch: noarch
%description
x
%files
"""

APP = DROPPED_APP.format(needs="foo-extra")

CHANGES = {
    "requires": {"requires": "Requires: xs-prop"},
    "subpackage": {"more": HELPER},
}
"""What the change's spec adds: a Requires of the main package on the Citrix package, or a
subpackage that requires it."""


def rpmbuild(
    directory: Path, spec_text: str, name: str, mode: str = "-ba", *extra: str, **macros: str
) -> None:
    """``rpmbuild mode`` of the spec ``spec_text`` with ``extra`` options and ``macros`` defined (a builder's dist tag,
    its vendor): binaries in ``directory``/repo, source packages in ``directory``/SRPMS."""
    directory.mkdir(parents=True, exist_ok=True)
    spec = directory / f"{name}.spec"
    spec.write_text(spec_text)
    macros = {
        **macros,
        "_topdir": str(directory / "rpmbuild"),
        "_rpmdir": str(directory / "repo"),
        "_srcrpmdir": str(directory / "SRPMS"),
    }
    defines = [item for key, value in macros.items() for item in ("--define", f"{key} {value}")]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(directory), "LC_ALL": "C"}
    command = ["rpmbuild", mode, "--quiet", "--nodeps", *extra, *defines, str(spec)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr


def base(directory: Path, dist: str = "") -> list[str]:
    """BASE: foo 1.0-1 (foo, foo-extra), app (requires foo-extra) and the Citrix xs-prop."""
    rpmbuild(
        directory, FOO.format(release=1, requires="", more=""), "foo", **({"dist": dist} if dist else {})
    )
    rpmbuild(directory, APP, "app")
    rpmbuild(directory, XS_PROP, "xs-prop")
    for made in ("repo", "SRPMS"):
        subprocess.run(["createrepo_c", "--quiet", str(directory / made)], check=True)
    return [str(directory / "repo"), str(directory / "SRPMS")]


def change(directory: Path, *, requires: str = "", more: str = "", dist: str = "") -> tuple[str, str]:
    """The change, foo 1.0-2: its spec file, and the source RPM rpmbuild makes of it."""
    macros = {"dist": dist} if dist else {}
    rpmbuild(directory, FOO.format(release=2, requires=requires, more=more), "foo", "-bs", **macros)
    (srpm,) = (directory / "SRPMS").glob("foo-*.src.rpm")
    return str(directory / "foo.spec"), str(srpm)


def check(*arguments: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["check", *arguments, "--no-cache", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def blocking(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(item["package"], item["rule"], item["text"]) for item in document["regressions"]}


@pytest.mark.parametrize("spec_tag", [True, False], ids=["spec-tag", "payload-spec"])
@pytest.mark.parametrize("added", list(CHANGES))
def test_what_the_new_spec_declares_blocks_as_the_spec_itself_does(
    added: str, spec_tag: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    against = base(tmp_path / "base")
    spec, srpm = change(tmp_path / "new", **CHANGES[added])
    if not spec_tag:
        strip_spec_tag(Path(srpm))  # as rpm < 4.15 made it: the payload's spec only
    spec_code, of_spec = check(spec, "--against", *against, capsys=capsys)
    srpm_code, of_srpm = check(srpm, "--against", *against, capsys=capsys)
    depender = "foo" if added == "requires" else "foo-helper"
    # The new dependency on the Citrix package blocks, checked either way: one answer.
    assert any(package == depender and "xs-prop" in detail for package, _, detail in blocking(of_srpm))
    assert blocking(of_srpm) == blocking(of_spec)
    assert srpm_code == of_srpm["exit_code"] == spec_code == 1
    assert of_srpm["headline"].startswith("this change makes things worse")
    # The rebuilt binary is named with the change's N-V-R, as the spec's is.
    new = {item["nevra"]: item["after"] for item in of_srpm["new"]}
    assert new[f"{depender}-1.0-2.noarch"] == "depends"


def test_a_noarch_source_rpm_is_read_on_the_host_a_spec_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A noarch SRPM names no build host (its ARCH is noarch): read for noarch, ``%{?_isa}``
    expanded to nothing, and the sibling's ``foo-extra(x86-64)``, which rpm writes on x86_64 and
    no noarch package provides, was met; the spec's check found it unresolved. One answer."""
    against = base(tmp_path / "base")
    spec, srpm = change(tmp_path / "new", requires="Requires: foo-extra%{?_isa} = %{version}-%{release}")
    spec_code, of_spec = check(spec, "--against", *against, capsys=capsys)
    srpm_code, of_srpm = check(srpm, "--against", *against, capsys=capsys)
    assert (
        blocking(of_srpm)
        == blocking(of_spec)
        == {("foo", "status:unresolved", "nothing provides foo-extra(x86-64) = 1.0-2 (at run time)")}
    )
    assert srpm_code == spec_code == 1


def test_a_clean_update_checked_as_a_source_rpm_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Built with the builder's dist tag, which the spec reader does not know: the rebuilt
    binaries are 1.0-2.xcpng, and a Requires on the sibling at %{version}-%{release} is met by
    the sibling's rebuild (read as the spec's own release, 1.0-2, it found nothing)."""
    dist = ".xcpng8.3"
    against = base(tmp_path / "base", dist)
    sibling = "Requires: foo-extra = %{version}-%{release}"
    _, srpm = change(tmp_path / "new", requires=sibling, dist=dist)
    code, document = check(srpm, "--against", *against, capsys=capsys)
    assert document["regressions"] == [] and document["worse"] == [] and document["better"] == []
    assert {item["nevra"] for item in document["new"]} == {
        "foo-1.0-2.xcpng8.3.src", "foo-1.0-2.xcpng8.3.noarch", "foo-extra-1.0-2.xcpng8.3.noarch",
    }  # fmt: skip
    assert code == document["exit_code"] == 0


def _dependency(package: Package, name: str) -> Dependency:
    (found,) = [item for item in package.requires if item.name == name]
    return found


def test_the_rebuilt_binaries_carry_the_source_rpms_identity(tmp_path: Path) -> None:
    """Release, SOURCERPM and SOURCEPKGID are the source RPM's; Vendor, which the spec leaves to
    the builder's ``%vendor``, is its header's; a subpackage's own tag is its own."""
    directory = tmp_path / "new"
    more = HELPER.replace(
        "Requires: xs-prop", "Requires: foo = %{version}-%{release}\nURL: https://h.example"
    )
    rpmbuild(
        directory,
        FOO.format(release=2, requires="", more=more),
        "foo",
        "-bs",
        dist=".xcpng8.3",
        vendor="XCP-ng",
    )
    (path,) = (directory / "SRPMS").glob("foo-*.src.rpm")
    source = read_rpm_file(str(path))
    made = rebuild_of(source)
    assert made.gap is None
    binaries = {binary.name: binary for binary in made.binaries}
    assert set(binaries) == {"foo", "foo-extra", "foo-helper"}
    helper = binaries["foo-helper"]
    assert (helper.version, helper.release, helper.arch) == ("1.0", "2.xcpng8.3", "noarch")
    assert helper.sourcerpm == "foo-1.0-2.xcpng8.3.src.rpm"
    assert helper.source_pkgid == (source.source_pkgid or "").split()[0]
    assert str(_dependency(helper, "foo").evr) == "1.0-2.xcpng8.3"
    assert (helper.vendor, helper.url, binaries["foo"].url) == ("XCP-ng", "https://h.example", source.url)
    assert helper.location == source.location and not helper.from_spec


@pytest.fixture
def www(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    root.mkdir()
    return root


def test_a_remote_source_rpm_whose_spec_is_not_read_says_so(
    www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repository's source RPM read over HTTP: its payload is not downloaded, so what its spec
    declares is unseen. The check says so and --strict fails it (BASE's binaries stand in for
    the rebuild's, as before)."""
    against = base(tmp_path / "base")
    _, srpm = change(tmp_path / "new", **CHANGES["requires"])
    shutil.copy(srpm, www)
    subprocess.run(["createrepo_c", "--quiet", str(www)], check=True)
    with LocalServer(www) as server:
        code, document = check(server.url("/"), "--against", *against, capsys=capsys)
        assert code == document["exit_code"] == 0
        assert "spec-unreadable" in document["completeness"]["summary"]
        strict_code, strict = check(server.url("/"), "--against", *against, "--strict", capsys=capsys)
    gaps = [item["text"] for item in strict["regressions"] if item["kind"] == "gap"]
    assert any("the spec a rebuild reads was not read" in text for text in gaps)
    assert strict_code == strict["exit_code"] == 3


def test_a_source_rpm_gone_before_its_spec_is_read_is_a_gap(tmp_path: Path) -> None:
    _, srpm = change(tmp_path / "new")
    source = read_rpm_file(srpm)
    Path(srpm).unlink()
    made = rebuild_of(source)
    assert made.binaries == ()
    assert made.gap is not None and made.gap.kind is GapKind.SPEC_UNREADABLE
    assert srpm in made.gap.detail


GLOBBED = """\
Name: tool
Version: 1.0
Release: {release}
Summary: tool
License: MIT
BuildArch: noarch
AutoReqProv: no
%description
t
%install
mkdir -p %{{buildroot}}/usr/bin
echo x > %{{buildroot}}/usr/bin/tool
%files
%{{_bindir}}/*
"""

NEEDS_THE_PATH = APP.replace("Name: app", "Name: user").replace(
    "Requires: foo-extra", "Requires: /usr/bin/tool"
)


@pytest.mark.parametrize("given", ["spec", "srpm"])
def test_a_file_a_glob_packages_is_still_provided(
    given: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%files`` packages ``%{_bindir}/*``, which only a build expands, and a BASE package
    requires ``/usr/bin/tool`` by path: the spec's binary stood for none of its files, and the
    requirement became ``unresolved``, a blocking fact the change did not cause. BASE's files
    stand in, and a gap says the rebuild's were not seen."""
    directory = tmp_path / "base"
    rpmbuild(directory, GLOBBED.format(release=1), "tool")
    rpmbuild(directory, NEEDS_THE_PATH, "user")
    subprocess.run(["createrepo_c", "--quiet", str(directory / "repo")], check=True)
    subprocess.run(["createrepo_c", "--quiet", str(directory / "SRPMS")], check=True)
    rpmbuild(tmp_path / "new", GLOBBED.format(release=2), "tool", "-bs")
    (srpm,) = (tmp_path / "new" / "SRPMS").glob("*.src.rpm")
    target = str(tmp_path / "new" / "tool.spec") if given == "spec" else str(srpm)
    against = [str(directory / "repo"), str(directory / "SRPMS")]
    code, document = check(target, "--against", *against, capsys=capsys)
    assert document["regressions"] == [] and document["worse"] == []
    assert code == document["exit_code"] == 0
    assert "automatic-provides" in document["completeness"]["summary"]
    stand_in = [fact["text"] for fact in document["facts"] if "/usr/bin/tool" in fact.get("text", "")]
    assert stand_in and "stand in" in stand_in[0]
