"""Arguments are checked before anything is read: a usage error (exit 2) names the value and the
valid choices; a report that cannot be used as an input is an input error (exit 3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.deps.provides import KNOWN_ARCHES
from tests.conftest import RPMS
from tests.paths import ROOT

ONE = str(RPMS / "single-deps-1.0-1.noarch.rpm")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([*args, "-q", "--no-cache"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("auditor: error: "), err
    return lines[0]


def test_an_unknown_arch_is_a_usage_error_naming_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["scan", str(RPMS), "--arch", "x86-64"], capsys)
    line = one_error(err)
    assert code == 2 and out == ""
    assert "--arch: 'x86-64' is not an architecture rpm knows" in line
    assert "x86_64" in line and "aarch64" in line and "noarch" in line


def test_an_unknown_arch_in_the_project_file_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "auditor.toml"
    project.write_text('[audit]\narch = ["x86_64", "amd-64"]\n')
    code, _, err = run(["scan", ONE, "--config", str(project)], capsys)
    assert code == 2 and f"{project}: audit.arch: 'amd-64' is not an architecture" in one_error(err)


def test_every_arch_rpm_knows_is_accepted() -> None:
    """Differential: the architectures of the installed rpm's ``rpmrc`` (rpm 4.18 here)."""
    rpmrc = Path("/usr/lib/rpm/rpmrc").read_text()
    known = set(re.findall(r"^arch_compat:\s*(\S+):", rpmrc, re.M))
    assert len(known) > 50 and known <= KNOWN_ARCHES


def test_known_arches_still_audit(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["scan", str(RPMS / "multilib-1.0-1.i686.rpm"), "--arch", "i686", "--fail-on", "none"], capsys
    )
    assert code == 0 and "1 package audited" in out


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "'' has an empty item"),
        ("origin,,depends", "has an empty item"),
        ("none,origin", "none (nothing blocks) cannot be combined"),
        ("origin,none", "none (nothing blocks) cannot be combined"),
        ("orign", "'orign' is not a status"),
        # No fact is clean: it blocked nothing while reports listed it as a blocking status.
        ("clean", "'clean' is not a finding and can never block"),
        ("origin,clean", "'clean' is not a finding and can never block"),
    ],
)
def test_fail_on_must_name_statuses_or_none(
    value: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["scan", ONE, "--fail-on", value], capsys)
    line = one_error(err)
    assert code == 2 and out == "" and says in line
    assert "origin, depends, may-depend, build-depends, unresolved" in line and "clean," not in line


def test_a_project_file_cannot_fail_on_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "auditor.toml"
    project.write_text('[audit]\nfail-on = ["clean"]\n')
    code, out, err = run(["scan", ONE, "--config", str(project)], capsys)
    assert code == 2 and out == "" and "audit.fail-on: 'clean' is not a finding" in one_error(err)


def test_fail_on_none_alone_still_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["scan", str(RPMS), "--fail-on", " none "], capsys)
    assert code == 0


