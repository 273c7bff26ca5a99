"""A SARIF run of more facts than its bound: what code scanning accepts, the facts that matter
listed first, the rest counted per rule so that the counts add up to the JSON report's."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.reports import sarif
from auditor.reports.sarif_limits import MAX_RESULTS
from auditor.reports.text import clean_text
from tests.paths import ROOT
from tests.report_cases import gate_view, scan
from tests.reports.test_report_sarif import validate_sarif

FIXTURES = ["tests/data/rpms"]
"""73 facts of 7 rules, every one blocking but 3 gaps of one source package."""
SHARED_AND_ONE = ["tests/data/repo", "tests/data/rpms/bcond-citrix-1.0-1.src.rpm"]
"""Every binary of the repository without its source package (a gap of a kind every package
has), and one source package with 3 Sources no reader can expand (a kind it and the binary its
spec builds, audited with it, have)."""


def sarif_rule(fact: dict[str, Any]) -> str:
    """The SARIF rule of a JSON report's fact (``status:depends`` is ``status/depends``, every
    ``gap:KIND`` is ``status/gap``)."""
    rule: str = fact["rule"]
    if rule.startswith("gap:"):
        return "status/gap"
    return rule.replace("status:", "status/", 1)


def json_facts(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    code, out = scan([*args, "--format", "json"], capsys)
    return code, [fact for package in json.loads(out)["packages"] for fact in package["facts"]]


def sarif_run(
    args: list[str], capsys: pytest.CaptureFixture[str], *bound: str
) -> tuple[int, dict[str, Any], str]:
    code, out = scan([*args, "--format", "sarif", *bound], capsys)
    document = json.loads(out)
    validate_sarif(document)
    return code, document["runs"][0], out


def is_summary(result: dict[str, Any]) -> bool:
    return bool(result["properties"].get("summary"))


def test_a_run_over_the_bound_lists_what_matters_and_counts_the_rest(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    json_code, facts = json_facts(FIXTURES, capsys)
    code, whole, whole_text = sarif_run(FIXTURES, capsys)
    # Within the default bound (and with none) the run is the run it always was.
    assert len(facts) == len(whole["results"]) < MAX_RESULTS
    assert "resultsListed" not in whole["properties"]
    assert sarif_run(FIXTURES, capsys, "--sarif-max-results", "0")[2] == whole_text

    # The runs above stored their reports (the test's own cache): a bound is part of what a
    # stored report is found by, so this one is not given the whole run again.
    bounded_code, run, _ = sarif_run(FIXTURES, capsys, "--sarif-max-results", "20")
    assert code == bounded_code == json_code == 1 and run["invocations"][0]["exitCode"] == 1
    results = run["results"]
    listed = [result for result in results if not is_summary(result)]
    summaries = [result for result in results if is_summary(result)]
    # The most facts that fit with one summary per rule with facts left out.
    assert len(results) == 20 and len(summaries) == 7 and len(listed) == 13
    # A listed result is the result the whole run has, its fingerprint unchanged.
    for result in listed:
        assert result in whole["results"]
    # Each rule's facts listed and counted add up to the JSON report's, and so do the run's.
    expected = Counter(sarif_rule(fact) for fact in facts)
    counted = Counter(result["ruleId"] for result in listed)
    for summary in summaries:
        rule, properties = summary["ruleId"], summary["properties"]
        counted[rule] += properties["notListed"]
        assert properties["total"] == expected[rule]
        assert properties["listed"] == sum(result["ruleId"] == rule for result in listed)
        assert summary["partialFingerprints"] == {"auditorSummary/v1": rule}
        assert f"{properties['notListed']} more {rule} facts are not listed" in summary["message"]["text"]
        assert summary["ruleIndex"] == next(
            i for i, r in enumerate(run["tool"]["driver"]["rules"]) if r["id"] == rule
        )
    assert counted == expected
    # The blocking facts come first: the gaps, which do not block, are all left out, and the
    # summary of a rule is as severe as the worst fact it counts.
    assert all(result["level"] == "error" and result["properties"]["blocks"] for result in listed)
    levels = {summary["ruleId"]: summary["level"] for summary in summaries}
    assert levels.pop("status/gap") == "warning" and set(levels.values()) == {"error"}
    gap_summary = next(summary for summary in summaries if summary["ruleId"] == "status/gap")
    assert gap_summary["properties"]["gaps"] == {"unexpanded-source": 3}
    assert gap_summary["properties"]["blocking"] == 0
    # The run says so, once: how many of its facts it lists, rule by rule.
    properties = run["properties"]["resultsListed"]
    assert (properties["maxResults"], properties["listed"], properties["total"]) == (20, 13, len(facts))
    assert {rule: counts["total"] for rule, counts in properties["rules"].items()} == expected
    assert sum(counts["listed"] for counts in properties["rules"].values()) == 13
    (notification,) = [
        n
        for n in run["invocations"][0]["toolExecutionNotifications"]
        if n.get("descriptor") == {"id": "auditor/results-not-listed"}
    ]
    assert notification["message"]["text"].startswith(
        f"{len(facts) - 13} of {len(facts)} facts are not listed"
    )


def test_a_gap_one_package_has_is_listed_before_a_gap_every_package_shares(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    _, facts = json_facts(SHARED_AND_ONE, capsys)
    kinds = Counter(fact["rule"] for fact in facts if fact["kind"] == "gap")
    # bcond-citrix's 3, and its rebuild's binary's (a source RPM alone is rebuilt): the 3 it inherits
    # and its automatic requirements, unseen.
    assert (kinds["gap:unexpanded-source"], kinds["gap:automatic-requires"]) == (6, 1)
    few = 7
    assert kinds["gap:source-not-audited"] > few
    blocking = sum(fact["blocks"] for fact in facts)
    assert blocking == len(facts) - sum(kinds.values())
    # Room for every blocking fact, the gaps of one source package and the summary of the others.
    bound = blocking + few + 1
    _, run, _ = sarif_run(SHARED_AND_ONE, capsys, "--sarif-max-results", str(bound))
    results = run["results"]
    assert len(results) == bound
    gaps = [result for result in results if result["ruleId"] == "status/gap"]
    assert [is_summary(result) for result in gaps] == [False] * few + [True]
    texts = [result["message"]["text"] for result in gaps[:few]]
    assert all("unexpanded-source" in text or "automatic-requires" in text for text in texts)
    assert gaps[few]["properties"]["gaps"] == {"source-not-audited": kinds["gap:source-not-audited"]}
    assert gaps[few]["properties"]["notListed"] == kinds["gap:source-not-audited"]


def test_each_package_gets_an_alert_before_any_gets_a_second(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A spec of 5 subpackages with 4 Sources on a Citrix-internal host: each of its 7
    packages (the source one and 6 binaries) has 4 facts of one rule."""
    lines = ["Name: many", "Version: 1.0", "Release: 1", "Summary: many", "License: MIT"]
    lines += [f"Source{n}: https://repo.citrite.net/many/part{n}.tar.gz" for n in range(4)]
    lines += ["", "%description", "many", ""]
    for n in range(5):
        lines += [f"%package sub{n}", f"Summary: sub {n}", "", f"%description sub{n}", f"sub {n}", ""]
    lines += ["%files", *(f"%files sub{n}" for n in range(5))]
    spec = tmp_path / "many.spec"
    spec.write_text("\n".join(lines) + "\n")
    _, facts = json_facts([str(spec)], capsys)
    assert len(facts) == 28 and {fact["rule"] for fact in facts} == {"citrix-internal-host"}
    _, run, _ = sarif_run([str(spec)], capsys, "--sarif-max-results", "10")
    listed = [result for result in run["results"] if not is_summary(result)]
    (summary,) = [result for result in run["results"] if is_summary(result)]
    assert len(listed) == 9 and summary["properties"]["notListed"] == 19
    # Every package's first Source, then the second Source of the first two, in the report's order.
    packages = [result["properties"]["nevra"] for result in listed]
    assert len(set(packages[:7])) == 7 and packages[7:] == packages[:2]
    assert [result["properties"]["field"] for result in listed] == ["source0"] * 7 + ["source1"] * 2


