"""A binary package that configures a Citrix repository, or trusts a Citrix key, is evidence.

XenServer's release packages ship ``.repo`` files naming its update servers: a package that
installs one makes every host that installs it fetch from Citrix, whatever its header says. The
auditor reads such files from the payload (``/etc/yum.repos.d/*.repo``, ``yum.conf``, ``dnf.conf``,
the package's own dnf variables, the keys under ``/etc/pki/rpm-gpg``) and judges their URLs and
keys with the policy's host and signing-key rules; what it cannot read is a ``payload-unread``
gap naming the file. The packages are real: rpmbuild makes them here, in each payload compression.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.formats.rpmheader import read_headers
from tests.httpserver import LocalServer
from tests.rpmbuild import build_noarch
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

CITRIX_REPO = """[xs-updates]
name=XenServer updates
baseurl=https://updates.xenserver.com/8/$basearch/
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-xs
[xs-mirrors]
mirrorlist=https://mirrors.citrix.com/list?repo=xs
[xs-linked]
metalink=https://repo.citrite.net/metalink?repo=xs
[xs-keyed]
baseurl=https://mirror.example.org/xs/
gpgkey=https://www.xenserver.com/keys/RPM-GPG-KEY-XS
"""
DISABLED_REPO = "[xs-old]\nenabled=0\nbaseurl=https://updates.xenserver.com/7/\n"
VARIABLE_REPO = "[xs-var]\nbaseurl=https://updates.$xsdomain/8/\n[other]\nbaseurl=https://$mirrorhost/x/\n"
CLEAN_REPO = (
    "[base]\nbaseurl=https://mirrors.xcp-ng.org/8/$releasever/base/$basearch/\n"
    "gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-xcpng\n[extra]\nenabled=0\n"
    "mirrorlist=https://mirrors.xcp-ng.org/list?arch=$basearch\n"
)
COMPRESSIONS = {"gzip": "w9.gzdio", "xz": "w9.xzdio", "zstd": "w19.zstdio", "bzip2": "w9.bzdio"}


def build(
    directory: Path,
    name: str,
    files: Mapping[str, bytes | str],
    *,
    ghosts: Sequence[str] = (),
    links: Mapping[str, str] | None = None,
    payload: str | None = None,
) -> tuple[Path, Path]:
    """The source RPM and the noarch binary rpmbuild makes of a package installing ``files``
    (path: content), ``ghosts`` as ``%ghost`` files and ``links`` (path: target) as symbolic
    links, its payload compressed as ``payload`` says (rpm's ``_binary_payload``)."""
    install = ["mkdir -p %{buildroot}"]
    for path, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        install.append(f"mkdir -p %{{buildroot}}{os.path.dirname(path)}")
        install.append(f"echo {base64.b64encode(data).decode()} | base64 -d > %{{buildroot}}{path}")
    for path in ghosts:
        install.append(f"mkdir -p %{{buildroot}}{os.path.dirname(path)}")
        install.append(f"echo '[ghost]' > %{{buildroot}}{path}")
    for path, target in (links or {}).items():
        install.append(f"mkdir -p %{{buildroot}}{os.path.dirname(path)}")
        install.append(f"ln -s {target} %{{buildroot}}{path}")
    listed = [*files, *(f"%ghost {path}" for path in ghosts), *(links or {})]
    spec = directory / f"{name}.spec"
    spec.write_text(
        f"Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "%description\nd\n%install\n" + "\n".join(install) + "\n%files\n" + "\n".join(listed) + "\n"
    )
    defines = {"_binary_payload": payload} if payload else None
    return build_noarch(spec, directory / f"top-{name}", [], defines=defines)


def scan(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *args, "--format", "json", "-q", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def package(document: dict[str, Any], name: str) -> dict[str, Any]:
    """The binary package ``name`` of a report."""
    return next(item for item in document["packages"] if item["name"] == name and item["arch"] != "src")


def findings(document: dict[str, Any], name: str) -> dict[str, tuple[str, str, str]]:
    """A package's findings by where: (value, severity, status of blocking)."""
    return {
        item["field"]: (item["value"], item["severity"], item["disposition"])
        for item in package(document, name)["findings"]
    }


def payload_gaps(document: dict[str, Any], name: str) -> list[str]:
    return [gap["detail"] for gap in package(document, name)["gaps"] if gap["kind"] == "payload-unread"]


@dataclass
class Built:
    srpm: Path
    rpm: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    assert shutil.which("rpmbuild"), "install rpm (Debian package rpm): the packages are made by rpmbuild"
    directory = tmp_path_factory.mktemp("payload-config")
    made = {
        "xs-release": build(directory, "xs-release", {"/etc/yum.repos.d/xs.repo": CITRIX_REPO}),
        "xs-disabled": build(directory, "xs-disabled", {"/etc/yum.repos.d/old.repo": DISABLED_REPO}),
        "xs-vars": build(
            directory,
            "xs-vars",
            {"/etc/yum.repos.d/var.repo": VARIABLE_REPO, "/etc/dnf/vars/xsdomain": "xenserver.com\n"},
        ),
        "clean-release": build(
            directory,
            "clean-release",
            {"/etc/yum.repos.d/xcp-ng.repo": CLEAN_REPO, "/etc/yum.conf": "[main]\n"},
        ),
        "ghosted": build(
            directory,
            "ghosted",
            {"/usr/share/doc/ghosted/README": "x\n"},
            ghosts=["/etc/yum.repos.d/xs.repo"],
        ),
    }
    for kind, payload in COMPRESSIONS.items():
        made[f"xs-{kind}"] = build(
            directory, f"xs-{kind}", {"/etc/yum.repos.d/xs.repo": CITRIX_REPO}, payload=payload
        )
    return {name: Built(*pair) for name, pair in made.items()}


XS_FINDINGS = {
    "/etc/yum.repos.d/xs.repo [xs-updates] baseurl": (
        "https://updates.xenserver.com/8/$basearch/", "medium", "blocks"),
    "/etc/yum.repos.d/xs.repo [xs-mirrors] mirrorlist": (
        "https://mirrors.citrix.com/list?repo=xs", "medium", "blocks"),
    "/etc/yum.repos.d/xs.repo [xs-linked] metalink": (
        "https://repo.citrite.net/metalink?repo=xs", "high", "blocks"),
    "/etc/yum.repos.d/xs.repo [xs-keyed] gpgkey": (
        "https://www.xenserver.com/keys/RPM-GPG-KEY-XS", "medium", "blocks"),
}  # fmt: skip
"""The Citrix URLs of `CITRIX_REPO`, each where it is: its file, section and key. The clean
``baseurl`` beside the Citrix ``gpgkey`` and the ``file:`` key are none."""


def test_an_installed_citrix_repository_is_origin_evidence(
    built: dict[str, Built], capsys: pytest.CaptureFixture[str]
) -> None:
    release = built["xs-release"]
    code, document = scan([str(release.srpm), str(release.rpm), "--strict"], capsys)
    assert findings(document, "xs-release") == XS_FINDINGS
    assert package(document, "xs-release")["status"] == "origin"
    assert payload_gaps(document, "xs-release") == []  # $basearch in a path is the host's own
    assert code == 1


def test_a_disabled_section_is_evidence_that_does_not_block(
    built: dict[str, Built], capsys: pytest.CaptureFixture[str]
) -> None:
    disabled = built["xs-disabled"]
    code, document = scan([str(disabled.srpm), str(disabled.rpm), "--strict"], capsys)
    [finding] = package(document, "xs-disabled")["findings"]
    assert finding["field"] == "/etc/yum.repos.d/old.repo [xs-old] baseurl"
    assert finding["severity"] == "info" and not finding["blocks"]
    assert "disabled" in finding["message"]
    assert package(document, "xs-disabled")["status"] == "clean"
    assert code == 0


def test_a_variable_the_package_gives_is_expanded_and_one_it_does_not_is_a_gap(
    built: dict[str, Built], capsys: pytest.CaptureFixture[str]
) -> None:
    variables = built["xs-vars"]
    code, document = scan([str(variables.srpm), str(variables.rpm)], capsys)
    assert findings(document, "xs-vars") == {
        "/etc/yum.repos.d/var.repo [xs-var] baseurl": ("https://updates.xenserver.com/8/", "medium", "blocks")
    }
    [gap] = payload_gaps(document, "xs-vars")
    assert gap.startswith("/etc/yum.repos.d/var.repo [other] baseurl: https://$mirrorhost/x/: $mirrorhost")
    assert [gap["kind"] for gap in package(document, "xs-vars")["gaps"]] == ["payload-unread"]  # said once
    assert code == 1


def test_an_include_yum_follows_is_judged_and_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """yum 3 reads the file an ``include=`` line names in its place: its URL is judged, and what
    it would add is unseen."""
    included = build(
        tmp_path, "included", {"/etc/yum.conf": "[main]\ninclude=https://updates.xenserver.com/xs.repo\n"}
    )
    code, document = scan(list(map(str, included)), capsys)
    assert findings(document, "included") == {
        "/etc/yum.conf include": ("https://updates.xenserver.com/xs.repo", "medium", "blocks")
    }
    assert payload_gaps(document, "included") == [
        "/etc/yum.conf include=https://updates.xenserver.com/xs.repo: yum 3 reads what it names, not followed "
        "here; what it configures is unseen"
    ]
    assert code == 1


def test_a_repository_url_without_a_host_is_a_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostless = build(tmp_path, "hostless", {"/etc/yum.repos.d/h.repo": "[h]\nbaseurl=https://:443/x/\n"})
    code, document = scan(list(map(str, hostless)), capsys)
    [gap] = package(document, "hostless")["gaps"]
    assert (gap["kind"], gap["detail"]) == (
        "url-without-host", "/etc/yum.repos.d/h.repo [h] baseurl: https://:443/x/ (no host can be read from it)")  # fmt: skip
    assert code == 0 and document["summary"]["headline"] == "incomplete"


def test_a_clean_configuration_is_clean_and_complete(
    built: dict[str, Built], capsys: pytest.CaptureFixture[str]
) -> None:
    clean = built["clean-release"]
    code, document = scan([str(clean.srpm), str(clean.rpm), "--strict"], capsys)
    assert package(document, "clean-release")["findings"] == []
    assert package(document, "clean-release")["gaps"] == []
    assert (code, document["summary"]["headline"]) == (0, "passed")


@pytest.mark.parametrize("kind", COMPRESSIONS)
def test_every_payload_compression_is_read(
    kind: str, built: dict[str, Built], capsys: pytest.CaptureFixture[str]
) -> None:
    one = built[f"xs-{kind}"]
    assert read_headers_of(one.rpm).main.string(1125) == (
        "gzip" if kind == "gzip" else kind
    )  # PAYLOADCOMPRESSOR
    code, document = scan([str(one.srpm), str(one.rpm)], capsys)
    assert findings(document, f"xs-{kind}") == XS_FINDINGS
    assert payload_gaps(document, f"xs-{kind}") == []
    assert code == 1


def test_a_ghost_configuration_is_not_read_and_no_gap(
    built: dict[str, Built], capsys: pytest.CaptureFixture[str]
) -> None:
    ghosted = built["ghosted"]
    code, document = scan([str(ghosted.srpm), str(ghosted.rpm), "--strict"], capsys)
    assert package(document, "ghosted")["findings"] == [] and package(document, "ghosted")["gaps"] == []
    assert code == 0


def test_a_linked_configuration_is_read_from_its_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``.repo`` file that is a symbolic link to a file of the package is read from that file,
    judged where the host reads it; one to a file the package does not hold is a gap, unless that
    file is itself one the auditor reads where it is installed from (``/etc/yum.conf`` ->
    ``dnf/dnf.conf``, as Fedora's yum package ships it)."""
    linked = build(
        tmp_path, "linked", {"/usr/share/linked/xs.repo": CITRIX_REPO},
        links={"/etc/yum.repos.d/xs.repo": "../../usr/share/linked/xs.repo", "/etc/yum.repos.d/gone.repo":
               "/usr/share/elsewhere/gone.repo", "/etc/yum.conf": "dnf/dnf.conf"},
    )  # fmt: skip
    code, document = scan(list(map(str, linked)), capsys)
    assert findings(document, "linked") == XS_FINDINGS
    assert payload_gaps(document, "linked") == [
        "/etc/yum.repos.d/gone.repo (a repository configuration it installs): a symbolic link to a file the "
        "package does not hold; the repositories it points its hosts at are unseen"
    ]
    assert code == 1


def read_headers_of(path: Path) -> Any:
    with path.open("rb") as stream:
        return read_headers(stream, str(path), path.stat().st_size)


def cut_after_header(rpm: Path, directory: Path) -> Path:
    """A copy of ``rpm`` whose payload is cut a few bytes after its header."""
    end = read_headers_of(rpm).header_end
    cut = directory / rpm.name
    cut.write_bytes(rpm.read_bytes()[: end + 16])
    return cut


def test_an_unreadable_payload_is_a_gap_and_the_others_findings_stay(
    built: dict[str, Built], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release, variables = built["xs-release"], built["xs-vars"]
    cut = cut_after_header(release.rpm, tmp_path)
    args = [str(release.srpm), str(cut), str(variables.srpm), str(variables.rpm)]
    code, document = scan(args, capsys)
    [gap] = payload_gaps(document, "xs-release")
    assert gap.startswith("/etc/yum.repos.d/xs.repo (a repository configuration it installs): its payload")
    assert gap.endswith("the repositories it points its hosts at are unseen")
    assert package(document, "xs-release")["findings"] == []
    assert "/etc/yum.repos.d/var.repo [xs-var] baseurl" in findings(document, "xs-vars")
    assert code == 3  # the cut file is an input error too
    assert scan([*args, "--strict"], capsys)[0] == 3


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A key made by gpg: its id and its armored export."""
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    env = {"GNUPGHOME": str(home), "PATH": os.environ["PATH"], "LC_ALL": "C"}

    def gpg(*args: str) -> str:
        done = subprocess.run(["gpg", "--batch", *args], capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    try:
        gpg("--passphrase", "", "--quick-gen-key", "vendor <vendor@example.org>", "ed25519", "sign", "never")
        listing = gpg("--with-colons", "--list-keys", "vendor@example.org")
        key_id = next(line.split(":")[4].lower() for line in listing.splitlines() if line.startswith("pub:"))
        yield key_id, gpg("--armor", "--export", "vendor@example.org")
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False)


def test_an_installed_citrix_key_is_evidence(
    signing_key: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_id, armored = signing_key
    keyed = build(tmp_path, "xs-keys", {"/etc/pki/rpm-gpg/RPM-GPG-KEY-vendor": armored})
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
        f'keys = ["{key_id}"]\nmessage = "A vendor release key"\nreference = "r"\n'
    )
    code, document = scan([*map(str, keyed), "--policy", str(policy)], capsys)
    [finding] = package(document, "xs-keys")["findings"]
    assert (finding["rule"], finding["field"], finding["value"]) == (
        "vendor-key", "/etc/pki/rpm-gpg/RPM-GPG-KEY-vendor", key_id)  # fmt: skip
    assert finding["message"].startswith(f"Installs the Citrix signing key {key_id} as trusted")
    assert code == 1
    # Without the rule, the key is no evidence, and the file was read: no gap.
    code, document = scan(list(map(str, keyed)), capsys)
    assert package(document, "xs-keys")["findings"] == [] and package(document, "xs-keys")["gaps"] == []
    assert code == 0


def test_a_repository_of_it_is_read_by_default_and_metadata_only_adds_no_gap(
    built: dict[str, Built], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shutil.which("createrepo_c"), "install createrepo-c"
    repository = tmp_path / "repo"
    repository.mkdir()
    for path in (built["xs-release"].srpm, built["xs-release"].rpm):
        shutil.copy(path, repository)
    subprocess.run(["createrepo_c", "-q", str(repository)], check=True)
    code, document = scan([str(repository)], capsys)
    assert findings(document, "xs-release") == XS_FINDINGS
    assert code == 1
    # Read from its metadata alone, the repository is a metadata-only gap already: no other.
    code, document = scan([str(repository), "--metadata-only"], capsys)
    assert package(document, "xs-release")["findings"] == []
    assert "payload-unread" not in json.dumps(document)
    assert {"reason": "metadata-only", "count": 2} in document["completeness"]["reasons"]


FORMATS = ("json", "sarif", "table", "html", "markdown", "junit", "cyclonedx", "spdx")


@pytest.mark.parametrize("form", FORMATS)
def test_every_format_shows_the_finding_and_the_gap(
    form: str, built: dict[str, Built], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release, variables = built["xs-release"], built["xs-vars"]
    cut = cut_after_header(release.rpm, tmp_path)
    code = main(["scan", str(release.srpm), str(cut), str(variables.srpm), str(variables.rpm), "--format", form,
                 "-q", "--no-cache", "--strict"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 3
    assert "/etc/yum.repos.d/var.repo [xs-var] baseurl" in out, form  # the finding's where
    assert "https://updates.xenserver.com/8/" in out, form
    assert "/etc/yum.repos.d/xs.repo (a repository configuration it installs)" in out, form  # the gap


def test_a_remote_binary_s_payload_is_streamed_to_its_last_configuration(
    built: dict[str, Built], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Over HTTP, the payload of a binary whose header lists such a file is read by range from
    its first byte, within the spec budgets; a second run takes the evidence from the store,
    and ``--offline`` with neither store nor fetch says what it could not see."""
    packages = tmp_path / "www" / "repo" / "Packages"
    packages.mkdir(parents=True)
    for name in ("xs-release", "clean-release"):
        for path in (built[name].srpm, built[name].rpm):
            shutil.copy(path, packages)
    subprocess.run(["createrepo_c", "-q", str(packages.parent)], check=True)
    cache = str(tmp_path / "cache")
    with LocalServer(tmp_path / "www") as server:
        args = [server.url("/repo/"), "--cache-dir", cache]
        code = main(["scan", *args, "--format", "json", "-q"])
        document = json.loads(capsys.readouterr().out)
        assert findings(document, "xs-release") == XS_FINDINGS
        assert package(document, "clean-release")["gaps"] == []
        assert (code, document["errors"]) == (1, [])
        payload_start = read_headers_of(built["xs-release"].rpm).header_end
        asked = [
            headers.get("range")
            for _verb, path, headers in server.requests
            if "xs-release-1-1.noarch" in path
        ]
        assert f"bytes={payload_start}-" in " ".join(map(str, asked))
        server.requests.clear()
        code = main(["scan", *args, "--format", "json", "-q"])
        assert findings(json.loads(capsys.readouterr().out), "xs-release") == XS_FINDINGS
        assert not [path for _verb, path, _headers in server.requests if path.endswith(".rpm")]
    code, document = scan([server.url("/repo/"), "--cache-dir", cache, "--offline"], capsys)
    [gap] = payload_gaps(document, "xs-release")
    assert "--offline forbids fetching its payload" in gap and code == 0


def test_the_message_of_a_repository_a_binary_installs_says_what_it_does_to_its_hosts(
    built: dict[str, Built], capsys: pytest.CaptureFixture[str]
) -> None:
    """The host rules' messages speak of where a package is built from ("so the package cannot
    be rebuilt independently"): an installed repository's finding says what it does instead."""
    release = built["xs-release"]
    _, document = scan([str(release.srpm), str(release.rpm)], capsys)
    messages = {
        item["message"]
        for item in package(document, "xs-release")["findings"]
        if item["field"].startswith("/")
    }
    assert messages and all(
        m.endswith("(a repository it installs: its hosts fetch packages there)") for m in messages
    )
    disabled = built["xs-disabled"]
    _, document = scan([str(disabled.srpm), str(disabled.rpm)], capsys)
    [finding] = package(document, "xs-disabled")["findings"]
    assert finding["message"].endswith("(a repository it installs, its section disabled)")
