"""The README's `auditor.toml` example, exactly as written there, is read and takes effect.

Each key of the example is a promise: the test takes the README's TOML block, writes the two
files it names beside it, loads it through the real project reader, and audits the shipped
example with it, where its waiver must accept the `sm` family's Citrix source and nothing else.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from auditor.cli.project import load_project
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
XCPNG_83_MACROS = {"dist": ".xcpng8.3", "xenserver": "8", "rhel": "7", "centos": "7", "el7": "1"}
"""What XCP-ng 8.3's build hosts define: xcp-ng-release writes them to /etc/rpm/macros.dist
(github.com/xcp-ng-rpms/xcp-ng-release SPECS/xcp-ng-release.spec, master at 124b9aca:
``%%rhel %{base_release_version}``, 7, and ``%%xenserver %{xenserver_major}``, 8, since
ee9be971 "Define %xenserver macro in /etc/rpm/macros.dist")."""
GLUSTERFS_SHAPE = (
    # xcp-ng-rpms/glusterfs SPECS/glusterfs.spec: which Python its subpackage is built for.
    "Name: case\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
    "%if ( 0%{?fedora} ) || ( 0%{?rhel} && 0%{?rhel} > 7 || 0%{?xenserver} >= 8)\n"
    "Source1: python3.tar.gz\n%else\nSource1: python2.tar.gz\n%endif\n"
    "%if 0%{?rhel}\nSource2: rhel.tar.gz\n%endif\n%description\nd\n%files\n"
)


def readme_project_file() -> str:
    """The README's ``auditor.toml`` block: the first TOML block of the section that shows it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("```toml\n[audit]\n") + len("```toml\n")
    return text[start : text.index("\n```", start)] + "\n"


def test_every_key_of_the_readme_project_file_is_read(tmp_path: Path) -> None:
    config = tmp_path / "auditor.toml"
    config.write_text(readme_project_file(), encoding="utf-8")
    project = load_project(str(config))
    assert project.fail_on is not None and {verdict.value for verdict in project.fail_on} == {
        "origin",
        "depends",
        "build-depends",
        "unresolved",
    }
    assert (project.arch, project.roots, project.stale_waivers) == (("x86_64",), ("xcp-ng-deps",), "warn")
    # Paths are relative to the file, as the README's comment says.
    assert project.policy_files == (str(tmp_path / "ours.toml"),)
    assert project.provenance == (str(tmp_path / "packages_provenance.csv"),)
    assert dict(project.defines) == XCPNG_83_MACROS
    assert project.undefines == ("_cov_buildrequires", "coverage", "fedora")
    assert project.policy is not None and [allow.id for allow in project.policy.allow] == [
        "lvm2-tarball-is-ours"
    ]
    assert [(waiver.package, waiver.status, waiver.rule) for waiver in project.waivers] == [
        ("sm*", "origin", "citrix-internal-host")
    ]


def test_the_readme_project_file_reads_xcp_ng_s_specs_as_its_build_hosts_do(tmp_path: Path) -> None:
    """The README told XCP-ng to ``--undefine xenserver`` and ``--undefine rhel``: its 8.3 build
    hosts define both (xcp-ng-release's macros.dist), so glusterfs's Python 3 subpackage was read
    as Python 2 and samba with the epoch and subpackages of a host without %rhel. The README's
    project file now reads a spec as rpmspec does with those macros."""
    from auditor.rpm.spec.parser import parse_spec

    config = tmp_path / "auditor.toml"
    config.write_text(readme_project_file(), encoding="utf-8")
    project = load_project(str(config))
    defines: dict[str, str | None] = dict(project.defines)
    defines.update(dict.fromkeys(project.undefines))
    spec = tmp_path / "case.spec"
    spec.write_text(GLUSTERFS_SHAPE, encoding="utf-8")
    macros = [word for name, value in XCPNG_83_MACROS.items() for word in ("--define", f"{name} {value}")]
    done = subprocess.run(
        ["rpmspec", *macros, "-q", "--srpm", "--qf", "[%{SOURCE}\\n]", str(spec)],
        capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    read = parse_spec(GLUSTERFS_SHAPE, str(spec), defines=defines)
    assert sorted(source.value for source in read.sources) == sorted(done.stdout.split())
    assert read.gaps == ()


def test_the_readme_project_file_waives_the_sm_family_on_the_shipped_example(tmp_path: Path) -> None:
    (tmp_path / "auditor.toml").write_text(readme_project_file(), encoding="utf-8")
    (tmp_path / "ours.toml").write_text("# no rules of our own yet\n", encoding="utf-8")
    (tmp_path / "packages_provenance.csv").write_text("SRPM_name;added_by\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            "--no-cache",
            str(EXAMPLE / "repo"),
            str(EXAMPLE / "srpms"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 1, done.stderr
    waived = [line.split(":")[1].strip() for line in done.stdout.splitlines() if line.startswith("waived: ")]
    # The waiver accepts the Citrix source of every package of the family, and nothing outside it.
    assert sorted(waived) == [
        "sm-2.30.8-1.xcpng.noarch",
        "sm-cli-2.30.8-1.xcpng.noarch",
        "sm-fairlock-2.30.8-1.xcpng.noarch",
    ]
    assert "sm-2.30.8-1.xcpng.noarch                    origin (waived)" in done.stdout
    # A waived origin does not clean what depends on it: the family's dependants still block.
    assert "xenopsd-0.150.0-1.xcpng.noarch              depends *" in done.stdout


# Files that make each error line the README shows under "The policy": the file the line names.
ERROR_SAMPLE_FILES = {
    "auditor.toml": '[audit]\ndefault-policy = "false"\n',
    "ours.toml": (
        "[[rule]]\nid = 'a'\nkind = 'host'\ndomains = ['a.example']\nseverity = 'high'\nmessage = 'm'\n"
        "[[rule]]\nid = 'b'\nkind = 'host'\ndomains = ['b.example']\nseverity = 'high'\nmessage = 'm'\n"
        "[[rule]]\nid = 'c'\nkind = 'host'\ndomains = ['c.example']\nseverity = 'severe'\nmessage = 'm'\n"
    ),
    "waivers.toml": "".join(
        f"[[waiver]]\npackage = 'p{index}'\nreason = 'r'\nexpires = 2027-01-01\n"
        + ("" if index == 3 else "owner = 'o'\n")
        for index in range(4)
    ),
}


def test_each_error_line_the_readme_shows_is_the_one_the_auditor_prints(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("```\nauditor: error: auditor.toml:") + len("```\n")
    samples = text[start : text.index("\n```", start)].splitlines()
    assert len(samples) == 4
    unknown_key = samples[2].split("'")[1]
    files = dict(ERROR_SAMPLE_FILES)
    files["unknown.toml"] = files["ours.toml"].replace(
        "domains = ['a.example']", f"{unknown_key} = ['a.example']", 1
    )
    for sample in samples:
        named = sample.split(": ")[2]
        workdir = tmp_path / str(samples.index(sample))
        workdir.mkdir()
        source = "unknown.toml" if "unknown key" in sample else named
        (workdir / named).write_text(files[source], encoding="utf-8")
        option = {"auditor.toml": [], "ours.toml": ["--policy", named], "waivers.toml": ["--waivers", named]}[
            named
        ]
        done = subprocess.run(
            [sys.executable, "-m", "auditor", "scan", "--no-cache", *option, str(EXAMPLE / "repo")],
            cwd=workdir,
            capture_output=True,
            text=True,
            check=False,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(workdir)},
        )
        assert (done.returncode, done.stderr) == (2, sample + "\n")
