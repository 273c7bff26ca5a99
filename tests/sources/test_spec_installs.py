"""A package read from a spec that installs a repository configuration or a key file is judged
by the spec's local Source files, as the binary rpmbuild makes of it is by its payload.

A contributor's spec with ``Source0: xs.repo`` and ``%files %{_sysconfdir}/yum.repos.d/*.repo``
was clean with no gap: the spec carries no payload. Now its ``.repo`` and key Sources, found
where rpmbuild takes them (``SOURCES`` beside ``SPECS``, or beside the spec), are judged with
the payload reading's code; what the build writes that no Source shows is a payload-unread gap.
The same spec is built by rpmbuild here, and the two readings must agree.
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
from tests.rpmbuild import binary_of, build_noarch
from tests.sources.test_payload_config import findings, package, payload_gaps, scan, signing_key

__all__ = ["signing_key"]  # the fixture, used by name

XS_REPO = (
    "[xs-updates]\nbaseurl=https://updates.xenserver.com/8/$basearch/\n"
    "[clean]\nbaseurl=https://mirrors.xcp-ng.org/8/\n"
)
SPEC = """\
Name: xs-release
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
Source0: xs.repo
Source1: RPM-GPG-KEY-vendor
%description
d
%package keys
Summary: k
%description keys
k
%package generated
Summary: g
%description generated
g
%install
mkdir -p %{buildroot}%{_sysconfdir}/yum.repos.d %{buildroot}%{_sysconfdir}/pki/rpm-gpg
install -m644 %{SOURCE0} %{buildroot}%{_sysconfdir}/yum.repos.d/
install -m644 %{SOURCE1} %{buildroot}%{_sysconfdir}/pki/rpm-gpg/
cat > %{buildroot}%{_sysconfdir}/yum.repos.d/gen.repo <<EOF
[gen]
baseurl=https://repo.citrite.net/gen/
EOF
%files
%config(noreplace) %{_sysconfdir}/yum.repos.d/xs.repo
%files keys
%{_sysconfdir}/pki/rpm-gpg/RPM-GPG-KEY-*
%files generated
%{_sysconfdir}/yum.repos.d/gen.repo
"""
FIELD = "/etc/yum.repos.d/xs.repo (Source0: xs.repo) [xs-updates] baseurl"
BUILT = (
    ": what the build makes of them is unseen, the Sources read for them showing only what they hold;"
    " a repository configuration or key among it unjudged"
)
"""The end of the gap of the files whose Sources are read: a Source shows what it holds, not
what the build makes of it (`test_a_repository_file_the_build_makes_of_anything_but_the_source_of_its_name_is_unseen`)."""


@pytest.fixture
def tree(tmp_path: Path, signing_key: tuple[str, str]) -> tuple[Path, Path]:
    """An rpmbuild tree (``SPECS``, ``SOURCES``) holding the spec and its Sources, and the
    policy that makes the vendor key a Citrix one."""
    (tmp_path / "SPECS").mkdir()
    (tmp_path / "SOURCES").mkdir()
    (tmp_path / "SPECS" / "xs-release.spec").write_text(SPEC)
    (tmp_path / "SOURCES" / "xs.repo").write_text(XS_REPO)
    (tmp_path / "SOURCES" / "RPM-GPG-KEY-vendor").write_text(signing_key[1])
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
        f'keys = ["{signing_key[0]}"]\nmessage = "A vendor release key"\nreference = "r"\n'
    )
    return tmp_path, policy


def built(top: Path) -> list[Path]:
    assert shutil.which("rpmbuild"), "install rpm (Debian package rpm): rpmbuild is the authority"
    env = {"PATH": os.environ["PATH"], "HOME": str(top), "LC_ALL": "C"}
    spec = str(top / "SPECS" / "xs-release.spec")
    done = subprocess.run(
        ["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", spec],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return sorted((top / "RPMS" / "noarch").glob("*.rpm"))


def judged(document: dict[str, Any], name: str) -> set[tuple[str, str]]:
    """A package's findings as (rule, value): what both readings must agree on."""
    return {(item["rule"], item["value"]) for item in package(document, name)["findings"]}


