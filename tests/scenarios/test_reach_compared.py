"""A package that comes to need one more Citrix package, by a longer way, is worse in every
comparison, as it is for the baseline (red team 11, finding 02).

BASE: ``app`` needs Citrix ``xlib``; the clean ``mid`` needs Citrix ``ylib``. The change:
``app-2`` also requires ``mid``. app's taint keeps its fingerprint (depends, citrix, nearest
origin package xlib), but it now reaches ylib too: ``check``, ``diff`` and ``scan --compare``
said nothing got worse while ``scan --baseline`` blocked. Real packages (rpmbuild) in real
repositories (createrepo_c).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository

LIBS: list[dict[str, Any]] = [
    {"name": "xlib", "provides": ["x"], **CITRIX},
    {"name": "ylib", "provides": ["y"], **CITRIX},
    {"name": "mid", "requires": ["y"]},
]
APP_1 = {"name": "app", "evr": "1.0-1", "requires": ["x"]}
APP_2 = {"name": "app", "evr": "2.0-1", "requires": ["x", "mid"]}
NOW_ALSO = "it now also reaches ylib, which it did not before"


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """base (app-1 and the libraries), change (app-2 alone), merged (base with app-2 for app-1):
    each the binary repository, its source packages in ../SRPMS."""
    top = tmp_path_factory.mktemp("reach")
    return {
        "base": build_repository([APP_1, *LIBS], top / "base"),
        "change": build_repository([APP_2], top / "change"),
        "merged": build_repository([APP_2, *LIBS], top / "merged"),
    }


def sides(repo: Path) -> list[str]:
    return [str(repo), str(repo.parent / "SRPMS")]


def output(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


def test_check_blocks_a_change_that_makes_a_package_reach_one_more_citrix_package(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", *sides(repos["change"]), "--against", *sides(repos["base"]), "-q"]
    code, out = output([*args, "--format", "json"], capsys)
    assert code == 1
    document = json.loads(out)
    assert document["headline"] == "this change makes things worse: 1 new blocking fact(s)"
    [regression] = document["regressions"]
    assert (regression["package"], regression["change"], regression["capability"]) == (
        "app",
        "new",
        "citrix:xlib",
    )
    assert regression["reaches_more"] == ["ylib"] and NOW_ALSO in regression["text"]
    assert (regression["blocked_before"], regression["blocks_after"]) == (False, True)
    code, text = output(args, capsys)
    assert code == 1 and NOW_ALSO in text
    assert "blocking facts (per package)" in text


def test_diff_counts_a_taint_reaching_one_more_citrix_package_as_worse(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = output(["diff", str(repos["base"]), str(repos["merged"]), "--format", "json"], capsys)
    assert code == 0
    document = json.loads(out)
    new = [item for item in document["facts"] if item["change"] == "new"]
    assert [(item["package"], item["reaches_more"]) for item in new] == [("app", ["ylib"])]
    assert new[0]["blocks_after"] is True and NOW_ALSO in new[0]["text"]
    assert "app-2.0-1.noarch" in [pair["new"]["nevra"] for pair in document["worse"]]
    code, text = output(["diff", str(repos["base"]), str(repos["merged"])], capsys)
    assert "facts by fingerprint (one for a package's binaries and source package): 1 new" in text
    assert NOW_ALSO in text
    # The same release against itself: every taint reaches what it reached, nothing is new.
    code, out = output(["diff", str(repos["base"]), str(repos["base"]), "--format", "json"], capsys)
    assert [item for item in json.loads(out)["facts"] if item["change"] == "new"] == []


def test_scan_compare_reads_what_each_taint_reached_from_the_earlier_report(
    repos: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    earlier = tmp_path / "base.json"
    assert main(["scan", *sides(repos["base"]), "--format", "json", "-o", str(earlier), "-q"]) == 1
    document = json.loads(earlier.read_text())
    app = next(p for p in document["packages"] if p["nevra"] == "app-1.0-1.noarch")
    assert [fact["reaches"] for fact in app["facts"] if fact["kind"] == "depends"] == [["xlib"]]
    page = tmp_path / "page.html"
    args = ["scan", *sides(repos["merged"]), "--format", "html", "-o", str(page), "-q"]
    assert main([*args, "--compare", str(earlier)]) == 1
    html = page.read_text()
    assert 'id="changes-new" data-count="1"' in html and NOW_ALSO in html
    # A report written before taints recorded what they reach is compared by fingerprint alone.
    for package in document["packages"]:
        for fact in package["facts"]:
            fact.pop("reaches", None)
    older = tmp_path / "older.json"
    older.write_text(json.dumps(document))
    assert main([*args, "--compare", str(older)]) == 1
    assert 'id="changes-new" data-count="0"' in page.read_text()


def test_diff_of_reports_written_under_a_baseline_counts_a_taint_reaching_further_as_new(
    repos: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CI scans each release with the baseline it picks up, and the release manager diffs the
    reports: app's taint, accepted on the earlier side, reaches ylib on the later one, where the
    baseline no longer accepts it. The earlier report recorded no reach for an accepted taint, so
    `diff` called it unchanged, nothing worse, while the later scan blocked it as new (red team 36)."""
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", *sides(repos["base"]), "-q"]) == 0
    earlier, later = tmp_path / "earlier.json", tmp_path / "later.json"
    assert main(["scan", *sides(repos["base"]), "--format", "json", "-o", str(earlier), "-q"]) == 0
    app = next(p for p in json.loads(earlier.read_text())["packages"] if p["nevra"] == "app-1.0-1.noarch")
    [accepted] = [fact for fact in app["facts"] if fact["kind"] == "depends"]
    assert accepted["disposition"] == "baselined" and accepted["reaches"] == ["xlib"]
    assert main(["scan", *sides(repos["merged"]), "--format", "json", "-o", str(later), "-q"]) == 1
    capsys.readouterr()
    code, out = output(["diff", str(earlier), str(later), "--format", "json"], capsys)
    assert code == 0
    document = json.loads(out)
    new = [item for item in document["facts"] if item["change"] == "new"]
    assert [(item["package"], item["reaches_more"], item["blocks_after"]) for item in new] == [
        ("app", ["ylib"], True)
    ]
    assert "app-2.0-1.noarch" in [pair["new"]["nevra"] for pair in document["worse"]]


