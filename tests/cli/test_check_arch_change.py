"""A new package of another architecture than BASE's of its name replaces it when dnf upgrades
across them: a package may become noarch, or stop being noarch (libsolv's archchange rule lets
either through), while the arches of a multilib pair stay side by side.

``check`` replaced only BASE's package of the same name *and* arch: foo-2.noarch, updating
BASE's foo-1.x86_64, was checked beside it, so bar (which requires foo) saw two providers and
became may-depend, not depends: with foo's own Citrix Source waived, the update passed (exit
0) where the same update built for x86_64 failed (exit 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.deps.built import build_repository

WAIVER = """\
[[waiver]]
package = "foo"
rule = "citrix-internal-host"
reason = "the tarball is mirrored"
owner = "me <me@example.org>"
expires = 2099-01-01
"""

FOO = """\
Name: foo
Version: 2.0
Release: 1
Summary: s
License: MIT
URL: https://example.org/foo
Source0: https://code.citrite.net/foo-2.0.tar.gz
AutoReqProv: no
{arch}
%description
s
%files
"""


@pytest.mark.parametrize(
    ("base_arch", "new_arch"), [("x86_64", "noarch"), ("noarch", "x86_64")], ids=["to-noarch", "from-noarch"]
)
def test_an_update_across_noarch_replaces_bases_package(
    base_arch: str, new_arch: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = build_repository(
        [{"name": "foo", "arch": base_arch}, {"name": "bar", "requires": ["foo"]}], tmp_path / "base"
    )
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVER)
    spec = tmp_path / "foo.spec"
    spec.write_text(FOO.format(arch="BuildArch: noarch" if new_arch == "noarch" else ""))
    against = [str(repo), str(repo.parent / "SRPMS")]
    command = ["check", str(spec), "--against", *against, "--waivers", str(waivers), "--no-cache"]
    code = main([*command, "--arch", "x86_64", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    [binary] = [item for item in document["new"] if item["nevra"] == f"foo-2.0-1.{new_arch}"]
    assert binary["compared_with"] == f"foo-1.0-1.{base_arch}"
    assert [(item["nevra"], item["after"]) for item in document["worse"]] == [("bar-1.0-1.noarch", "depends")]
    assert code == document["exit_code"] == 1


def test_the_arches_of_a_multilib_pair_stay_side_by_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """foo.i686 stays beside the change's foo.x86_64: a host has both."""
    repo = build_repository(
        [{"name": "foo", "arch": "i686"}, {"name": "foo", "arch": "x86_64"}], tmp_path / "base"
    )
    spec = tmp_path / "foo.spec"
    spec.write_text(FOO.format(arch="").replace("code.citrite.net", "example.org"))
    against = [str(repo), str(repo.parent / "SRPMS")]
    code = main(["check", str(spec), "--against", *against, "--no-cache", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    [binary] = [item for item in document["new"] if item["nevra"] == "foo-2.0-1.x86_64"]
    assert binary["compared_with"] == "foo-1.0-1.x86_64"
    assert code == document["exit_code"] == 0