def test_accepted_facts_are_left_out_first_and_their_summary_is_accepted() -> None:
    view = gate_view()  # every status, a waived taint, an allowed finding, a gap per binary
    whole = sarif.document(view, max_results=0)["runs"][0]["results"]
    document = sarif.document(view, max_results=len(whole) - 3)
    validate_sarif(document)
    # Written a result at a time, it is the document the json module writes.
    expected = clean_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
    assert sarif.render(view, len(whole) - 3) == expected
    results = document["runs"][0]["results"]
    listed = [result for result in results if not is_summary(result)]
    summaries = {result["ruleId"]: result for result in results if is_summary(result)}
    assert len(results) == len(whole) - 3 and len(listed) == len(whole) - 6
    # Every fact that blocks, then the ones nothing accepted, the gaps last of them.
    assert [result["properties"]["blocks"] for result in listed] == [True] * 5 + [False] * (len(listed) - 5)
    assert listed[5]["ruleId"] == "status/may-depend"
    assert {result["ruleId"] for result in listed[6:]} == {"status/gap"}
    assert not any("suppressions" in result for result in listed)
    assert list(summaries) == ["status/gap", "status/depends", "citrix-vendor"]
    gap = summaries["status/gap"]
    assert gap["level"] == "warning" and "suppressions" not in gap
    assert (
        gap["properties"]["gaps"]
        == {"source-not-audited": 4}
        == {"source-not-audited": gap["properties"]["notListed"]}
    )
    # The waived taint and the allowed finding: each rule's facts left out were all accepted.
    for rule in ("status/depends", "citrix-vendor"):
        summary = summaries[rule]
        assert summary["level"] == "note" and summary["properties"]["notListed"] == 1
        assert [s["state"] for s in summary["suppressions"]] == ["accepted"]
        assert "(accepted 1)" in summary["message"]["text"]
    # A summary is located where the first fact it counts is.
    waived = next(r for r in whole if r["ruleId"] == "status/depends" and "suppressions" in r)
    assert summaries["status/depends"]["locations"] == waived["locations"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "json", "--sarif-max-results", "10"], "only --format sarif lists results"),
        (["--format", "sarif", "--sarif-max-results", "25001"], "GitHub code scanning rejects a run of more"),
        (["--format", "sarif", "--sarif-max-results", "-1"], "from 0 (no bound) to 25000"),
        (["--format", "sarif", "--sarif-max-results", "many"], "from 0 (no bound) to 25000"),
    ],
)
def test_a_bound_that_cannot_be_kept_is_a_usage_error(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["scan", "tests/data/rpms", *args, "-q"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and said in captured.err
    assert "Traceback" not in captured.err


def test_the_evidence_behind_the_taints_is_listed_before_them(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """rt15's run: thousands of packages depending on ten Citrix ones, and a bound that lists
    a few thousand of their facts, listed none of the ten facts that say what to fix. Here: a
    bound with room for every blocking piece of evidence and unresolved requirement of the
    fixtures and for nothing else lists those, and counts every taint."""
    monkeypatch.chdir(ROOT)
    _, facts = json_facts(FIXTURES, capsys)
    taints = ("depends", "may-depend", "build-depends")
    causes = [fact for fact in facts if fact["blocks"] and fact["kind"] not in taints]
    caused = [fact for fact in facts if fact["blocks"] and fact["kind"] in taints]
    assert causes and caused
    causes_rules = Counter(sarif_rule(fact) for fact in causes)
    # Room for the causes and one summary per rule left out (the taints' and the gaps').
    left_out_rules = {sarif_rule(fact) for fact in facts if fact not in causes}
    bound = (
        len(causes)
        + len(left_out_rules - set(causes_rules))
        + sum(1 for rule in causes_rules if rule in left_out_rules)
    )
    _, run, _ = sarif_run(FIXTURES, capsys, "--sarif-max-results", str(bound))
    listed = [result for result in run["results"] if not is_summary(result)]
    assert Counter(result["ruleId"] for result in listed) == causes_rules
    assert not {result["ruleId"] for result in listed} & {"status/depends", "status/build-depends"}


@pytest.mark.parametrize("bound", [1, 3, 6, 7])
def test_a_bound_below_the_rules_with_facts_still_holds_and_counts_every_fact(
    bound: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A summary result for each of the fixtures' 7 rules made a run of 7 results under a bound
    of 3: code scanning is told the bound because it takes no more. The rules whose facts matter
    most get the summaries the bound has room for; the facts of the others are counted in the
    run's properties, its notification and on standard error, never dropped silently."""
    monkeypatch.chdir(ROOT)
    _, facts = json_facts(FIXTURES, capsys)
    expected = Counter(sarif_rule(fact) for fact in facts)
    assert len(expected) == 7
    code = main(
        ["scan", *FIXTURES, "--format", "sarif", "--sarif-max-results", str(bound), "-q", "--no-cache"]
    )
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    validate_sarif(document)
    run = document["runs"][0]
    results = run["results"]
    assert code == 1 and len(results) == bound
    assert all(is_summary(result) for result in results)  # no room for a fact and its rules' summaries
    properties = run["properties"]["resultsListed"]
    counted = Counter({result["ruleId"]: result["properties"]["notListed"] for result in results})
    unsummarised = properties.get("notSummarised", {"facts": 0, "blocking": 0, "rules": {}})
    counted.update(unsummarised["rules"])
    assert counted == expected  # every fact counted once, by a summary or by the properties
    assert (
        unsummarised["facts"]
        == sum(unsummarised["rules"].values())
        == len(facts) - sum(result["properties"]["notListed"] for result in results)
    )
    # The summaries are of the rules whose facts matter most: the blocking ones before the gaps.
    assert (bound < 7) == ("status/gap" in unsummarised["rules"])
    (notification,) = [
        n
        for n in run["invocations"][0]["toolExecutionNotifications"]
        if n.get("descriptor") == {"id": "auditor/results-not-listed"}
    ]
    said = [line for line in captured.err.splitlines() if "SARIF report" in line]
    if bound == 7:
        assert "notSummarised" not in properties and said == []
        return
    left = (
        f"the {unsummarised['facts']} facts ({unsummarised['blocking']} blocking) of {7 - bound} more rules"
    )
    assert left in notification["message"]["text"]
    assert said == [
        f"auditor: warning: the SARIF report lists at most {bound} results: {left} "
        f"({', '.join(unsummarised['rules'])}) have no result, not even a summary: the bound leaves no "
        "room for one; the run's properties count them (resultsListed.notSummarised)"
    ]
