"""Acceptance of issue 11: scanned the way users scan, an XCP-ng-shaped repository shows
the origins that reading every RPM file in full shows.

The layout is XCP-ng's: ``8.2/base/x86_64/`` (binaries) beside ``8.2/base/Source/`` (their
source RPMs), both with createrepo_c metadata, from the real fixtures (tests/data/README.md):
two source RPMs without a SPEC tag, as rpm 4.11 built XenServer's (``nospec``, whose
Citrix-hosted Source1 is only in the spec in its payload; ``bcond-citrix``, whose Citrix
Source0 is behind a conditional rpm takes), one whose SPEC tag names Citrix hosts and whose
Vendor is Citrix (``xs-sources``), and a signed binary. The three ways users scan: the local
directory, the same over HTTP on 127.0.0.1, and a ``.repo`` file naming the binary and the
source repository. The reference reads every RPM file in full (``--read-rpms``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.conftest import DATA
from tests.httpserver import LocalServer
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves


@pytest.fixture
def www(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    shutil.copytree(DATA / "repo", root / "8.2" / "base" / "x86_64")
    shutil.copytree(DATA / "srpm-repo", root / "8.2" / "base" / "Source")
    return root


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["scan", *args, "--format", "json", "-q", "--no-cache"])
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert document["errors"] == []
    return document


def origins(document: dict[str, Any]) -> set[str]:
    return {p["nevra"] for p in document["packages"] if p["status"] == "origin"}


def evidence(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """Every origin finding: package, field and the value that matched."""
    return {
        (p["nevra"], f["field"], f["value"])
        for p in document["packages"]
        for f in p["findings"]
        if p["status"] == "origin"
    }


def test_every_way_of_scanning_finds_the_origins_of_reading_every_file(
    www: Path, server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = www / "8.2" / "base"
    cache = ["--cache-dir", str(tmp_path / "cache")]
    reference = scan([str(base), "--read-rpms"], capsys)
    expected = origins(reference)
    # The evidence only the payload's spec holds is among them.
    assert {
        "nospec-1.0-1.src",
        "nospec-1.0-1.noarch",
        "bcond-citrix-1.0-1.src",
        "xs-sources-1.0-1.src",
    } <= expected
    config = tmp_path / "xcp-ng.repo"
    config.write_text(
        f"[xcp-ng-base]\nname=XCP-ng base\nbaseurl={server.url('/8.2/base/x86_64/')}\nenabled=1\n\n"
        f"[xcp-ng-base-source]\nname=XCP-ng base sources\nbaseurl={server.url('/8.2/base/Source/')}\nenabled=0\n"
    )
    ways = {
        "local directory": [str(base / "x86_64")],
        "over HTTP": [server.url("/8.2/base/x86_64/"), *cache],
        ".repo file": [str(config), *cache],
    }
    for way, args in ways.items():
        document = scan(args, capsys)
        assert origins(document) == expected, way
        assert evidence(document) == evidence(reference), way
        assert sorted(p["nevra"] for p in document["packages"]) == sorted(
            p["nevra"] for p in reference["packages"]
        )
        assert "source-not-audited" not in {r["reason"] for r in document["completeness"]["reasons"]}, way