def test_a_spec_s_repo_and_key_sources_are_judged_as_its_built_binary_s_payload(
    tree: tuple[Path, Path], signing_key: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    top, policy = tree
    code, spec_read = scan([str(top / "SPECS" / "xs-release.spec"), "--policy", str(policy)], capsys)
    assert findings(spec_read, "xs-release") == {
        FIELD: ("https://updates.xenserver.com/8/$basearch/", "medium", "blocks")
    }
    [key] = package(spec_read, "xs-release-keys")["findings"]
    assert (key["rule"], key["field"], key["value"]) == (
        "vendor-key", "/etc/pki/rpm-gpg/RPM-GPG-KEY-vendor (Source1: RPM-GPG-KEY-vendor)", signing_key[0])  # fmt: skip
    # What %install writes with cat > is seen by no Source: the spec says so.
    [generated, written] = payload_gaps(spec_read, "xs-release-generated")
    assert "xs-release-generated installs /etc/yum.repos.d/gen.repo (a repository configuration)" in generated
    assert "%install writes %{buildroot}%{_sysconfdir}/yum.repos.d/gen.repo itself" in written
    assert generated.endswith("the repositories it points its hosts at are unseen")
    assert code == 1

    code, binaries = scan([*map(str, built(top)), "--policy", str(policy)], capsys)
    for name in ("xs-release", "xs-release-keys"):
        assert judged(binaries, name) == judged(spec_read, name), name
        assert payload_gaps(binaries, name) == []
    # The built binary's payload shows what the spec could not.
    assert judged(binaries, "xs-release-generated") == {
        ("citrix-internal-host", "https://repo.citrite.net/gen/")
    }


def test_rpmspec_expands_the_files_lines_to_the_paths_the_reader_judges(tree: tuple[Path, Path]) -> None:
    top, _ = tree
    assert shutil.which("rpmspec"), "install rpm (Debian package rpm): rpmspec expands the spec"
    done = subprocess.run(
        ["rpmspec", "-P", str(top / "SPECS" / "xs-release.spec")], capture_output=True, text=True, check=True
    )
    assert "%config(noreplace) /etc/yum.repos.d/xs.repo" in done.stdout.splitlines()
    assert "/etc/pki/rpm-gpg/RPM-GPG-KEY-*" in done.stdout.splitlines()


def test_a_source_missing_here_is_a_gap_and_one_beside_the_spec_is_read(
    tree: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    top, _ = tree
    spec = top / "SPECS" / "xs-release.spec"
    (top / "SOURCES" / "xs.repo").unlink()
    code, document = scan([str(spec), "--strict"], capsys)
    [gap] = payload_gaps(document, "xs-release")
    assert gap.startswith(f"{spec}: xs-release installs /etc/yum.repos.d/xs.repo")
    assert "its content is Source0: xs.repo, and no file xs.repo in " in gap
    assert package(document, "xs-release")["findings"] == []
    assert code == 3
    # dist-git keeps the Sources beside the spec.
    (top / "SPECS" / "xs.repo").write_text(XS_REPO)
    code, document = scan([str(spec)], capsys)
    assert FIELD in findings(document, "xs-release")
    # Read, it leaves only the gap of what the build makes of it (`BUILT`).
    assert payload_gaps(document, "xs-release") == [
        f"{spec}: xs-release installs /etc/yum.repos.d/xs.repo (Source0: xs.repo){BUILT}"
    ]


def test_a_glob_over_a_reposdir_judges_each_repo_source_and_one_with_none_is_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "globbed.spec"
    text = SPEC.replace("Name: xs-release", "Name: globbed").replace(
        "%config(noreplace) %{_sysconfdir}/yum.repos.d/xs.repo", "%{_sysconfdir}/yum.repos.d/*.repo"
    )
    spec.write_text(text)
    (tmp_path / "xs.repo").write_text(XS_REPO)
    code, document = scan([str(spec)], capsys)
    assert findings(document, "globbed") == {
        "/etc/yum.repos.d/xs.repo (Source0: xs.repo) [xs-updates] baseurl": (
            "https://updates.xenserver.com/8/$basearch/", "medium", "blocks")
    }  # fmt: skip
    assert any("%install writes %{buildroot}%{_sysconfdir}/yum.repos.d/gen.repo" in gap
               for gap in payload_gaps(document, "globbed"))  # fmt: skip
    (tmp_path / "xs.repo").unlink()
    spec.write_text(text.replace("Source0: xs.repo\n", ""))
    code, document = scan([str(spec), "--strict"], capsys)
    assert any(gap.startswith(f"{spec}: globbed installs /etc/yum.repos.d/ (a repository configuration)")
               for gap in payload_gaps(document, "globbed"))  # fmt: skip
    assert code == 3


FORMATS = ("json", "sarif", "table", "html", "markdown", "junit", "cyclonedx", "spdx")


@pytest.mark.parametrize("form", FORMATS)
def test_every_format_shows_the_source_s_finding_and_the_unseen_file(
    form: str, tree: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    top, _ = tree
    spec = str(top / "SPECS" / "xs-release.spec")
    code = main(["scan", spec, "--format", form, "-q", "--no-cache", "--strict"])
    out = capsys.readouterr().out
    assert code == 3
    assert FIELD in out or json.dumps(FIELD)[1:-1] in out, form
    assert "installs /etc/yum.repos.d/gen.repo (a repository configuration)" in out, form


def test_a_stored_report_is_not_replayed_once_a_source_beside_the_unchanged_spec_is_edited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report is replayed while its inputs are unchanged: the spec's Sources are some."""
    (tmp_path / "SPECS").mkdir()
    (tmp_path / "SOURCES").mkdir()
    spec = tmp_path / "SPECS" / "xs-release.spec"
    spec.write_text(SPEC.split("%package keys")[0] + "%files\n/etc/yum.repos.d/xs.repo\n")
    source = tmp_path / "SOURCES" / "xs.repo"
    source.write_text("[clean]\nbaseurl=https://mirrors.xcp-ng.org/8/\n")
    run = ["scan", str(spec), "--format", "json", "-q", "--cache-dir", str(tmp_path / "cache")]
    assert main(run) == 0
    assert "updates.xenserver.com" not in capsys.readouterr().out
    source.write_text(XS_REPO)
    assert main(run) == 1
    assert FIELD in findings(json.loads(capsys.readouterr().out), "xs-release")


def test_a_repo_source_in_the_reposdir_its_dnf_conf_source_names_is_judged_as_the_binary_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "SPECS").mkdir()
    (tmp_path / "SOURCES").mkdir()
    (tmp_path / "SOURCES" / "dnf.conf").write_text("[main]\nreposdir=/etc/xs.repos.d\n")
    (tmp_path / "SOURCES" / "xs.repo").write_text(XS_REPO)
    head = SPEC.split("Source1:")[0].replace("Source0: xs.repo", "Source0: xs.repo\nSource1: dnf.conf")
    (tmp_path / "SPECS" / "xs-release.spec").write_text(
        head + "%description\nd\n%install\nmkdir -p %{buildroot}/etc/xs.repos.d %{buildroot}/etc/dnf\n"
        "install -m644 %{SOURCE0} %{buildroot}/etc/xs.repos.d/\ninstall -m644 %{SOURCE1} %{buildroot}/etc/dnf/\n"
        "%files\n/etc/dnf/dnf.conf\n/etc/xs.repos.d/xs.repo\n"
    )
    code, spec_read = scan([str(tmp_path / "SPECS" / "xs-release.spec")], capsys)
    assert code == 1
    assert findings(spec_read, "xs-release") == {
        "/etc/xs.repos.d/xs.repo (Source0: xs.repo) [xs-updates] baseurl": (
            "https://updates.xenserver.com/8/$basearch/", "medium", "blocks")
    }  # fmt: skip
    assert payload_gaps(spec_read, "xs-release") == [
        f"{tmp_path / 'SPECS' / 'xs-release.spec'}: xs-release installs /etc/dnf/dnf.conf (Source1: dnf.conf),"
        f" /etc/xs.repos.d/xs.repo (Source0: xs.repo){BUILT}"
    ]
    code, binary = scan(list(map(str, built(tmp_path))), capsys)
    assert judged(binary, "xs-release") == judged(spec_read, "xs-release") and code == 1


def test_the_sources_directory_a_tree_of_specs_shares_is_in_the_key_once(tmp_path: Path) -> None:
    """The key of a SPECS tree lists ../SOURCES once, not once a spec (a thousand specs beside
    three thousand Sources took 20 s a run), and still changes when one Source changes."""
    from auditor.cli.inputlook import input_tree
    from auditor.runtime.snapshot import FileSnapshot

    (tmp_path / "SPECS").mkdir()
    (tmp_path / "SOURCES").mkdir()
    for number in range(5):
        (tmp_path / "SPECS" / f"p{number}.spec").write_text(SPEC)
        (tmp_path / "SOURCES" / f"p{number}.tar.gz").write_text("x")
    sources = str(tmp_path / "SOURCES")

    def key() -> list[str]:
        return list(input_tree(str(tmp_path / "SPECS"), FileSnapshot(), read_rpms=False))

    before = key()
    assert sum(1 for item in before if item.startswith(f"{sources}\0")) == 1
    assert sum(1 for item in before if "p3.tar.gz" in item) == 2  # its name in the listing, its identity
    (tmp_path / "SOURCES" / "p3.tar.gz").write_text("changed")
    os.utime(tmp_path / "SOURCES" / "p3.tar.gz", (1, 1))
    assert key() != before


ETC_GLOB = """\
Name: etcglob
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%description
d
%install
mkdir -p %{buildroot}%{_sysconfdir}/profile.d
echo x > %{buildroot}%{_sysconfdir}/profile.d/x.sh
INSTALL_REPO
%files
%{_sysconfdir}/*
"""


DISGUISED = (
    "d=yum; mkdir -p %{buildroot}/etc/$d.repos.d;"
    " printf '[x]\\nbaseurl=https://updates.xensource.com/\\n' > %{buildroot}/etc/$d.repos.d/x.re$(echo po)"
)
"""A write into a reposdir that no reading of the spec's text sees."""


@pytest.mark.parametrize(
    "install",
    [
        # Nothing the text shows goes to a reposdir (bash's and pam's /etc/*), but shell spells a
        # directory in ways no reading of the text sees (`DISGUISED`): a glob over /etc is unseen
        # there whatever the text says.
        "",
        DISGUISED,
        "make install-repo DESTDIR=%{buildroot} REPODIR=%{_sysconfdir}/yum.repos.d",
        "cp -a conf/rpm-gpg %{buildroot}%{_sysconfdir}/pki/",
    ],
)
def test_a_glob_over_etc_is_a_gap_whatever_the_spec_text_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], install: str
) -> None:
    spec = tmp_path / "etcglob.spec"
    spec.write_text(ETC_GLOB.replace("INSTALL_REPO", install))
    _, document = scan([str(spec)], capsys)
    assert payload_gaps(document, "etcglob")


