"""A source RPM is judged by the spec a rebuild reads too, not only by its builder's parse.

rpm >= 4.15 stores the spec it parsed in the SRPM header (the SPEC tag): the builder's macros,
``--define``, ``--with`` and ``--without`` decided it. ``rpmbuild --rebuild`` and mock parse the
spec in the payload again. A red-team case: ``%bcond_without vendor_sdk`` guarding a Citrix
Source and ``BuildRequires: citrix-sdk``, built ``rpmbuild -bs --without vendor_sdk``: the SPEC
tag has neither, ``scan --strict`` passed it clean, and ``rpmbuild --rebuild`` of that very
file needs citrix-sdk. rpm is the authority on what the rebuild reads (the SRPM installed
with ``rpm -i`` into a scratch tree, its spec queried with ``rpmspec``).
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

CITRIX = "https://downloads.citrix.com/sdk.tar.gz"
SPEC = f"""Name: bc
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%bcond_without vendor_sdk
Source0: bc.tar.gz
%if %{{with vendor_sdk}}
Source1: {CITRIX}
BuildRequires: citrix-sdk
%endif
%description
d
%files
"""


def _rpm(tmp_path: Path, *command: str) -> str:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _srpm(tmp_path: Path, spec_text: str, *options: str, conditional_file: bool = False) -> Path:
    """The SRPM ``rpmbuild -bs OPTIONS`` makes of ``spec_text``, each Source an empty file but
    ``extra.inc``, which holds a Citrix Source and BuildRequires (``conditional_file``: under
    ``%if 0%{?xenserver}``)."""
    assert shutil.which("rpmbuild"), "rpmbuild is the authority here: install rpm (Debian package rpm)"
    top = tmp_path / "top"
    (top / "SOURCES").mkdir(parents=True)
    for name in ("bc.tar.gz", "sdk.tar.gz"):
        (top / "SOURCES" / name).write_text("x\n")
    lines = f"Source2: {CITRIX}\nBuildRequires: citrix-sdk\n"
    if conditional_file:
        lines = f"%if 0%{{?xenserver}}\n{lines}%endif\n"
    (top / "SOURCES" / "extra.inc").write_text(lines)
    spec = tmp_path / "bc.spec"
    spec.write_text(spec_text)
    _rpm(tmp_path, "rpmbuild", "-bs", "--quiet", "--define", f"_topdir {top}", *options, str(spec))
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    return srpm


def _scan(srpm: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["scan", str(srpm), "--strict", "--format", "json", "-q"])
    # The source package's row: the binaries its spec builds are audited beside it.
    packages = json.loads(capsys.readouterr().out)["packages"]
    (package,) = [row for row in packages if row["arch"] == "src"]
    return code, dict(package)


def test_a_branch_the_builder_did_not_take_is_the_rebuild_s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srpm = _srpm(tmp_path, SPEC, "--without", "vendor_sdk")
    # rpm: the builder's parse has neither; the spec a rebuild reads has both
    assert CITRIX not in _rpm(tmp_path, "rpm", "-qp", "--qf", "%{SPEC}", str(srpm))
    assert "citrix-sdk" not in _rpm(tmp_path, "rpm", "-qp", "--qf", "[%{REQUIRENAME}\n]", str(srpm))
    rebuild = tmp_path / "rebuild"
    _rpm(tmp_path, "rpm", "-i", "--nodeps", "--define", f"_topdir {rebuild}", str(srpm))
    spec = str(rebuild / "SPECS" / "bc.spec")
    assert CITRIX in _rpm(tmp_path, "rpmspec", "-P", "--define", f"_topdir {rebuild}", spec)
    assert "citrix-sdk" in _rpm(tmp_path, "rpmspec", "-q", "--buildrequires", spec).split()

    code, package = _scan(srpm, capsys)
    assert code != 0
    assert package["status"] == "origin"
    assert any(finding["value"] == CITRIX for finding in package["findings"])
    gaps = [gap["detail"] for gap in package["gaps"]]
    assert any("citrix-sdk" in detail for detail in gaps), gaps


def test_the_builder_s_branch_read_again_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The control: built with the spec's own defaults, the rebuild reads what the tag has."""
    clean = SPEC.replace(CITRIX, "https://example.org/sdk.tar.gz").replace("citrix-sdk", "gcc")
    srpm = _srpm(tmp_path, clean.replace("%bcond_without", "%bcond_with"))
    code, package = _scan(srpm, capsys)
    assert (code, package["status"], package["gaps"]) == (0, "clean", [])


