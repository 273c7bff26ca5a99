"""A chain ends with the evidence of its own category of origin packages, in every format.

``fw`` is on a Citrix host and under a proprietary licence, so ``app``, which needs it, has two
taints, one per category. A waiver of the Citrix one leaves the proprietary one blocking, and
its chain is the one each format draws; each then said "which is origin: [citrix-vendor] ...",
the evidence of the taint the waiver accepted (`ReportView.chain_evidence` was not told the
category), where the SARIF alert named the licence.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from auditor.reports.render import FORMATS
from auditor.reports.view import ReportView
from auditor.reports.why import explanation
from tests.report_cases import CITRIX, audit_of, view_of, waiver

LICENCE = "[proprietary-license] license: Proprietary"
VENDOR = "[citrix-vendor] vendor: Citrix Systems, Inc."


def _view() -> ReportView:
    audit = audit_of(
        [{"name": "fw", **CITRIX, "license": "Proprietary"}, {"name": "app", "requires": ["fw"]}]
    )
    return view_of(audit, [waiver("app", "citrix-accepted", category="citrix")])


def test_the_chain_of_the_blocking_taint_ends_with_its_categorys_evidence() -> None:
    view = _view()
    [app] = view.by_name("app")
    assert app.blocking and app.chain
    lines = explanation(app, view)
    assert lines[lines.index("chain:") + 3].strip() == f"which is origin: {LICENCE}"
    md = FORMATS["markdown"](view)
    details = md[md.index("<summary><code>app-1.0-1.noarch</code>") :].split("</details>")[0]
    assert f"- which is origin: `{LICENCE}`" in details and VENDOR not in details
    page = FORMATS["html"](view)
    drawing = re.search(
        r'<svg class="chain"[^>]*aria-label="chain of app-1\.0-1\.noarch".*?</svg>', page, re.S
    )
    assert drawing is not None and LICENCE in drawing.group(0) and VENDOR not in drawing.group(0)
    suite = ET.fromstring(FORMATS["junit"](view)).find("testsuite")
    assert suite is not None
    [case] = [case for case in suite.iter("testcase") if case.get("name") == "app-1.0-1.noarch"]
    failure = case.find("failure")
    assert failure is not None and f"which is origin: {LICENCE}" in (failure.text or "")
