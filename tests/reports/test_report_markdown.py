"""The Markdown report: a short pull-request comment whose package data cannot become markup."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.gate.options import GateOptions
from auditor.reports import markdown
from auditor.reports.comment import MAX_COMMENT_CHARS
from auditor.reports.render import FORMATS
from auditor.reports.text import code_span
from benchmarks.generators.rpmmd import write_repository
from tests.conftest import RPMS
from tests.report_cases import CITRIX, TODAY, audit_of, gate_view, scan, view_of, waiver
from tests.reports.test_graph_size import _fragments


def test_markdown_summary(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = scan([str(RPMS), "--format", "markdown"], capsys)
    assert out.startswith("## ❌ auditor: 19 blocking\n")
    assert (
        "| origin | 6 | 6 | 0 |" in out
        and "| unresolved | 13 | 13 | 0 |" in out
        and "| clean | 21 | 0 | 0 |" in out
    )
    rows = [line for line in out.splitlines() if line.startswith("| `")]
    assert len(rows) == 19
    assert rows[0].startswith("| `bcond-citrix-1.0-1.src` | **origin** (blocking) | `[citrix-internal-host]")
    assert rows[1].startswith("| `nospec-1.0-1.noarch` | **origin** (blocking) | `[citrix-internal-host]")
    assert out.count("<details>") == out.count("</details>") == 19
    assert "  - `built from nospec-1.0-1.src`" in out


def test_markdown_marks_waivers_and_keeps_untrusted_text_inert() -> None:
    out = FORMATS["markdown"](gate_view(hostile=True))
    assert "| `xapi-tools-1.0-1.noarch` | depends (waived) |" in out
    assert "| `chooser-1.0-1.noarch` | may-depend |" in out
    row = next(line for line in out.splitlines() if line.startswith("| `xenlicense"))
    # The vendor's pipe is escaped, its backticks need a longer fence, its HTML stays in the code span.
    assert row.endswith("| ``[citrix-vendor] vendor: Citrix \\| `@team` <script>alert(1)</script>\ufffd`` |")
    assert len(re.findall(r"(?<!\\)\|", row)) == 4
    assert "<summary><code>evil&quot;\\pkg&lt;b&gt;&amp;-1.0-1.noarch</code>: origin</summary>" in out
    # Nested chain: the package, then each hop one level deeper.
    chain = out[out.index("<summary><code>xapi-1.0-1.noarch</code>") :].split("</details>")[0]
    assert "\n- `xapi-1.0-1.noarch`\n  - `needs xenlicense-1.0-1.noarch (for xenlicense >= 1.0)`\n" in chain


def test_markdown_stays_short_on_big_inputs() -> None:
    specs = [{"name": "vendor", **CITRIX}] + [
        {"name": f"app{n:04d}", "requires": ["vendor"]} for n in range(400)
    ]
    out = FORMATS["markdown"](view_of(audit_of(specs)))
    left = 401 - markdown.MAX_ROWS
    assert f"... and {left} more flagged packages ({left} blocking) not listed here: the JSON report" in out
    assert f"... and {401 - markdown.MAX_DETAILS} more blocking packages not detailed here: the JSON" in out
    assert out.count("<details>") == markdown.MAX_DETAILS
    assert len(out) < 40_000


def test_markdown_of_thousands_of_waived_facts_fits_a_comment_and_shows_what_blocks() -> None:
    """A distribution waived by category, one package still blocking and a stale waiver that
    blocks: the comment listed every waived fact (1.7 MB on distro-10k; GitHub refuses a
    comment over 65,536 characters, so the verdict was never posted), the stale waiver last."""
    specs: list[dict[str, Any]] = [{"name": "vendor", **CITRIX}, {"name": "culprit", **CITRIX}]
    specs += [{"name": f"app{n:04d}", "requires": ["vendor"]} for n in range(2000)]
    waivers = [waiver("vendor", "v"), waiver("app*", "apps"), waiver("gone-package", "stale")]
    view = view_of(audit_of(specs), waivers, GateOptions(today=TODAY, stale_waivers_block=True))
    out = FORMATS["markdown"](view)
    assert len(out) <= MAX_COMMENT_CHARS
    assert out.startswith("## ❌ auditor: 1 blocking, and stale waivers block\n")
    assert out.index("stale waiver stale (gone-package): matches nothing (blocking)") < out.index(
        "### Flagged"
    )
    assert "| `culprit-1.0-1.noarch` | **origin** (blocking) |" in out
    assert f"- ... and {2001 - markdown.MAX_ROWS} more: the JSON report's `gate` lists them all" in out


def test_markdown_lists_some_stale_waivers_and_counts_the_rest() -> None:
    """Thousands of waivers left over from packages gone: one line each, before the flagged
    packages, pushed them all out of the comment."""
    specs: list[dict[str, Any]] = [{"name": "culprit", **CITRIX}]
    waivers = [waiver(f"gone-{n:04d}-{'g' * 40}", f"stale{n}") for n in range(2000)]
    view = view_of(audit_of(specs), waivers, GateOptions(today=TODAY, stale_waivers_block=True))
    out = FORMATS["markdown"](view)
    assert out.count("- `stale waiver ") == markdown.MAX_LISTED
    assert f"- ... and {2000 - markdown.MAX_LISTED} more expired or stale waivers" in out
    assert "| `culprit-1.0-1.noarch` | **origin** (blocking) |" in out


def test_markdown_of_long_names_is_cut_to_a_comment_and_says_so() -> None:
    """Names of 2,000 characters (repository metadata bounds none): the capped lists alone make
    megabytes. The comment keeps its first lines whole, closes the block it cut and counts the rest."""
    long = "x" * 2000
    specs: list[dict[str, Any]] = [{"name": f"vendor-{long}", **CITRIX}]
    specs += [{"name": f"app{n:03d}-{long}", "requires": [f"vendor-{long}"]} for n in range(200)]
    out = FORMATS["markdown"](view_of(audit_of(specs)))
    assert len(out) <= MAX_COMMENT_CHARS
    assert out.startswith("## ❌ auditor: 201 blocking\n\n201 packages audited from 0 input(s); 201 blocking")
    assert re.search(r"\*\*\.\.\. \d+ more lines left out here: GitHub holds no comment over 65,536", out)
    assert out.count("<details>") == out.count("</details>")
    assert out.endswith("`--format html` gives the whole report.\n")


def test_markdown_of_names_longer_than_a_comment_still_shows_what_blocks() -> None:
    """Three names of 25,000 characters in the list of what was not seen filled the comment:
    the flagged packages were all left out. Each name or text is cut to `MAX_ITEM` characters."""
    long = "z" * 25_000
    specs: list[dict[str, Any]] = [{"name": f"vendor-{long}", **CITRIX}]
    specs += [{"name": f"app{n}-{long}", "requires": [f"vendor-{long}"]} for n in range(5)]
    out = FORMATS["markdown"](view_of(audit_of(specs)))
    assert len(out) <= MAX_COMMENT_CHARS
    assert "### Flagged packages" in out and "### Why they block" in out
    assert f"| `vendor-{'z' * (markdown.MAX_ITEM - 8)}…` | **origin** (blocking) |" in out


def test_diff_and_check_comments_of_a_change_touching_thousands_of_packages_fit_a_comment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A library turning Citrix under 3,000 packages of long names: `diff` and `check` listed
    each one (2 MB on distro-10k), a comment GitHub refuses. Now 100 of each section, and past
    the bound the first lines, the count of those left out, and check's summary with its exit
    code last."""
    apps = [f"app-{n:04d}-{'y' * 1000}" for n in range(3000)]
    for side, vendor in (("old", "XCP-ng"), ("new", "Citrix Systems, Inc.")):
        packages = [_fragments("lib", [], vendor)] + [_fragments(name, ["lib"], "XCP-ng") for name in apps]
        write_repository(str(tmp_path / side), packages, len(packages))
    spec = tmp_path / "lib.spec"
    spec.write_text(
        "Name: lib\nVersion: 2.0\nRelease: 1\nSummary: s\nLicense: MIT\nVendor: Citrix Systems, Inc.\nBuildArch: noarch\n"
        "%description\nd\n%files\n"
    )
    said = {}
    for command in (
        ["diff", str(tmp_path / "old"), str(tmp_path / "new")],
        ["check", str(spec), "--against", str(tmp_path / "old")],
    ):
        main([*command, "--format", "markdown", "-q", "--no-cache"])
        said[command[0]] = capsys.readouterr().out
    for out in said.values():
        assert len(out) <= MAX_COMMENT_CHARS
        assert re.search(r"\*\*\.\.\. \d+ more lines left out here: GitHub holds no comment", out)
    # The change's own evidence first among the facts that now block.
    blocking = said["check"].split("**Facts that now block**\n\n")[1].splitlines()
    assert blocking[2] == "| `lib` | `[citrix-vendor] vendor: Citrix Systems, Inc.` |"
    assert said["diff"].startswith("### Independence progress\n\n- blocking facts (per package) 0 -> 3001")
    assert said["check"].startswith("### ❌ auditor check: this change makes things worse: 3001 new blocking")
    assert said["check"].endswith(
        "2 new package(s) (2 with a new fact), 3000 other package(s) worse, 0 better; blocking facts (per package) 0 -> 3002; exit code 1\n"
    )


