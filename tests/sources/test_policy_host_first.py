"""A section whose repository URLs list a policy host before the one the auditor reads.

dnf (librepo) fetches the metadata, then each package, from the first URL that answers: the
packages read from the second URL are downloaded from the policy host. The section was a
config finding and its packages clean: a baseline accepting the config line let every new
package of the repository pass. Each package now carries that download URL as its
``location`` evidence (as an ``xml:base`` there does), and what needs it ``depends``. Real RPMs
(rpmbuild), real repositories (createrepo_c), a real HTTP server on 127.0.0.1; the policy host
is never contacted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.httpserver import LocalServer
from tests.net.test_download_redirected import SPEC
from tests.rpmbuild import build_noarch
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

CITRIX = "https://updates.xenserver.com/lib/"


@pytest.fixture(scope="module")
def www(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``/lib/`` (``libdl``) and ``/app/`` (``app``, which Requires ``libdl``), binaries only."""
    top = tmp_path_factory.mktemp("built")
    for name, extra in (("libdl", ""), ("app", "Requires: libdl")):
        root = top / "www" / ("lib" if name == "libdl" else "app")
        root.mkdir(parents=True)
        spec = top / f"{name}.spec"
        spec.write_text(SPEC.format(name=name, extra=extra))
        shutil.copy(build_noarch(spec, top / name, [])[1], root)
        subprocess.run(["createrepo_c", "-q", str(root)], check=True)
    return top / "www"


def scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], *inputs: str) -> tuple[int, dict[str, Any]]:
    args = [*inputs, "--cache-dir", str(tmp_path / "cache"), "--retries", "0", "--format", "json"]
    code = main(["scan", *args])
    return code, json.loads(capsys.readouterr().out)


def statuses(document: dict[str, Any]) -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    return {
        package["name"]: (
            package["status"],
            [(f["field"], f["value"], f["rule"]) for f in package["findings"]],
        )
        for package in document["packages"]
    }


def configurations(server: LocalServer, www: Path) -> dict[str, str]:
    mirror = server.url("/lib/")
    (www / "first.list").write_text(f"{CITRIX}\n{mirror}\n")
    (www / "only.list").write_text(f"{CITRIX}\n")
    return {
        "baseurl": f"baseurl={CITRIX}\n        {mirror}\n",
        "baseurl, yum's comma": f"baseurl={CITRIX},{mirror}\n",
        # The packages' URLs have the dot segments removed, as librepo's requests do: the
        # mirror's own path is compared so (they read clean beside the config finding alone).
        "baseurl, a dot segment": f"baseurl={CITRIX}\n        {server.url('/app/../lib/')}\n",
        "mirrorlist": f"mirrorlist={server.url('/first.list')}\n",
        "a mirrorlist beside a baseurl": f"mirrorlist={server.url('/first.list')}\nbaseurl={mirror}\n",
        "a mirrorlist dnf reads, of the policy host alone, a baseurl read instead": (
            f"mirrorlist={server.url('/only.list')}\nbaseurl={mirror}\n"
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "baseurl",
        "baseurl, yum's comma",
        "baseurl, a dot segment",
        "mirrorlist",
        "a mirrorlist beside a baseurl",
        "a mirrorlist dnf reads, of the policy host alone, a baseurl read instead",
    ],
)
def test_packages_read_after_a_policy_host_carry_where_dnf_downloads_them(
    www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    config = tmp_path / "lib.repo"
    with LocalServer(www) as server:
        config.write_text(f"[lib]\nname=lib\n{configurations(server, www)[case]}gpgcheck=0\n")
        code, document = scan(tmp_path, capsys, str(config), server.url("/app/"))
    found = statuses(document)
    assert found["libdl"] == (
        "origin",
        [("location", CITRIX + "libdl-1.0-1.noarch.rpm", "citrix-corporate-host")],
    )
    assert found["app"][0] == "depends"
    assert code == 1


def test_a_policy_host_listed_after_the_mirror_read_is_no_download_of_its_packages(
    www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dnf goes to the next URL only when one fails: the first answered, and serves them."""
    config = tmp_path / "lib.repo"
    with LocalServer(www) as server:
        config.write_text(f"[lib]\nname=lib\nbaseurl={server.url('/lib/')}\n        {CITRIX}\n")
        code, document = scan(tmp_path, capsys, str(config), server.url("/app/"))
    assert {name: status for name, (status, _found) in statuses(document).items()} == {
        "libdl": "clean",
        "app": "clean",
    }
    assert [(item["key"], item["url"]) for item in document["config_findings"]] == [("baseurl", CITRIX)]
    assert code == 1  # the config line itself


def test_a_section_sharing_the_reading_of_an_earlier_one_says_what_its_packages_cannot_carry(
    www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read once for the first section, clean there, the packages are not read again for the
    second: what dnf downloads from the policy host through it is a gap, never silently clean."""
    config = tmp_path / "lib.repo"
    with LocalServer(www) as server:
        mirror = server.url("/lib/")
        config.write_text(f"[plain]\nbaseurl={mirror}\n[first]\nbaseurl={CITRIX}\n        {mirror}\n")
        code, document = scan(tmp_path, capsys, str(config))
    gaps = document["completeness"]["gaps"]
    said = [gap["capability"] for gap in gaps if gap["rule"] == "gap:repository-not-read"]
    assert any(f"downloads its packages from {CITRIX} first" in detail for detail in said), said
    assert code == 1


def test_a_baseline_accepting_the_section_does_not_let_a_new_package_of_the_repository_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Recorded today, the baseline accepts the config line and libdl; a package the repository
    publishes tomorrow is downloaded from the policy host too: new evidence, which blocks."""
    served = tmp_path / "www"
    (served / "lib").mkdir(parents=True)

    def publish(name: str) -> None:  # its source package too: the baseline records a whole audit
        spec = tmp_path / f"{name}.spec"
        spec.write_text(SPEC.format(name=name, extra=""))
        for made in build_noarch(spec, tmp_path / name, []):
            shutil.copy(made, served / "lib")
        subprocess.run(["createrepo_c", "-q", str(served / "lib")], check=True)

    publish("libdl")
    config = tmp_path / "lib.repo"
    baseline = tmp_path / "baseline.json"
    with LocalServer(served) as server:
        config.write_text(f"[lib]\nname=lib\nbaseurl={CITRIX}\n        {server.url('/lib/')}\n")
        common = [
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--retries",
            "0",
            "--baseline",
            str(baseline),
        ]
        assert main(["baseline", *common, "-q"]) == 0
        assert main(["scan", *common, "-q", "--format", "json"]) == 0
        capsys.readouterr()
        publish("newer")
        code, document = scan(tmp_path, capsys, *common[:1], *common[3:])
    newer = next(item for item in document["packages"] if item["nevra"] == "newer-1.0-1.noarch")
    assert newer["status"] == "origin"
    assert ("location", CITRIX + "newer-1.0-1.noarch.rpm") in [
        (f["field"], f["value"]) for f in newer["findings"]
    ]
    assert [f["disposition"] for f in newer["findings"]] == ["blocks"] * len(newer["findings"])
    assert code == 1
