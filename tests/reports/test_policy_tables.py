"""A provenance table decides findings as much as a policy file does: the reports that name
the policy's files name its tables too (JSON, HTML and both SBOMs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS


@pytest.fixture
def policy(tmp_path: Path) -> tuple[Path, Path]:
    table = tmp_path / "provenance.csv"
    table.write_text("SRPM_name;added_by\nepochs;XS\n")
    path = tmp_path / "extra.toml"
    path.write_text(
        '[[rule]]\nid = "recorded"\nkind = "provenance"\nseverity = "high"\nmessage = "m"\nfile = "provenance.csv"\n'
    )
    return path, table


def _scan(policy: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(
        ["scan", str(RPMS), "--policy", str(policy), "--format", fmt, "--no-cache", "--fail-on", "none"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_the_json_report_lists_the_tables_beside_the_policy_files(
    policy: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, table = policy
    document = json.loads(_scan(path, "json", capsys))
    assert str(path) in document["policy"]["sources"]
    assert document["policy"]["tables"] == [str(table)]
    assert any(f["rule"] == "recorded" for p in document["packages"] for f in p["facts"])


@pytest.mark.parametrize("fmt", ["html", "cyclonedx", "spdx"])
def test_the_other_reports_that_name_the_policy_name_its_tables(
    policy: tuple[Path, Path], fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, table = policy
    assert str(table) in _scan(policy[0], fmt, capsys)


def test_without_a_provenance_rule_there_is_no_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(RPMS), "--format", "json", "--no-cache", "--fail-on", "none"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["policy"]["tables"] == []
