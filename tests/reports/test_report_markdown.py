"""The Markdown report: a short pull-request comment whose package data cannot become markup."""

from __future__ import annotations

import re

import pytest

from auditor.reports import markdown
from auditor.reports.render import FORMATS
from auditor.reports.text import code_span
from tests.conftest import RPMS
from tests.report_cases import CITRIX, audit_of, gate_view, scan, view_of


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


def test_markdown_code_spans() -> None:
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`") == "`` `x` ``"
    assert code_span("a|b", table=True) == "`a\\|b`"
    assert code_span("two\nlines") == "`two lines`"


def test_markdown_has_no_runs_of_blank_lines() -> None:
    assert "\n\n\n" not in FORMATS["markdown"](gate_view())
