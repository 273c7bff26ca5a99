"""The plan ranks what the audit is about: the origin packages it audits, and those of the
context (``--with``) or outside ``--roots`` that an audited package may need, never the
others. ``plan xcp-ng --with centos --with xs-testing`` listed every Citrix package of the
testing repository and every firmware package of CentOS, each holding back nothing, where
``scan`` of the same inputs shows none of them. Packages built by rpmbuild, repodata by
createrepo_c."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository


def plan(args: list[str], capsys: pytest.CaptureFixture[str]) -> set[str]:
    capsys.readouterr()
    assert main(["plan", *args, "--format", "json", "-q", "--no-cache"]) == 0
    return {item["source"] for item in json.loads(capsys.readouterr().out)["replace"]}


def scanned_origins(args: list[str], capsys: pytest.CaptureFixture[str]) -> set[str]:
    """The sources of the origin packages ``scan`` names: its rows, and the package each
    chain ends at."""
    capsys.readouterr()
    main(["scan", *args, "--format", "json", "-q", "--no-cache"])
    rows = json.loads(capsys.readouterr().out)["packages"]
    named = {row["name"] for row in rows if row["status"] == "origin"}
    return named | {fact["ends_at"] for row in rows for fact in row["facts"] if fact.get("ends_at")}


def test_context_origin_packages_nothing_audited_needs_are_not_in_the_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = build_repository([{"name": "app", "requires": ["lib"]}], tmp_path / "xcp")
    context = build_repository(
        [
            {"name": "xs-lib", "provides": ["lib"], **CITRIX},
            {"name": "xs-unrelated", **CITRIX},
            {"name": "blob-firmware"},  # origin by the policy below, as CentOS's firmware is
        ],
        tmp_path / "context",
    )
    args = [str(target), "--with", str(context), "--policy", str(_firmware_policy(tmp_path))]
    assert plan(args, capsys) == {"xs-lib"} == scanned_origins(args, capsys)


def test_origin_packages_outside_the_roots_are_not_in_the_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = build_repository(
        [
            {"name": "meta", "requires": ["mid"]},
            {"name": "mid", "requires": ["xs-needed"]},
            {"name": "xs-needed", **CITRIX},
            {"name": "xs-elsewhere", **CITRIX},
        ],
        tmp_path / "t",
    )
    args = [str(repo), "--roots", "meta"]
    assert plan(args, capsys) == {"xs-needed"} == scanned_origins(args, capsys)
    assert plan([str(repo)], capsys) == {"xs-needed", "xs-elsewhere"}  # without roots, both are audited


def _firmware_policy(directory: Path) -> Path:
    """A policy rule that makes the context's firmware an origin package by its name, as the
    default licence rules make CentOS's ``Redistributable, no modification permitted`` ones."""
    path = directory / "firmware.toml"
    path.write_text(
        'schema = 1\n[[rule]]\nid = "firmware"\nkind = "component"\nseverity = "high"\n'
        'message = "firmware"\nreference = "https://example.org/"\n'
        '[[rule.component]]\nname = "blob-firmware"\nwhat = "a firmware blob"\n'
    )
    return path
