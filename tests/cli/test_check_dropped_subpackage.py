"""A source RPM checked alone whose spec no longer builds a subpackage of BASE.

``check`` took the rebuild of a source RPM given alone to make every binary BASE built from the
previous one of its name: BASE's foo-citrix, whose ``%package citrix`` the change's foo spec
dropped, was kept, re-pointed at the clean foo, and app, which Requires it, stayed resolved:
the check said nothing gets worse (exit 0). After the rebuild foo-citrix no longer exists, and
dnf finds nothing for app's requirement. The source package's spec says what it builds
(`auditor.rpm.model.Package.builds`); when the reading cannot be sure, every binary of its name
is still assumed rebuilt.

Real packages: rpmbuild builds BASE (its binaries and source packages, each a createrepo_c
repository) and the change's source RPM.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.data.build_fixtures import strip_spec_tag

CITRIX_SUBPACKAGE = """\
%package {header}
Summary: the Citrix part
Vendor: Citrix Systems, Inc.
%description {header}
c
%files {header}
"""

FOO = """\
Name: foo
Version: 1.0
Release: {release}
Summary: foo
License: MIT
URL: https://example.org/foo
BuildArch: noarch
AutoReqProv: no
%description
f
%package extra
Summary: extra
%description extra
e
%files
%files extra
{citrix}"""

APP = """\
Name: app
Version: 1.0
Release: 1
Summary: app
License: MIT
BuildArch: noarch
AutoReqProv: no
Requires: {needs}
%description
a
%files
"""

HEADERS = {"suffix": ("citrix", "foo-citrix"), "-n": ("-n xs-citrix-tools", "xs-citrix-tools")}
"""``%package`` header -> (its argument, the binary it names)."""


def rpmbuild(directory: Path, spec_text: str, name: str, mode: str = "-ba") -> None:
    """``rpmbuild mode`` of the spec ``spec_text``, binaries in ``directory``/repo, source
    packages in ``directory``/SRPMS."""
    directory.mkdir(parents=True, exist_ok=True)
    spec = directory / f"{name}.spec"
    spec.write_text(spec_text)
    places = {
        "_topdir": directory / "rpmbuild",
        "_rpmdir": directory / "repo",
        "_srcrpmdir": directory / "SRPMS",
    }
    defines = [item for key, value in places.items() for item in ("--define", f"{key} {value}")]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(directory), "LC_ALL": "C"}
    command = ["rpmbuild", *mode.split(), "--quiet", "--nodeps", *defines, str(spec)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr


def base(directory: Path, header: str, more: str = "") -> list[str]:
    """BASE: foo.src builds foo, foo-extra and a Citrix subpackage (``%package header``), and
    the subpackages ``more`` declares, and app Requires the Citrix one; its binaries and its
    source packages, two repositories."""
    argument, needed = HEADERS[header]
    rpmbuild(directory, FOO.format(release=1, citrix=CITRIX_SUBPACKAGE.format(header=argument) + more), "foo")
    rpmbuild(directory, APP.format(needs=needed), "app")
    for made in ("repo", "SRPMS"):
        subprocess.run(["createrepo_c", "--quiet", str(directory / made)], check=True)
    return [str(directory / "repo"), str(directory / "SRPMS")]


def change(directory: Path, citrix: str = "", *, spec_tag: bool = True) -> str:
    """The change: foo 1.0-2, a source RPM alone, its spec's last lines ``citrix`` (none: it no
    longer builds the Citrix subpackage); ``spec_tag`` False, as rpm < 4.15 made it."""
    rpmbuild(directory, FOO.format(release=2, citrix=citrix), "foo", "-bs")
    (srpm,) = (directory / "SRPMS").glob("foo-*.src.rpm")
    if not spec_tag:
        strip_spec_tag(srpm)
    return str(srpm)


def check(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str, str]:
    """The exit code, the JSON report, the table and the Markdown of one check."""
    outputs: list[str] = []
    code = 0
    for fmt in ("json", "table", "markdown"):
        code = main(["check", *arguments, "--format", fmt])
        outputs.append(capsys.readouterr().out)
    return code, json.loads(outputs[0]), outputs[1], outputs[2]


def unresolved(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (item["package"], item["capability"])
        for item in document["regressions"]
        if item["kind"] == "unresolved"
    ]


@pytest.mark.parametrize("spec_tag", [True, False], ids=["spec-tag", "payload-spec"])
@pytest.mark.parametrize("header", list(HEADERS))
def test_a_subpackage_the_new_spec_drops_is_gone_and_what_needs_it_is_unresolved(
    header: str, spec_tag: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    against = base(tmp_path / "base", header)
    srpm = change(tmp_path / "new", spec_tag=spec_tag)
    code, document, table, markdown = check([srpm, "--against", *against, "--no-cache"], capsys)
    gone = HEADERS[header][1]
    assert document["no_longer_built"] == [
        {"nevra": f"{gone}-1.0-1.noarch", "before": "origin", "source": "foo-1.0-2.src"}
    ]
    # app's requirement finds nothing once the repository is rebuilt: a new blocking fact.
    assert unresolved(document) == [("app", gone)]
    assert document["headline"].startswith("this change makes things worse")
    assert code == document["exit_code"] == 1
    # foo and foo-extra are rebuilt from the change, not gone.
    assert not any(name in json.dumps(document["no_longer_built"]) for name in ("foo-1.0-1", "foo-extra"))
    # Every format names the binary the change stops building, with the one verdict.
    for text in (table, markdown):
        assert "no longer builds" in text and f"{gone}-1.0-1.noarch" in text
        assert "exit code 1" in text


def test_a_spec_that_builds_every_base_binary_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Citrix subpackage still built (from the same spec lines): nothing is gone, nothing is
    unresolved, and app's dependency on the Citrix package is BASE's already."""
    against = base(tmp_path / "base", "suffix")
    srpm = change(tmp_path / "new", CITRIX_SUBPACKAGE.format(header="citrix"))
    code, document, table, _ = check([srpm, "--against", *against, "--no-cache"], capsys)
    assert document["no_longer_built"] == [] and unresolved(document) == []
    assert document["regressions"] == []
    # Each binary of foo is rebuilt from the change, which gives its Citrix Vendor again: the
    # same facts, nothing worse (each was worse, by a source-not-audited gap, while the rebuilt
    # binaries kept BASE's SOURCEPKGID).
    assert document["worse"] == []
    assert "no longer builds" not in table
    assert code == document["exit_code"] == 0


