"""A provenance row read is never skipped for how its origin is spelled (red team 6, #14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.origin.scanned import rules_of, scan, write_spec

TABLE = (
    "SRPM_name;added_by;import_reason;latest_release_URL;latest_release_regexp\n"
    "acl;XS;;;\nfoo;xs;;;\nbar;XenServer;imported from XS 8.3;;\nbaz;  xenSERVER ;;;\nown;XCP-ng;;;\n"
)
IMPORTED = {"acl": True, "foo": True, "bar": True, "baz": True, "own": False}


def specs(tmp_path: Path) -> list[Path]:
    (tmp_path / "prov.csv").write_text(TABLE)
    return [write_spec(tmp_path, name) for name in IMPORTED]


def test_the_provenance_option_reads_xs_in_any_case_and_xenserver(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, findings, _ = scan(capsys, *specs(tmp_path), "--provenance", tmp_path / "prov.csv")
    assert {name: rules_of(found) == ["xenserver-provenance"] for name, found in findings.items()} == IMPORTED
    assert code == 0  # --provenance is evidence only (info), by design


def test_a_provenance_rule_compares_its_origins_without_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = specs(tmp_path)
    policy = tmp_path / "p.toml"
    policy.write_text(
        '[[rule]]\nid = "xs-imported"\nkind = "provenance"\nseverity = "high"\nfile = "prov.csv"\n'
        'message = "imported from XenServer"\n'
        '[[rule]]\nid = "listed-origin"\nkind = "provenance"\nseverity = "high"\nfile = "prov.csv"\n'
        'origins = [" xcp-ng "]\nmessage = "ours"\n'
    )
    code, findings, _ = scan(capsys, *inputs, "--policy", policy)
    assert {name: rules_of(found) for name, found in findings.items()} == {
        **{name: ["xs-imported"] for name in ("acl", "foo", "bar", "baz")},
        "own": ["listed-origin"],
    }
    assert code == 1