def test_markdown_lists_some_unreadable_inputs_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Thousands of unreadable inputs came before the flagged packages, one line each."""
    bad = []
    for n in range(markdown.MAX_LISTED + 7):
        path = tmp_path / f"bad-{n:02d}.rpm"
        path.write_bytes(b"\0\0\0\0")
        bad.append(str(path))
    code, out = scan([*bad, "--format", "markdown", "--no-cache"], capsys)
    assert code == 3 and out.startswith(f"## ❌ auditor: failed: {len(bad)} input(s) could not be read")
    assert out.count("`bad-") == 0 and out.count("/bad-") == markdown.MAX_LISTED
    assert "- ... and 7 more inputs (the JSON report lists them all)" in out


def test_a_diff_comment_lists_some_of_each_section_and_what_blocks_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A library turning Citrix under 3,000 packages: the comment listed every worse package
    first, and the cut left out the new facts (and the Citrix evidence behind them) and the facts
    gone. Now each section lists 100 and counts the rest, new facts that block first, the origin
    evidence first of them."""
    apps = [f"app-{n:04d}" for n in range(3000)]
    for side, vendor in (("old", "XCP-ng"), ("new", "Citrix Systems, Inc.")):
        packages = [_fragments("lib", [], vendor)] + [_fragments(name, ["lib"], "XCP-ng") for name in apps]
        write_repository(str(tmp_path / side), packages, len(packages))
    main(["diff", str(tmp_path / "old"), str(tmp_path / "new"), "--format", "markdown", "-q", "--no-cache"])
    out = capsys.readouterr().out
    assert len(out) <= MAX_COMMENT_CHARS and "left out here" not in out
    sections = {part.split("**")[1]: part for part in out.split("\n\n") if part.startswith("**")}
    assert sorted(title.split(" (")[0] for title in sections) == [
        "Facts gone with their package or provider, or no longer seen",
        "New facts",
        "Packages that got worse",
    ]
    new_facts = sections["New facts"].splitlines()[1:]
    assert new_facts[0] == "- `lib`: `[citrix-vendor] vendor: Citrix Systems, Inc.` (blocking)"
    assert all(line.endswith("(blocking)") for line in new_facts[:100])
    assert re.fullmatch(r"- \.\.\. and \d+ more: the JSON report lists them all", new_facts[100])


