"""How the policy's layers combine, and what the combination may not be (red team 6, #11, #12, #18)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.origin.policy import default_policy_path
from tests.origin.scanned import rules_of, scan, write_spec

CITRIX = ("Vendor: Citrix Systems, Inc.", "License: Proprietary")
HIGH_RULE = (
    '[[rule]]\nid = "ours"\nkind = "field"\nseverity = "high"\nfields = ["vendor"]\n'
    "pattern = '(?i)citrix'\nmessage = \"m\"\n"
)


def one_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_no_default_policy_and_no_other_is_a_policy_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no origin rule every package is clean: that is no proof, and is not reported as one."""
    spec = write_spec(tmp_path, "a", *CITRIX)
    code, _, err = scan(capsys, spec, "--no-default-policy")
    assert code == 2
    assert one_error(err).startswith("auditor: error: --no-default-policy: the policy has no origin rule")


def test_default_policy_false_in_the_project_file_is_a_policy_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(tmp_path, "a", *CITRIX)
    (tmp_path / "auditor.toml").write_text("[audit]\ndefault-policy = false\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = scan(capsys, spec)
    assert code == 2
    assert "audit.default-policy = false: the policy has no origin rule" in one_error(err)


def test_a_policy_of_evidence_only_rules_is_a_policy_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The provenance table alone is evidence only (info): nothing could ever block."""
    spec = write_spec(tmp_path, "a", *CITRIX)
    table = tmp_path / "prov.csv"
    table.write_text("SRPM_name;added_by;import_reason;latest_release_URL;latest_release_regexp\na;XS;;;\n")
    code, _, err = scan(capsys, spec, "--no-default-policy", "--provenance", table)
    assert code == 2
    assert "no rule at or above its taint-severity (medium)" in one_error(err)


def test_no_default_policy_with_rules_of_ones_own_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, "a", *CITRIX)
    policy = tmp_path / "ours.toml"
    policy.write_text(HIGH_RULE)
    code, findings, err = scan(capsys, spec, "--no-default-policy", "--policy", policy)
    assert (code, rules_of(findings["a"]), err) == (1, ["ours"], "")


EXTENDED_COMPONENTS = """[[rule]]
id = "xenserver-proprietary-component"
kind = "component"
severity = "high"
message = "Known XenServer-only component"
[[rule.component]]
name = "my-blob"
what = "one more proprietary component"
"""


def test_a_policy_file_replacing_a_shipped_rule_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Extending the component list by its id drops the shipped components: the run says so, on
    standard error once and in the report, each time the report is given (replayed too)."""
    more = tmp_path / "more.toml"
    more.write_text(EXTENDED_COMPONENTS)
    specs = [write_spec(tmp_path, "emu-manager"), write_spec(tmp_path, "my-blob")]
    args = ["scan", *map(str, specs), "--policy", str(more), "--format", "json", "-q"]
    for _run in ("audited", "replayed"):
        code = main(args)
        captured = capsys.readouterr()
        (line,) = captured.err.splitlines()
        assert line.startswith(f"auditor: warning: {more}: rule[0]: rule xenserver-proprietary-component ")
        assert f"replaces the one of {default_policy_path()} whole" in line
        report = json.loads(captured.out)
        assert report["warnings"] == [line.removeprefix("auditor: warning: ")]
        found = {p["name"]: rules_of(p["findings"]) for p in report["packages"] if p["kind"] == "binary"}
        assert (code, found) == (1, {"emu-manager": [], "my-blob": ["xenserver-proprietary-component"]})


def test_the_project_policy_replacing_a_rule_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(tmp_path, "a", *CITRIX)
    (tmp_path / "auditor.toml").write_text(
        EXTENDED_COMPONENTS.replace("[[rule]]", "[[policy.rule]]").replace("[[rule.", "[[policy.rule.")
    )
    monkeypatch.chdir(tmp_path)
    _, _, err = scan(capsys, spec)
    assert one_error(err).startswith(
        "auditor: warning: auditor.toml: policy.rule[0]: rule xenserver-proprietary-component replaces"
    )


def test_a_new_rule_id_adds_without_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    more = tmp_path / "more.toml"
    more.write_text(
        EXTENDED_COMPONENTS.replace('id = "xenserver-proprietary-component"', 'id = "our-components"')
    )
    specs = [write_spec(tmp_path, "emu-manager"), write_spec(tmp_path, "my-blob")]
    code, findings, err = scan(capsys, *specs, "--policy", more)
    assert (code, err) == (1, "")
    assert {name: rules_of(found) for name, found in findings.items()} == {
        "emu-manager": ["xenserver-proprietary-component"],
        "my-blob": ["our-components"],
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[allow]]\nid = "typo"\npackages = ["*"]\nrules = ["citrix-vendr"]\nreason = "r"\n',
            'allow[0]: rules: "citrix-vendr" matches no rule of the policy (known: ',
        ),
        (
            '[[allow]]\nid = "half"\npackages = ["*"]\nrules = ["citrix-vendor", "citrix-pakager"]\nreason = "r"\n',
            'allow[0]: rules: "citrix-pakager" matches no rule',
        ),
        (
            '[settings]\ntier-severity = { public_org = "low" }\n',
            'settings.tier-severity.public_org: no rule of the policy has the tier "public_org" '
            "(tiers: corporate, internal, public-org)",
        ),
    ],
)
def test_an_allow_or_a_tier_that_names_nothing_is_a_policy_error(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It would silently do nothing, as a waiver's unknown rule would: both are errors."""
    ours = tmp_path / "ours.toml"
    ours.write_text(text)
    code, _, err = scan(capsys, write_spec(tmp_path, "a", *CITRIX), "--policy", ours)
    assert code == 2
    assert one_error(err).startswith(f"auditor: error: {ours}: ")
    assert message in err


def test_an_allow_glob_and_a_known_tier_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ours = tmp_path / "ours.toml"
    ours.write_text(
        '[settings]\ntier-severity = { public-org = "low" }\n'
        '[[allow]]\nid = "ours"\npackages = ["a"]\nrules = ["citrix-*"]\nreason = "reviewed"\n'
    )
    code, findings, err = scan(capsys, write_spec(tmp_path, "a", *CITRIX), "--policy", ours)
    assert (code, err) == (1, "")
    assert {(f["rule"], f["disposition"]) for f in findings["a"]} == {
        ("citrix-vendor", "allowed"),
        ("proprietary-license", "blocks"),
    }


def test_an_allow_of_the_provenance_rule_is_read_without_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``xenserver-provenance`` exists only with ``--provenance``: a project that allows some of
    its findings runs without the table at times (a contributor's local run), and must still run."""
    ours = tmp_path / "ours.toml"
    ours.write_text(
        '[[allow]]\nid = "imported"\npackages = ["a"]\nrules = ["xenserver-provenance"]\nreason = "r"\n'
    )
    code, _, err = scan(capsys, write_spec(tmp_path, "a", *CITRIX), "--policy", ours)
    assert (code, err) == (1, "")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "no such file or directory"),
        ("not a key\n", "not an OpenPGP public key"),
        ("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----\n", "not base64"),
    ],
    ids=["missing", "text", "bad armor"],
)
def test_a_key_file_that_is_no_public_key_is_a_policy_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, said: str
) -> None:
    spec = write_spec(tmp_path, "a", *CITRIX)
    if content is not None:
        (tmp_path / "KEY").write_text(content)
    policy = tmp_path / "keys.toml"
    policy.write_text('[[rule]]\nid = "k"\nkind = "signing-key"\nseverity = "high"\nkey-files = ["KEY"]\n'
                      'message = "m"\nreference = "r"\n')  # fmt: skip
    code, _, err = scan(capsys, spec, "--policy", policy)
    assert code == 2 and "key-files[0]" in one_error(err) and said in one_error(err)
