"""A source package checked alone is what BASE's binaries of its name are rebuilt from.

A contributor submits a source RPM; the build system rebuilds the binaries BASE built from the
previous one. With ``--roots``, only what the roots install is audited: the change's SRPM, built
from by nothing in the after-audit, was "outside what the roots install", and a Citrix Source in
it passed (exit 0) though xcp-ng-deps installs xapi-core, which is rebuilt from it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.cli.test_workflow import BASE
from tests.paths import ROOT
from tests.rpmbuild import build_noarch

XAPI = """\
Name: xapi
Version: {version}
Release: 1.xcpng
Summary: the toolstack, next version
License: LGPLv2
URL: https://github.com/xapi-project/xen-api
Source0: {source}
BuildArch: noarch
AutoReqProv: no
%description
x
%package core
Summary: core
Requires: v6licensing
Requires: (xcp-emu-manager or emu-manager)
Requires: xcp-python-libs
%description core
x
%install
mkdir -p %{{buildroot}}%{{_datadir}}/xapi
echo x > %{{buildroot}}%{{_datadir}}/xapi/core
%files core
%{{_datadir}}/xapi
"""


def source_rpm(tmp_path: Path, source: str, version: str = "1.250.0") -> str:
    spec = tmp_path / "xapi.spec"
    spec.write_text(XAPI.format(source=source, version=version))
    srpm, _binary = build_noarch(spec, tmp_path / "top", [source.rsplit("/", 1)[-1]])
    return str(srpm)


@pytest.mark.parametrize("roots", [(), ("--roots", "xcp-ng-deps")], ids=["all", "roots"])
@pytest.mark.parametrize("version", ["1.250.0", "1.249.0"], ids=["update", "same-nvr"])
def test_a_citrix_source_rpm_checked_alone_blocks_through_the_binaries_rebuilt_from_it(
    roots: tuple[str, ...], version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same N-V-R as BASE's (a Source changed without a new release) too: BASE's binaries
    were paired with BASE's own xapi SRPM, kept for them, and the change's reached nothing."""
    srpm = source_rpm(tmp_path, "https://code.citrite.net/rest/archive/xen-api.tar.gz", version)
    code = main(["check", srpm, "--against", *BASE, *roots, "--no-cache", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    blocking = {(item["package"], item["rule"]) for item in document["regressions"]}
    # xapi-core, installed by xcp-ng-deps, is rebuilt from the change (as its spec declares it):
    # it carries its Source.
    assert ("xapi-core", "citrix-internal-host") in blocking
    rebuilt = {item["nevra"]: item for item in document["new"]}[f"xapi-core-{version}-1.xcpng.noarch"]
    assert (rebuilt["before"], rebuilt["after"]) == ("depends", "origin")
    assert "outside what the roots install" not in document["headline"]
    assert code == document["exit_code"] == 1


def test_a_clean_source_rpm_checked_alone_changes_nothing_its_binaries_did_not_have(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE's xapi is clean at its source: a clean rebuild of it, its spec requiring what
    BASE's did, makes nothing new, and every binary rebuilt from it stays what it was."""
    srpm = source_rpm(tmp_path, "https://github.com/xapi-project/xen-api/archive/v1.250.0.tar.gz")
    roots = ("--roots", "xcp-ng-deps")
    code = main(["check", srpm, "--against", *BASE, *roots, "--no-cache", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert document["regressions"] == [] and document["worse"] == [] and document["better"] == []
    statuses = {item["nevra"]: (item["before"], item["after"]) for item in document["new"]}
    assert statuses["xapi-core-1.250.0-1.xcpng.noarch"] == ("depends", "depends")
    assert code == document["exit_code"] == 0


def test_a_binary_of_the_source_packages_own_name_rebuilt_from_it_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE's ocaml.noarch, rebuilt from the change's ocaml SRPM, is named with what it becomes:
    the list of worse packages left out every package of a name the change brings, and the
    binary went unnamed. It is the rebuild's ocaml, of the change's version."""
    spec = tmp_path / "ocaml.spec"
    text = (ROOT / "examples" / "xcp-ng-mini" / "specs" / "ocaml.spec").read_text()
    spec.write_text(
        text.replace("4.14.1", "4.14.2").replace(
            "https://github.com/ocaml/ocaml/archive/", "https://code.citrite.net/ocaml/"
        )
    )
    srpm, _binary = build_noarch(spec, tmp_path / "top", ["ocaml-4.14.2.tar.gz"])
    code = main(["check", str(srpm), "--against", *BASE, "--no-cache", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    statuses = {item["nevra"]: (item["compared_with"], item["after"]) for item in document["new"]}
    assert set(statuses) == {"ocaml-4.14.2-1.xcpng.src", "ocaml-4.14.2-1.xcpng.noarch"}
    assert statuses["ocaml-4.14.2-1.xcpng.noarch"] == ("ocaml-4.14.1-1.xcpng.noarch", "origin")
    assert code == document["exit_code"] == 1