def test_the_disguised_write_is_packaged_by_rpmbuild(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The authority: rpmbuild packages the file the disguised write makes, and the auditor judges
    the built RPM's configuration where it could only say that the spec's was unseen."""
    rpm = binary_of(ETC_GLOB.replace("INSTALL_REPO", DISGUISED), tmp_path)
    listed = subprocess.run(["rpm", "-qlp", str(rpm)], capture_output=True, text=True, check=True).stdout
    assert "/etc/yum.repos.d/x.repo" in listed.split()
    code, document = scan([str(rpm)], capsys)
    assert code == 1
    assert any("updates.xensource.com" in value for value, _, _ in findings(document, "etcglob").values())


REMADE = """\
Name: remade
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
Source0: xs.repo
%description
d
%install
mkdir -p %{buildroot}/etc/yum.repos.d %{buildroot}/usr/share/remade
install -m644 %{SOURCE0} %{buildroot}/etc/yum.repos.d/xs.repo
sed s/mirrors.xcp-ng.org/updates.xensource.com/ %{SOURCE0} > remade
REMAKE
%files
FILES
"""
"""A spec installing its clean ``xs.repo`` Source, then making a repository file of something
else: a copy of it with the host changed (`remade`)."""
CLEAN_REPO = "[xcp]\nbaseurl=https://mirrors.xcp-ng.org/8/\n"


@pytest.mark.parametrize(
    ("remake", "files"),
    [
        # The copied Source edited in place.
        ("sed -i s/mirrors.xcp-ng.org/updates.xensource.com/ %{buildroot}/etc/yum.repos.d/xs.repo", ""),
        # Another file installed under the Source's name.
        ("install -m644 remade %{buildroot}/etc/yum.repos.d/xs.repo", ""),
        # A link to another file the package holds, which the payload reading follows.
        (
            "install -m644 remade %{buildroot}/usr/share/remade/\n"
            "ln -sf ../../usr/share/remade/remade %{buildroot}/etc/yum.repos.d/xs.repo",
            "/usr/share/remade/remade",
        ),
        # Another file beside it in a directory its %files packages whole.
        ("install -m644 remade %{buildroot}/etc/yum.repos.d/other.repo", "DIRECTORY"),
    ],
)
def test_a_repository_file_the_build_makes_of_anything_but_the_source_of_its_name_is_unseen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], remake: str, files: str
) -> None:
    """The reader took the Source of the installed file's name (or each one a directory packages)
    for its content: the spec read clean with no gap but automatic-requires, which hides no origin
    evidence, while rpmbuild's binary points its hosts at XenServer's updates. A Source shows what
    it holds, not what the build makes of it."""
    listed = "/etc/yum.repos.d" if files == "DIRECTORY" else f"/etc/yum.repos.d/xs.repo\n{files}"
    spec = tmp_path / "SPECS" / "remade.spec"
    spec.parent.mkdir()
    spec.write_text(REMADE.replace("REMAKE", remake).replace("FILES", listed))
    rpm = build_noarch(spec, tmp_path, ["xs.repo"], source_text=CLEAN_REPO)[1]
    code, document = scan([str(rpm)], capsys)
    assert code == 1
    assert any("updates.xensource.com" in value for value, _, _ in findings(document, "remade").values())
    code, document = scan([str(spec)], capsys)
    assert findings(document, "remade") == {}
    read = "/etc/yum.repos.d/xs.repo (Source0: xs.repo)"
    read += ", /etc/yum.repos.d/ (what else the build puts there)" if files == "DIRECTORY" else ""
    assert payload_gaps(document, "remade") == [f"{spec}: remade installs {read}{BUILT}"]


CLEANED = """\
Name: remade
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%description
d
%install
printf '[x]\\nbaseurl=https://updates.xensource.com/\\n' > made
install -D -m644 made %{buildroot}/etc/yum.repos.d/xs.repo
%files
FILES
"""
"""A spec whose build writes a Citrix ``.repo``, that its ``%files`` lists as ``FILES``."""


@pytest.mark.parametrize(
    "listed",
    [
        "/etc//yum.repos.d/xs.repo",
        "/etc/./yum.repos.d/xs.repo",
        "/etc/yum.repos.d/../yum.repos.d/xs.repo",
        "/etc/yum.repos.d/.",
        "/etc/pki/../yum.repos.d/*.repo",
    ],
)
def test_a_files_path_rpm_cleans_is_read_as_rpm_packages_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], listed: str
) -> None:
    """rpm cleans a ``%files`` path (``//``, ``/./``, ``/../``, a trailing ``/.``) before it
    packages it; read as written, none was a reposdir, and a spec whose build writes a Citrix
    ``.repo`` there read clean with no gap but automatic-requires."""
    text = CLEANED.replace("FILES", listed)
    rpm = binary_of(text, tmp_path)
    code, document = scan([str(rpm)], capsys)
    assert code == 1
    assert any("updates.xensource.com" in value for value, _, _ in findings(document, "remade").values())
    spec = tmp_path / "remade.spec"
    spec.write_text(text)
    code, document = scan([str(spec)], capsys)
    assert payload_gaps(document, "remade")


@pytest.mark.parametrize(
    ("listed", "written"),
    [
        ("/etc/dnf/*", "/etc/dnf/dnf.conf"),
        ("/etc/dnf", "/etc/dnf/dnf.conf"),
        ("/etc/yum.con?", "/etc/yum.conf"),
    ],
)
def test_a_glob_or_directory_over_a_main_configuration_is_unseen_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], listed: str, written: str
) -> None:
    """dnf reads a repository section of dnf.conf (yum of yum.conf) as of a ``.repo`` file; a glob
    or a directory was matched against the reposdirs and key directories only, and a spec whose
    build writes a Citrix section there read clean, its only gap automatic-requires."""
    text = CLEANED.replace("/etc/yum.repos.d/xs.repo", written).replace("FILES", listed)
    rpm = binary_of(text, tmp_path)
    code, document = scan([str(rpm)], capsys)
    assert code == 1
    assert any("updates.xensource.com" in value for value, _, _ in findings(document, "remade").values())
    spec = tmp_path / "remade.spec"
    spec.write_text(text)
    _, document = scan([str(spec)], capsys)
    assert any(written in gap for gap in payload_gaps(document, "remade"))


def test_a_glob_over_a_varsdir_is_unseen_there(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """dnf gives every package's URLs the variables any package puts in a varsdir: a spec whose
    build writes ``/etc/dnf/vars/mirror`` (XenServer's host) through ``/etc/dnf/vars/*`` points
    another package's ``baseurl=https://$mirror/`` at Citrix once built, and read as a spec it had
    no gap but automatic-requires."""
    text = CLEANED.replace("/etc/yum.repos.d/xs.repo", "/etc/dnf/vars/mirror").replace(
        "'[x]\\nbaseurl=https://updates.xensource.com/\\n'", "'updates.xensource.com\\n'"
    )
    text = text.replace("FILES", "/etc/dnf/vars/*")
    assert "'updates.xensource.com\\n'" in text
    (tmp_path / "vars").mkdir()
    (tmp_path / "user").mkdir()
    rpm = binary_of(text, tmp_path / "vars")
    user = CLEANED.replace("Name: remade", "Name: user").replace("updates.xensource.com", "$mirror")
    used = binary_of(user.replace("FILES", "/etc/yum.repos.d/xs.repo"), tmp_path / "user")
    code, document = scan([str(rpm), str(used)], capsys)
    assert code == 1 and findings(document, "user")
    spec = tmp_path / "remade.spec"
    spec.write_text(text)
    _, document = scan([str(spec)], capsys)
    assert any("/etc/dnf/vars" in gap for gap in payload_gaps(document, "remade"))


GLUED = """\
Name: remade
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%description
d
%package conf
Summary: c
%description conf
c
%install
printf '[x]\\nbaseurl=https://updates.xensource.com/\\n' > made
install -D -m644 made %{buildroot}/etc/yum.repos.d/xs.repo
%files
%files -nremade-conf
/etc/yum.repos.d/xs.repo
"""


def test_a_package_named_by_n_glued_to_its_name_is_the_one_rpm_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm's option parser reads ``%files -nremade-conf`` as ``-n remade-conf``; the reader dropped
    the word, the .repo was the main package's and ``remade-conf`` no package the spec builds."""
    (tmp_path / "SPECS").mkdir()
    spec = tmp_path / "SPECS" / "xs-release.spec"
    spec.write_text(GLUED)
    assert [path.name for path in built(tmp_path)] == ["remade-1-1.noarch.rpm", "remade-conf-1-1.noarch.rpm"]
    _, document = scan([str(spec)], capsys)
    names = sorted(item["name"] for item in document["packages"] if item["arch"] != "src")
    assert names == ["remade", "remade-conf"]
    assert payload_gaps(document, "remade-conf") and not payload_gaps(document, "remade")