@pytest.mark.parametrize("spec_tag", [True, False], ids=["built-without-xenserver", "payload-spec"])
def test_a_subpackage_under_a_conditional_a_rebuild_may_take_is_kept(
    spec_tag: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%if 0%{?xenserver}`` around ``%package citrix``: the builder (no xenserver macro) left
    it out of the SPEC tag, but a rebuild on a XenServer host builds it, and a spec read from
    the payload cannot decide it. Nothing is dropped: BASE's foo-citrix is rebuilt from the
    change, as before."""
    against = base(tmp_path / "base", "suffix")
    conditional = "%if 0%{?xenserver}\n" + CITRIX_SUBPACKAGE.format(header="citrix") + "%endif\n"
    srpm = change(tmp_path / "new", conditional, spec_tag=spec_tag)
    code, document, _, _ = check([srpm, "--against", *against, "--no-cache"], capsys)
    assert document["no_longer_built"] == [] and unresolved(document) == []
    assert code == document["exit_code"]
    assert code in (0, 1) and document["regressions"] == [
        item for item in document["regressions"] if item["kind"] == "gap"
    ]


def test_what_the_spec_builds_is_kept_in_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second run reads the change's source package from the cache: the same report, the
    dropped subpackage still gone (a model read back without its builds kept it)."""
    against = base(tmp_path / "base", "suffix")
    srpm = change(tmp_path / "new")
    arguments = [srpm, "--against", *against, "--cache-dir", str(tmp_path / "cache"), "--format", "json"]
    first = main(["check", *arguments])
    cold = capsys.readouterr().out
    second = main(["check", *arguments])
    warm = capsys.readouterr().out
    assert first == second == 1
    assert json.loads(warm) == json.loads(cold)
    assert json.loads(warm)["no_longer_built"][0]["nevra"] == "foo-citrix-1.0-1.noarch"


def test_a_debuginfo_package_rpmbuild_adds_of_itself_is_never_taken_for_one_no_longer_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpmbuild makes foo-debuginfo with no ``%files debuginfo`` of the spec's (find-debuginfo):
    the spec's packages miss it, and it stays, rebuilt; the Citrix subpackage is gone."""
    debuginfo = "%package debuginfo\nSummary: d\n%description debuginfo\nd\n%files debuginfo\n"
    against = base(tmp_path / "base", "suffix", debuginfo)
    srpm = change(tmp_path / "new")
    code, document, _, _ = check([srpm, "--against", *against, "--no-cache"], capsys)
    assert [item["nevra"] for item in document["no_longer_built"]] == ["foo-citrix-1.0-1.noarch"]
    assert code == document["exit_code"] == 1


@pytest.mark.parametrize("spec_tag", [True, False], ids=["spec-tag", "payload-spec"])
def test_arch_binaries_rebuilt_from_a_source_rpm_checked_alone_are_its_build(
    spec_tag: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE's foo.x86_64 and foo-extra.x86_64, rebuilt from the change's foo SRPM, carry its MD5
    as their SOURCEPKGID, as the rebuild's binaries will. They kept BASE's, named another build
    of the change's source package, not in the run: a source-not-audited gap on each, a clean
    update "worse" and exit 3 under --strict (exit 1 without it) for every arch-specific
    package a contributor checked as a source RPM."""
    arch_foo = FOO.replace("BuildArch: noarch\n", "")
    rpmbuild(tmp_path / "base", arch_foo.format(release=1, citrix=""), "foo")
    for made in ("repo", "SRPMS"):
        subprocess.run(["createrepo_c", "--quiet", str(tmp_path / "base" / made)], check=True)
    rpmbuild(tmp_path / "new", arch_foo.format(release=2, citrix=""), "foo", "-bs")
    (srpm,) = (tmp_path / "new" / "SRPMS").glob("foo-*.src.rpm")
    if not spec_tag:
        strip_spec_tag(srpm)
    against = [str(tmp_path / "base" / "repo"), str(tmp_path / "base" / "SRPMS")]
    code, document, table, _ = check([str(srpm), "--against", *against, "--no-cache", "--strict"], capsys)
    assert document["regressions"] == [] and document["worse"] == []
    assert "source-not-audited" not in table
    assert code == document["exit_code"] == 0


I686_ONLY = """\
%ifarch i686
%package i686only
Summary: for i686 hosts alone
%description i686only
i
%files i686only
%endif
"""


def test_a_binary_of_another_architecture_than_the_one_the_spec_was_read_for_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE built foo for i686, with its ``%ifarch i686`` subpackage; the change's SRPM was made
    on x86_64, and its spec read for x86_64 builds no foo-i686only. A rebuild for i686 still
    does: it is not gone, and nothing is unresolved."""
    arch_foo = FOO.replace("BuildArch: noarch\n", "")
    rpmbuild(tmp_path / "base", arch_foo.format(release=1, citrix=I686_ONLY), "foo", "-ba --target i686")
    for made in ("repo", "SRPMS"):
        subprocess.run(["createrepo_c", "--quiet", str(tmp_path / "base" / made)], check=True)
    assert (tmp_path / "base" / "repo" / "i686" / "foo-i686only-1.0-1.i686.rpm").exists()
    rpmbuild(tmp_path / "new", arch_foo.format(release=2, citrix=I686_ONLY), "foo", "-bs --target x86_64")
    (srpm,) = (tmp_path / "new" / "SRPMS").glob("foo-*.src.rpm")
    against = [str(tmp_path / "base" / "repo"), str(tmp_path / "base" / "SRPMS")]
    code, document, _, _ = check([str(srpm), "--against", *against, "--no-cache", "--arch", "i686"], capsys)
    assert document["no_longer_built"] == [] and unresolved(document) == []
    assert code == document["exit_code"] == 0


@pytest.mark.parametrize("spec_tag", [True, False], ids=["spec-tag", "payload-spec"])
def test_the_section_after_prep_is_still_built(
    spec_tag: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm stores no line for the header that ends %prep: the SPEC tag of this foo has no
    ``%files`` for the main package, which is still built. Nothing is gone."""
    against = base(tmp_path / "base", "suffix")
    directory = tmp_path / "new"
    with_prep = FOO.replace("%files\n%files extra", "%prep\necho prepared\n%files\n%files extra")
    rpmbuild(
        directory, with_prep.format(release=2, citrix=CITRIX_SUBPACKAGE.format(header="citrix")), "foo", "-bs"
    )
    (srpm,) = (directory / "SRPMS").glob("foo-*.src.rpm")
    if not spec_tag:
        strip_spec_tag(srpm)
    code, document, _, _ = check([str(srpm), "--against", *against, "--no-cache"], capsys)
    assert document["no_longer_built"] == [] and unresolved(document) == []
    assert code == document["exit_code"] == 0