# mla of two arches shares one fingerprint (depends, citrix, nearest origin package xlib); only
# the i686 build also needs mid2, which needs Citrix zlib.
MULTIARCH: list[dict[str, Any]] = [
    {"name": "xlib", "provides": ["x"], **CITRIX},
    {"name": "zlib", "provides": ["z"], **CITRIX},
    {"name": "mid2", "requires": ["z"]},
    {"name": "mla", "arch": "x86_64", "requires": ["x"]},
    {"name": "mla", "arch": "i686", "requires": ["x", "mid2"]},
]


def test_a_baseline_accepts_every_arch_of_the_facts_it_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Written, then read back at once: the run it was written from passes. It recorded what only
    the last of the packages sharing a fingerprint reaches, so the other blocked as "new"."""
    repo = build_repository(MULTIARCH, tmp_path / "multiarch")
    monkeypatch.chdir(tmp_path)
    assert main(["scan", *sides(repo), "-q"]) == 1
    assert main(["baseline", *sides(repo), "-q"]) == 0
    [entry] = [e for e in json.loads((tmp_path / ".auditor-baseline.json").read_text())["entries"]
               if e["package"] == "mla"]  # fmt: skip
    assert entry["reaches"] == ["xlib", "zlib"]
    capsys.readouterr()
    assert main(["scan", *sides(repo), "-q"]) == 0, capsys.readouterr().out
    # Rewritten without --rewrite from an entry that accepts only the x86_64 build's reach: the
    # entry stays as it was (the i686 taint is new and is not recorded), it does not grow.
    entry["reaches"] = ["xlib"]
    (tmp_path / ".auditor-baseline.json").write_text(
        json.dumps({"entries": [entry], "tool": "auditor", "version": 1})
    )
    assert main(["baseline", *sides(repo)]) == 0
    assert "new finding(s) NOT recorded" in capsys.readouterr().err
    [kept] = json.loads((tmp_path / ".auditor-baseline.json").read_text())["entries"]
    assert kept["reaches"] == ["xlib"]


def test_diff_lists_as_worse_only_the_packages_that_hold_a_new_fact(
    repos: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """app-2.src is clean on both sides: its binary's new taint does not make it worse (JSON
    reports of the binaries and their sources: `diff` takes one input a side)."""
    reports = []
    for name in ("base", "merged"):
        report = tmp_path / f"{name}.json"
        main(["scan", *sides(repos[name]), "--format", "json", "-o", str(report), "-q"])
        reports.append(str(report))
    code, out = output(["diff", *reports, "--format", "json"], capsys)
    assert code == 0
    worse = [(pair["old"]["nevra"], pair["new"]["nevra"]) for pair in json.loads(out)["worse"]]
    assert worse == [("app-1.0-1.noarch", "app-2.0-1.noarch")]
    code, text = output(["diff", *reports], capsys)
    assert (
        "app-2.0-1.noarch: depends -> depends" in text and "app-2.0-1.src" not in text.split("New facts")[0]
    )


def test_check_lists_as_worse_only_the_repository_packages_that_hold_a_new_fact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """cleanx-2 no longer provides x: alt, which could take it instead of Citrix xlib, now
    depends on xlib. alt.src is clean before and after, and is not worse."""
    base = build_repository(
        [{"name": "xlib", "provides": ["x"], **CITRIX}, {"name": "cleanx", "provides": ["x"]},
         {"name": "alt", "requires": ["x"]}],
        tmp_path / "base",
    )  # fmt: skip
    change = build_repository([{"name": "cleanx", "evr": "2.0-1"}], tmp_path / "change")
    code, out = output(["check", *sides(change), "--against", *sides(base), "-q", "--format", "json"], capsys)
    assert code == 1
    worse = [(pair["nevra"], pair["before"], pair["after"]) for pair in json.loads(out)["worse"]]
    assert worse == [("alt-1.0-1.noarch", "may-depend", "depends")]


def test_diff_lists_as_worse_only_the_arch_that_reaches_further(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both arches of mla share the taint's fingerprint; only the i686 rebuild comes to need mid2,
    hence Citrix zlib. mla.x86_64, which still reaches xlib alone, is not worse."""
    libs = [item for item in MULTIARCH if item["name"] != "mla"]
    before = [*libs, {"name": "mla", "arch": "x86_64", "requires": ["x"]},
              {"name": "mla", "arch": "i686", "requires": ["x"]}]  # fmt: skip
    after = [*libs, {"name": "mla", "arch": "x86_64", "requires": ["x"]},
             {"name": "mla", "arch": "i686", "evr": "1.0-2", "requires": ["x", "mid2"]}]  # fmt: skip
    old, new = build_repository(before, tmp_path / "old"), build_repository(after, tmp_path / "new")
    code, out = output(["diff", str(old), str(new), "--format", "json"], capsys)
    assert code == 0
    document = json.loads(out)
    assert [
        (item["package"], item["reaches_more"]) for item in document["facts"] if item["change"] == "new"
    ] == [("mla", ["zlib"])]
    assert [pair["new"]["nevra"] for pair in document["worse"]] == ["mla-1.0-2.i686"]


def test_sarif_says_why_a_taint_of_a_fingerprint_the_baseline_lists_blocks(
    repos: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its fingerprint, hence its SARIF identity, is the accepted taint's: the table, Markdown,
    JUnit and JSON said it now also reaches ylib, and SARIF showed the chain alone (red team 36)."""
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", *sides(repos["base"]), "-q"]) == 0
    sarif = tmp_path / "merged.sarif"
    assert main(["scan", *sides(repos["merged"]), "--format", "sarif", "-o", str(sarif), "-q"]) == 1
    [result] = [
        item
        for item in json.loads(sarif.read_text())["runs"][0]["results"]
        if item.get("properties", {}).get("blocks") and item["ruleId"] == "status/depends"
    ]
    reason = "blocks: it now also reaches ylib, which its baseline entry did not accept"
    assert result["message"]["text"].endswith(f"({reason})")