@pytest.mark.parametrize(
    ("versions", "says"),
    [
        (">= 1 2", "'1 2' is not a version"),
        (">=", "'>=' has no version"),
        ("1.0", "'1.0' does not start with <, <=, =, >= or >"),
        ("~ 1", "'~ 1' does not start with"),
        ("= 1:", "'1:' is not a version"),
        ("= 1.0-", "'1.0-' is not a version"),
        ("= :1", "':1' is not a version"),
        ("> a:1", "'a:1' is not a version"),
        (">= 1,", "has an empty comparison"),
        # A range left blank (a template's variable unset) scoped nothing: the waiver took every version.
        ("", "'' names no version"),
    ],
)
def test_a_waiver_version_that_does_not_parse_is_exit_2(
    versions: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        f'[[waiver]]\npackage = "single-deps"\nversions = {json.dumps(versions)}\n'
        'reason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    code, out, err = run(["scan", ONE, "--waivers", str(waivers)], capsys)
    line = one_error(err)
    assert code == 2 and out == "" and f"{waivers}" in line and says in line


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        (
            "gap:nothing-audited",
            "rule 'gap:nothing-audited' names a gap of an input or of the run (nothing-audited)",
        ),
        ("gap:empty-input", "(empty-input), which no waiver can accept"),
        ("gap:priority-*", "(priority-not-modelled), which no waiver can accept"),
        ("gap:[ef]*-input", "(empty-input), which no waiver can accept"),
    ],
)
def test_a_waiver_of_a_gap_no_waiver_can_accept_is_exit_2_when_loaded(
    rule: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rt21: loaded, then reported stale at the end of the run (which blocks only with
    --stale-waivers block), while its author believed the run's gap accepted."""
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        f'[[waiver]]\npackage = "*"\nrule = {json.dumps(rule)}\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    code, out, err = run(["scan", ONE, "--waivers", str(waivers)], capsys)
    line = one_error(err)
    assert code == 2 and out == "" and f"{waivers}: waiver *#0: " in line and says in line


@pytest.mark.parametrize("rule", ["gap:*", "gap:metadata-only", "gap:file-*", "gap:unexpanded-source"])
def test_a_waiver_of_gaps_a_package_can_have_is_accepted(
    rule: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        f'[[waiver]]\npackage = "*"\nrule = {json.dumps(rule)}\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    code, _, err = run(["scan", ONE, "--waivers", str(waivers), "--fail-on", "none"], capsys)
    assert code == 0 and "auditor: error" not in err


def test_a_waiver_version_rpm_writes_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\npackage = "single-deps"\nversions = ">= 0:1.0~rc1-1.el7, < 2^git1"\n'
        'reason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    code, _, err = run(["scan", ONE, "--waivers", str(waivers), "--fail-on", "none"], capsys)
    assert code == 0 and "auditor: error" not in err


def _report(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, out, _ = run(["scan", ONE, "--format", "json"], capsys)
    assert code in (0, 1)
    document: dict[str, object] = json.loads(out)
    return document


def _corrupt(document: dict[str, object], how: str) -> str:
    packages = document["packages"]
    assert isinstance(packages, list)
    if how == "deep-nesting":
        return '{"packages": ' + "[" * 100_000 + "]" * 100_000 + "}"
    if how == "huge-integer":
        return json.dumps(document).replace('"packages": [', '"x": ' + "9" * 5000 + ', "packages": [', 1)
    if how == "infinite-epoch":
        packages[0]["epoch"] = 1e400  # json.dumps writes Infinity
    elif how == "package-is-a-list":
        packages[0] = ["not", "a", "package"]
    elif how == "facts-is-a-number":
        packages[0]["facts"] = 7
    elif how == "gaps-is-a-string":
        document["completeness"] = {"gaps": "nope"}
    elif how == "blocking-is-a-list":
        document["summary"] = {"blocking_facts": [1]}
    elif how == "deep-text":
        packages[0]["facts"] = [{"text": [[[[[]]]]]}]
    return json.dumps(document)


@pytest.mark.parametrize(
    "how",
    [
        "deep-nesting",
        "huge-integer",
        "infinite-epoch",
        "package-is-a-list",
        "facts-is-a-number",
        "gaps-is-a-string",
        "blocking-is-a-list",
        "deep-text",
    ],
)
def test_a_corrupt_json_report_given_to_diff_is_an_input_error(
    how: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    document = _report(capsys)
    good.write_text(json.dumps(document))
    bad = tmp_path / "bad.json"
    bad.write_text(_corrupt(document, how))
    code, out, err = run(["diff", str(good), str(bad)], capsys)
    line = one_error(err)
    assert code == 3 and out == "" and line.startswith(f"auditor: error: {bad}: ")
    assert "internal" not in line


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "2,nan", "inf,30", "86401"])
def test_a_timeout_no_clock_takes_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """float() reads these; they reached the first request and ended the run with exit 4."""
    code, _, err = run(["scan", "https://127.0.0.1:9/repo/", "--timeout", value, "--offline"], capsys)
    assert code == 2
    assert f"--timeout: {value!r} is not SECONDS or CONNECT,READ" in err


@pytest.mark.parametrize("option", ["--min-rate", "--max-download", "--spec-download-budget"])
def test_a_size_under_one_byte_is_a_usage_error(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    """0.5 was read as 0 bytes: for --min-rate, no minimum at all, the opposite of the ask."""
    code, _, err = run(["scan", ONE, option, "0.5"], capsys)
    assert code == 2
    assert f"{option}: '0.5' is not a size" in err


def test_an_empty_cache_directory_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """`--cache-dir "$CACHE"` with the variable unset used the default cache, which a release gate
    gives its own directory to stay out of."""
    code, _, err = run(["scan", ONE, "--cache-dir", ""], capsys)
    assert code == 2
    assert "--cache-dir: '' names no directory" in err


@pytest.mark.parametrize("option", ["--basearch", "--releasever"])
def test_an_empty_variable_option_is_a_usage_error(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`--basearch "$ARCH"` with the variable unset read x86_64's repositories without a word."""
    code, _, err = run(["scan", ONE, option, ""], capsys)
    assert code == 2
    assert f"{option}: '' is empty" in err


def test_a_purl_namespace_for_a_format_without_purls_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """As --focus and --sarif-max-results are: an option the format never reads was dropped
    without a word, and the SBOM the user meant to name was not what was written."""
    code, out, err = run(["scan", ONE, "--purl-namespace", "xcp-ng", "--format", "json"], capsys)
    assert code == 2 and out == ""
    assert one_error(err) == (
        "auditor: error: --purl-namespace xcp-ng: only the SBOM formats (cyclonedx, spdx) write purls"
    )
    code, out, _ = run(["scan", ONE, "--purl-namespace", "xcp-ng", "--format", "cyclonedx"], capsys)
    assert code != 2 and "pkg:rpm/xcp-ng/single-deps@" in out


def test_each_fail_on_adds_its_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    """The last --fail-on alone was kept: `--fail-on origin --fail-on build-depends` passed (exit 0)
    a run whose origin package blocks under the first."""
    origin = str(RPMS / "xs-sources-1.0-1.noarch.rpm")
    code, _, err = run(["scan", origin, "--fail-on", "build-depends"], capsys)
    assert code == 0, err
    assert run(["scan", origin, "--fail-on", "origin", "--fail-on", "build-depends"], capsys)[0] == 1
    assert run(["scan", origin, "--fail-on", "build-depends", "--fail-on", "origin"], capsys)[0] == 1
    code, _, err = run(["scan", origin, "--fail-on", "none", "--fail-on", "origin"], capsys)
    assert code == 2 and "none (nothing blocks) cannot be combined with statuses" in one_error(err)


@pytest.mark.parametrize(
    ("command", "option"), [("scan", "--config"), ("scan", "--baseline"), ("baseline", "--baseline")]
)
def test_a_file_a_run_reads_one_of_given_twice_is_a_usage_error(
    command: str, option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first was dropped without a word: a project file's policy and waivers, a baseline."""
    first, second = tmp_path / "a.file", tmp_path / "b.file"
    code, out, err = run([command, ONE, option, str(first), option, str(second)], capsys)
    assert code == 2 and out == ""
    assert f"{option}: given twice ({first} and {second}); a run reads one" in err.splitlines()[-1]


def test_roots_and_against_given_again_add_to_the_first(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse kept the last list alone: `--roots xcp-ng-deps --roots ocaml` audited ocaml's
    closure only, one clean package and exit 0, beside a release of origin packages; a second
    --against made BASE the second path alone."""
    example = ROOT / "examples" / "xcp-ng-mini"
    inputs = [str(example / "repo"), str(example / "srpms")]
    code, out, _ = run(["scan", *inputs, "--roots", "xcp-ng-deps", "--roots", "ocaml"], capsys)
    assert code == 1
    together = out.splitlines()[-1]
    code, out, _ = run(["scan", *inputs, "--roots", "xcp-ng-deps", "ocaml"], capsys)
    assert code == 1 and out.splitlines()[-1] == together
    change = str(example / "repo" / "Packages" / "ocaml-4.14.1-1.xcpng.noarch.rpm")
    code, out, _ = run(["check", change, "--against", inputs[0], "--against", inputs[1]], capsys)
    assert code == 0 and "blocking facts (per package) 51 -> 51" in out


def test_an_empty_compare_or_baseline_path_is_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--compare ""` was no --compare at all (exit 0, no comparison), and `baseline --baseline
    ""` wrote ./.auditor-baseline.json: a variable left unset names no file, said as such."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["scan", ONE, "--compare", "", "--fail-on", "none"], capsys)
    assert code == 3 and one_error(err) == "auditor: error: : no such file or directory"
    code, _, err = run(["baseline", ONE, "--baseline", ""], capsys)
    assert code == 2 and one_error(err) == "auditor: error: --baseline: '' names no file"
    assert not (tmp_path / ".auditor-baseline.json").exists()


def test_no_install_weak_deps_without_roots_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """It changed nothing and said nothing: only the closure of --roots follows weak dependencies."""
    code, out, err = run(["scan", ONE, "--no-install-weak-deps"], capsys)
    assert code == 2 and out == ""
    assert "--no-install-weak-deps: only --roots (or audit.roots)" in one_error(err)
    assert run(["scan", ONE, "--no-install-weak-deps", "--roots", "single-deps"], capsys)[0] != 2


def test_an_arch_that_leaves_every_package_out_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """An x86_64 package audited for an s390x host: an audit of nothing (exit 3) that said only
    "nothing was audited"; `check` said why, `scan` did not."""
    code, _, err = run(["scan", str(RPMS / "multilib-1.0-1.x86_64.rpm"), "--arch", "s390x"], capsys)
    assert code == 3
    assert "auditor: warning: none of the 1 package(s) read is one a host of --arch s390x installs" in err


@pytest.mark.parametrize(
    "command",
    [
        ["scan", str(ROOT / "examples" / "xcp-ng-mini" / "repo")],
        ["plan", str(ROOT / "examples" / "xcp-ng-mini" / "repo")],
    ],
    ids=["scan", "plan"],
)
def test_format_given_twice_is_a_usage_error(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--format sarif -o results.sarif`` with a ``--format json`` a wrapper script added wrote
    JSON into the file code scanning reads: as ``-o``, ``--config`` and ``--baseline`` given
    twice, two formats for one report are refused before the audit, and nothing is written."""
    report = tmp_path / "results.sarif"
    code, out, err = run([*command, "--format", "json", "-o", str(report), "--format", "table"], capsys)
    assert code == 2 and out == ""
    assert "--format: given twice (json and table); a report has one format" in err
    assert not report.exists()