INCLUDED = """Name: bc
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
Source0: bc.tar.gz
Source1: extra.inc
{include}
%description
d
%files
"""


@pytest.mark.parametrize(
    ("include", "conditional_file"),
    [
        ("%if 0%{?xenserver}\n%include %{SOURCE1}\n%endif", False),  # the builder skipped it
        ("%include %{SOURCE1}", True),  # the builder decided the file's own %if
    ],
)
def test_code_in_a_branch_the_builder_skipped_is_unseen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], include: str, conditional_file: bool
) -> None:
    srpm = _srpm(tmp_path, INCLUDED.format(include=include), conditional_file=conditional_file)
    # rpm: the builder's parse has no Citrix line; a rebuild on a host that defines %xenserver does
    assert CITRIX not in _rpm(tmp_path, "rpm", "-qp", "--qf", "%{SPEC}", str(srpm))
    rebuild = tmp_path / "rebuild"
    _rpm(tmp_path, "rpm", "-i", "--nodeps", "--define", f"_topdir {rebuild}", str(srpm))
    spec = str(rebuild / "SPECS" / "bc.spec")
    printed = _rpm(
        tmp_path, "rpmspec", "-P", "--define", f"_topdir {rebuild}", "--define", "xenserver 1", spec
    )
    assert CITRIX in printed
    code, package = _scan(srpm, capsys)
    assert (code, [item["kind"] for item in package["gaps"]]) == (3, ["spec-code"])