def test_a_check_comment_lists_some_of_each_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A change making 3,000 repository packages worse: "Facts that now block" filled the comment
    and the cut left out the packages that get worse. Now each table lists 100 and counts the rest."""
    apps = [f"app-{n:04d}" for n in range(3000)]
    packages = [_fragments("lib", [], "XCP-ng")] + [_fragments(name, ["lib"], "XCP-ng") for name in apps]
    write_repository(str(tmp_path / "base"), packages, len(packages))
    spec = tmp_path / "lib.spec"
    spec.write_text(
        "Name: lib\nVersion: 2.0\nRelease: 1\nSummary: s\nLicense: MIT\nVendor: Citrix Systems, Inc.\n"
        "BuildArch: noarch\n%description\nd\n%files\n"
    )
    code = main(
        ["check", str(spec), "--against", str(tmp_path / "base"), "--format", "markdown", "-q", "--no-cache"]
    )
    out = capsys.readouterr().out
    assert code == 1 and len(out) <= MAX_COMMENT_CHARS and "left out here" not in out
    assert "**Repository packages that get worse**" in out
    assert out.count("... and 2900 more: the JSON report lists them all") == 1
    assert "... and 2901 more: the JSON report lists them all" in out  # 3,001 facts now block
    assert out.endswith(
        "2 new package(s) (2 with a new fact), 3000 other package(s) worse, 0 better; blocking facts (per package) 0 -> 3002; exit code 1\n"
    )


def test_markdown_lists_some_configured_urls_on_policy_hosts_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A configuration of hundreds of repositories on Citrix hosts (never contacted): one line
    each came before the flagged packages."""
    repo = tmp_path / "many.repo"
    repo.write_text(
        "".join(
            f"[x{n}]\nname=x{n}\nbaseurl=https://repo.citrite.net/x{n}/\nenabled=1\n\n" for n in range(25)
        )
    )
    code, out = scan([str(repo), "--format", "markdown", "--no-cache"], capsys)
    listed = [line for line in out.splitlines() if "citrite.net" in line and line.endswith("(blocking)")]
    assert code == 3 and len(listed) == markdown.MAX_LISTED
    assert "- ... and 5 more (5 blocking; the JSON report lists them all)" in out


def test_markdown_counts_a_blocking_configured_url_where_it_counts_blocking_packages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .repo section on a Citrix host blocks (exit 1) beside clean packages: the headline said
    "1 blocking" and the line under it "0 blocking, 0 waived; exit code 1", as if nothing blocked."""
    repo = tmp_path / "x.repo"
    repo.write_text("[citrix]\nname=c\nbaseurl=https://repo.citrite.net/xs/\nenabled=1\n")
    spec = tmp_path / "fine.spec"
    spec.write_text(
        "Name: fine\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "%description\nd\n%files\n"
    )
    code, out = scan([str(spec), str(repo), "--format", "markdown", "--no-cache"], capsys)
    assert code == 1 and out.startswith("## ❌ auditor: 1 blocking\n")
    assert (
        "2 packages audited from 2 input(s); 1 blocking (0 packages, 1 configured repository URL), "
        "0 waived; exit code 1." in out
    )


def test_markdown_code_spans() -> None:
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`") == "`` `x` ``"
    assert code_span("a|b", table=True) == "`a\\|b`"
    assert code_span("two\nlines") == "`two lines`"


def test_markdown_has_no_runs_of_blank_lines() -> None:
    assert "\n\n\n" not in FORMATS["markdown"](gate_view())
