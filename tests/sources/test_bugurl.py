"""BugURL is evidence, read where the URL tag is: a Citrix bug tracker ties a package to Citrix.

rpm records the spec's ``BugURL:`` (RPMTAG_BUGURL, 5012) in the source and binary headers; a
subpackage inherits the main package's unless it has its own. repodata carries none, so only a
header read sees it. The packages are built by rpmbuild and indexed by createrepo_c; rpm and
rpmspec say what each carries.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.cli.main import main
from auditor.origin.policy import load_policy
from auditor.rpm.model import Package
from auditor.runtime.identity import file_identity
from auditor.runtime.store import Store
from auditor.sources.interface import LoadResult
from auditor.sources.rpmbatch import file_key, read_rpm_files
from auditor.sources.rpmpackage import read_rpm_file
from auditor.sources.specs import read_spec_file
from tests.httpserver import LocalServer, redirect

CITRIX_BUGS = "https://bugs.xenserver.com/browse/BUGS"
OWN_BUGS = "https://bugs.example.org/own"
SPEC = f"""Name: bugs
Version: 1.0
Release: 1
Summary: s
License: MIT
URL: https://example.org/bugs
BugURL: {CITRIX_BUGS}
BuildArch: noarch
%description
d
%package inherit
Summary: inherits the main package's BugURL
%description inherit
d
%package own
Summary: has its own
BugURL: {OWN_BUGS}
%description own
d
%files
%files inherit
%files own
"""
HOSTS_POLICY = """schema = 1
[[rule]]
id = "xenserver-host"
kind = "host"
severity = "high"
domains = ["xenserver.com"]
message = "on a XenServer host"
reference = "https://example.org/policy"
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dist/``: the spec, ``repo/`` (the binary RPMs) and ``SRPMS/`` beside it, each indexed."""
    for tool in ("rpmbuild", "createrepo_c"):
        assert shutil.which(tool), f"install {tool} (Debian: rpm, createrepo-c)"
    dist = tmp_path_factory.mktemp("dist")
    spec = dist / "bugs.spec"
    spec.write_text(SPEC)
    top, repo, sources = dist / "top", dist / "repo", dist / "SRPMS"
    defines = {"_topdir": top, "_rpmdir": repo, "_srcrpmdir": sources}
    places = [item for name, value in defines.items() for item in ("--define", f"{name} {value}")]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(dist), "LC_ALL": "C"}
    done = subprocess.run(
        ["rpmbuild", "-ba", "--quiet", *places, str(spec)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    for made in (repo, sources):
        subprocess.run(["createrepo_c", "--quiet", str(made)], check=True, capture_output=True)
    return dist


def rpm_bugurl(path: Path) -> str | None:
    out = subprocess.run(
        ["rpm", "-qp", "--qf", "%{BUGURL}", str(path)], capture_output=True, text=True, check=True
    )
    return None if out.stdout == "(none)" else out.stdout


def test_the_bugurl_read_is_the_one_rpm_reads(built: Path) -> None:
    files = sorted(built.glob("*/**/*.rpm"))
    assert len(files) == 4
    read = {path.name: read_rpm_file(str(path)).bugurl for path in files}
    assert read == {path.name: rpm_bugurl(path) for path in files}
    assert read == {
        "bugs-1.0-1.noarch.rpm": CITRIX_BUGS,
        "bugs-inherit-1.0-1.noarch.rpm": CITRIX_BUGS,
        "bugs-own-1.0-1.noarch.rpm": OWN_BUGS,
        "bugs-1.0-1.src.rpm": CITRIX_BUGS,
    }


def rpmspec(spec: Path, *options: str) -> dict[str, str]:
    """``NAME -> BUGURL`` of what rpmspec says ``spec`` builds (``--builtrpms``, ``--srpm``)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(spec.parent), "LC_ALL": "C"}
    command = ["rpmspec", "-q", *options, "--qf", "%{NAME} %{BUGURL}\n", str(spec)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def test_the_bugurl_of_each_spec_package_is_rpmspecs(built: Path) -> None:
    """The main package's, a subpackage's own, and the one a subpackage inherits; the source
    package's is the main package's."""
    spec = built / "bugs.spec"
    read = read_spec_file(str(spec))
    assert {p.name: p.bugurl for p in read if not p.is_source} == rpmspec(spec, "--builtrpms")
    assert {p.name: p.bugurl for p in read if p.is_source} == rpmspec(spec, "--srpm") == {"bugs": CITRIX_BUGS}
    assert rpmspec(spec, "--builtrpms")["bugs-inherit"] == CITRIX_BUGS


def scan(
    args: list[str], capsys: pytest.CaptureFixture[str], fmt: str = "json"
) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *args, "--format", fmt, "-q", "--fail-on", "none", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def bugurl_findings(document: dict[str, Any]) -> dict[str, list[tuple[str, str, str | None]]]:
    """Per package, its BugURL findings: rule, value, and the package it inherits them from."""
    return {
        package["nevra"]: [
            (finding["rule"], finding["value"], finding.get("inherited_from"))
            for finding in package["findings"]
            if finding["field"] == "bugurl"
        ]
        for package in document["packages"]
    }


OWN = ("citrix-corporate-host", CITRIX_BUGS, None)
INHERITED = ("citrix-corporate-host", CITRIX_BUGS, "bugs-1.0-1.src")


@pytest.fixture
def www(built: Path, tmp_path: Path) -> Path:
    """What the test HTTP server serves (`tests.conftest.server`): the built repository and its
    source packages beside it."""
    root = tmp_path / "www"
    for name in ("repo", "SRPMS"):
        shutil.copytree(built / name, root / name)
    return root


@pytest.mark.parametrize("inputs", ["spec", "files", "repository", "remote"])
def test_a_citrix_bugurl_is_origin_evidence(
    built: Path, inputs: str, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read from the spec, from the RPM files, and from a repository, local or over HTTP (binary
    headers read, its source packages found beside it): each package that carries it has the
    finding, field bugurl."""
    if inputs == "remote":
        server: LocalServer = request.getfixturevalue("server")
        args = [server.url("/repo/")]
    else:
        args = {
            "spec": [str(built / "bugs.spec")],
            "files": [str(path) for path in sorted(built.glob("*/**/*.rpm"))],
            "repository": [str(built / "repo")],
        }[inputs]
    _, document = scan(args, capsys)
    assert bugurl_findings(document) == {
        "bugs-1.0-1.src": [OWN],
        "bugs-1.0-1.noarch": [OWN],
        "bugs-inherit-1.0-1.noarch": [OWN],
        "bugs-own-1.0-1.noarch": [INHERITED],
    }
    statuses = {package["nevra"]: package["status"] for package in document["packages"]}
    assert set(statuses.values()) == {"origin"}


def test_metadata_alone_cannot_see_it_and_says_so(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, document = scan(
        [str(built / "repo"), "--metadata-only", "--no-source-discovery", "--no-cache"], capsys
    )
    assert all(not found for found in bugurl_findings(document).values())
    reasons = {item["reason"] for item in document["completeness"]["reasons"]}
    assert "metadata-only" in reasons


def test_a_policy_of_host_rules_alone_reads_the_binary_headers(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a header carries BugURL: a host rule is reason enough to read the binaries' headers."""
    policy = tmp_path / "hosts.toml"
    policy.write_text(HOSTS_POLICY)
    args = [str(built / "repo"), "--no-source-discovery", "--no-default-policy", "--policy", str(policy)]
    _, document = scan(args, capsys)
    found = bugurl_findings(document)
    assert found["bugs-1.0-1.noarch"] == [("xenserver-host", CITRIX_BUGS, None)]
    assert found["bugs-own-1.0-1.noarch"] == []


def test_the_sbom_names_the_bug_tracker(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.reports.test_report_sbom import valid

    _, bom = scan([str(built / "repo")], capsys, "cyclonedx")
    assert valid(json.dumps(bom))
    trackers = {
        component["name"]: [
            ref["url"] for ref in component.get("externalReferences", ()) if ref["type"] == "issue-tracker"
        ]
        for component in bom["components"]
    }
    assert trackers["bugs-own"] == [OWN_BUGS] and trackers["bugs"] == [CITRIX_BUGS]


def test_a_stored_model_keeps_the_bugurl_and_one_without_it_is_read_again(
    built: Path, tmp_path: Path
) -> None:
    path = next(built.glob("repo/**/bugs-own-1.0-1.noarch.rpm"))
    store = Store(str(tmp_path / "store"))
    assert store.enabled
    [first] = read_rpm_files([str(path)], store)
    key = file_key(file_identity(str(path)), str(path))
    stored = store.get_package(key)
    assert isinstance(first, Package) and stored is not None and stored["bugurl"] == OWN_BUGS
    [again] = read_rpm_files([str(path)], store)
    assert isinstance(again, Package) and again.bugurl == OWN_BUGS
    # A model of the shape stored before BugURL was read must not read as a package without one.
    del stored["bugurl"]
    store.put_packages([(key, stored)])
    [reread] = read_rpm_files([str(path)], store)
    assert isinstance(reread, Package) and reread.bugurl == OWN_BUGS


def test_resolve_urls_follows_a_bugurl_as_it_follows_the_url(
    built: Path, server: LocalServer, tmp_path: Path
) -> None:
    """A BugURL on a neutral host that redirects to a Citrix one is evidence, as a URL tag is."""
    from auditor.net.options import HttpSettings, RemoteOptions
    from auditor.net.remote import Remote
    from auditor.origin.redirects import UrlResolver, policy_guard

    server.routes["/bugs"] = redirect("https://bugs.xenserver.com/browse/OWN")
    policy = load_policy()
    remote = Remote(
        RemoteOptions(http=HttpSettings(backoff=0.01), cache_dir=str(tmp_path)), policy_guard(policy)
    )
    package = read_rpm_file(str(next(built.glob("repo/**/bugs-own-1.0-1.noarch.rpm"))))
    loaded = LoadResult(packages=[replace(package, bugurl=server.url("/bugs"), url=None)])
    audit = audit_packages(
        AuditOptions(("x",)),
        policy,
        loaded,
        LoadResult(),
        extra_findings=UrlResolver(policy, remote).findings,
    )
    [finding] = audit.results[0].findings
    assert (finding.field, finding.rule) == ("bugurl", "citrix-corporate-host")
    assert finding.value == f"{server.url('/bugs')} -> https://bugs.xenserver.com/browse/OWN"