def test_a_line_code_prints_on_the_rebuild_s_host_is_unseen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Code that makes a whole line prints the rebuild host's answer, here a Citrix Source."""
    code_line = f'%(test -n "$XS_HOST" && echo "Source9: {CITRIX}")'
    srpm = _srpm(tmp_path, INCLUDED.format(include=f"{code_line}\n%if 0%{{?rhel}}\n%endif"))
    assert CITRIX not in _rpm(tmp_path, "rpm", "-qp", "--qf", "%{SPEC}", str(srpm))
    rebuild = tmp_path / "rebuild"
    _rpm(tmp_path, "rpm", "-i", "--nodeps", "--define", f"_topdir {rebuild}", str(srpm))
    spec = str(rebuild / "SPECS" / "bc.spec")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "XS_HOST": "1"}
    done = subprocess.run(
        ["rpmspec", "-P", "--define", f"_topdir {rebuild}", spec],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert f"Source9: {CITRIX}" in done.stdout
    code, package = _scan(srpm, capsys)
    assert (code, [item["kind"] for item in package["gaps"]]) == (3, ["spec-code"])


def test_code_the_builder_ran_outside_a_conditional_is_its_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The control: the tag holds what Lua printed on the builder, which prints the same anywhere."""
    text = INCLUDED.format(include="%if 0%{?rhel}\n%endif").replace(
        "Summary: s", 'Summary: %{lua: print("s")}'
    )
    code, package = _scan(_srpm(tmp_path, text), capsys)
    assert (package["status"], package["gaps"]) == ("clean", [])
    # What its rebuild builds is read as a spec file is, on a host that may be another: the Lua
    # and the %if are its binaries' gaps, and --strict fails on them.
    assert code == 3


HOST_MACRO = """Name: bc
Version: 1
Release: 1%{?dist}
Summary: s
License: MIT
BuildArch: noarch
Source0: https://downloads.citrix.com%{?dist}/sdk.tar.gz
%description
d
%files
"""


def test_a_source_the_builder_s_macro_moved_off_a_citrix_host_is_judged_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Built ``--define 'dist .evil'``, the SPEC tag reads downloads.citrix.com.evil, which is no
    Citrix host, and the SRPM passed clean under --strict: the payload's spec line kept a host's
    macro, and its builder's expansion stood for it. rpmspec, with no ``dist``, reads citrix.com."""
    srpm = _srpm(tmp_path, HOST_MACRO, "--define", "dist .evil")
    assert "downloads.citrix.com.evil/" in _rpm(tmp_path, "rpm", "-qp", "--qf", "%{SPEC}", str(srpm))
    rebuild = tmp_path / "rebuild"
    _rpm(tmp_path, "rpm", "-i", "--nodeps", "--define", f"_topdir {rebuild}", str(srpm))
    spec = str(rebuild / "SPECS" / "bc.spec")
    assert CITRIX in _rpm(tmp_path, "rpmspec", "-P", "--define", f"_topdir {rebuild}", spec)

    code, package = _scan(srpm, capsys)
    assert code != 0 and package["status"] == "origin"
    assert any(finding["value"] == CITRIX for finding in package["findings"])
    assert any("Source0: https://downloads.citrix.com%{?dist}" in gap["detail"] for gap in package["gaps"])


def test_a_source_the_builder_s_macro_leaves_alone_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The control: a host's macro elsewhere (Release) changes no Source, and no gap is said."""
    text = HOST_MACRO.replace(
        "https://downloads.citrix.com%{?dist}/sdk.tar.gz", "https://example.org/sdk.tar.gz"
    )
    code, package = _scan(_srpm(tmp_path, text, "--define", "dist .el9"), capsys)
    assert (code, package["status"], package["gaps"]) == (0, "clean", [])


def test_an_origin_tag_the_builder_s_macro_moved_off_a_citrix_host_is_judged_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same with the URL and BugURL tags: the SRPM built ``--define 'dist .evil'`` passed
    clean, its tags naming www.citrix.com.evil and bugs.citrix.com.evil."""
    text = HOST_MACRO.replace("https://downloads.citrix.com%{?dist}/sdk.tar.gz", "bc.tar.gz").replace(
        "BuildArch: noarch",
        "URL: https://www.citrix.com%{?dist}/bc\nBugURL: https://bugs.citrix.com%{?dist}/\nBuildArch: noarch",
    )
    srpm = _srpm(tmp_path, text, "--define", "dist .evil")
    assert "https://www.citrix.com.evil/bc" in _rpm(tmp_path, "rpm", "-qp", "--qf", "%{URL}", str(srpm))
    rebuild = tmp_path / "rebuild"
    _rpm(tmp_path, "rpm", "-i", "--nodeps", "--define", f"_topdir {rebuild}", str(srpm))
    spec = str(rebuild / "SPECS" / "bc.spec")
    assert "URL: https://www.citrix.com/bc" in _rpm(
        tmp_path, "rpmspec", "-P", "--define", f"_topdir {rebuild}", spec
    )

    code, package = _scan(srpm, capsys)
    assert code != 0 and package["status"] == "origin"
    values = {finding["value"] for finding in package["findings"]}
    assert {"https://www.citrix.com/bc", "https://bugs.citrix.com/"} <= values, values
    assert sum(gap["kind"] == "unexpanded-tag" for gap in package["gaps"]) == 2


HOST_MACROS = """Name: bc
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
Source0: bc.tar.gz
BuildRequires: python%{python3_pkgversion}-devel
%if 0%{?xenserver} >= 9
BuildRequires: %{py3_dist idna}
BuildRequires: python%{python3_pkgversion}-citrix-sdk
%endif
%description
d
%files
"""


def test_a_build_requires_on_the_builder_s_macros_in_a_branch_it_skipped_is_the_rebuild_s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """xcp-ng-rpms/python-urllib3 (8.3): ``BuildRequires: %{py3_dist idna}`` under ``%if
    0%{?xenserver} >= 9``, python-rpm-macros' macros the build host's. Built for XCP-ng 8, the
    SPEC tag has neither line; a rebuild on a XenServer 9 host needs both. The reader named the
    first ``idna}`` (the call split at its blank) and left the second out, its name holding a
    macro: a requirement the builder's parse lacks is a gap whatever its macros, unless a name
    the builder's parse has fits it (``python3-devel`` is ``python%{python3_pkgversion}-devel``)."""
    defines = ["--define", "python3_pkgversion 3", "--define", "py3_dist() python3dist(%1)"]
    srpm = _srpm(tmp_path, HOST_MACROS, *defines, "--define", "xenserver 8")
    built = _rpm(tmp_path, "rpm", "-qp", "--qf", "[%{REQUIRENAME}\n]", str(srpm)).split()
    assert "python3-devel" in built and "python3dist(idna)" not in built
    rebuild = tmp_path / "rebuild"
    _rpm(tmp_path, "rpm", "-i", "--nodeps", "--define", f"_topdir {rebuild}", str(srpm))
    spec = str(rebuild / "SPECS" / "bc.spec")
    needed = _rpm(tmp_path, "rpmspec", "-q", "--buildrequires", *defines, "--define", "xenserver 9", spec)
    assert {"python3dist(idna)", "python3-citrix-sdk"} <= set(needed.split())

    code, package = _scan(srpm, capsys)
    [gap] = [gap["detail"] for gap in package["gaps"] if "a rebuild may need them" in gap["detail"]]
    assert "has not: %{py3_dist idna}, python%{python3_pkgversion}-citrix-sdk;" in gap
    assert code == 3  # --strict: the rebuild's needs are unseen
