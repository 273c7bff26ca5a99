"""A baseline entry accepts the fact it was written for, never a new one that shares its
fingerprint (red team 14). Real packages (rpmbuild) in real repositories (createrepo_c).

A source package and its binary share a name, hence the fingerprint of a requirement nothing
provides: an entry written for ``foo.src``'s unmet BuildRequires accepted ``foo.noarch``
coming to need the same thing at run time (exit 0, "baselined").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.deps.built import build_repository

BUILD_ONLY = [{"name": "foo", "buildrequires": ["citrix-sdk"]}]
BUILD_AND_RUN = [{"name": "foo", "buildrequires": ["citrix-sdk"], "requires": ["citrix-sdk"]}]
RUN_ONLY = [{"name": "foo", "requires": ["citrix-sdk"]}]


def sides(repo: Path) -> list[str]:
    return [str(repo), str(repo.parent / "SRPMS")]


def rulings(
    args: list[str], capsys: pytest.CaptureFixture[str], field: str = "disposition"
) -> tuple[int, dict[str, str]]:
    """The exit code, and each package's ruling (``field``) of its `nothing provides citrix-sdk` fact."""
    capsys.readouterr()
    code = main([*args, "--format", "json"])
    found = {}
    for package in json.loads(capsys.readouterr().out)["packages"]:
        for fact in package["facts"]:
            if fact["capability"] == "citrix-sdk":
                found[package["nevra"]] = fact[field]
    return code, found


@pytest.mark.parametrize(
    ("before", "blocking"),
    [(BUILD_ONLY, "foo-1.0-1.noarch"), (RUN_ONLY, "foo-1.0-1.src")],
    ids=["build-then-run", "run-then-build"],
)
def test_a_baseline_entry_for_an_unmet_requirement_accepts_it_only_where_it_was_needed(
    before: list[dict[str, object]],
    blocking: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = build_repository(before, tmp_path / "base")
    now = build_repository(BUILD_AND_RUN, tmp_path / "now")
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", *sides(base), "-q"]) == 0
    [entry] = json.loads((tmp_path / ".auditor-baseline.json").read_text())["entries"]
    assert entry["needed"] == ["build" if before is BUILD_ONLY else "run"]
    code, found = rulings(["scan", *sides(now), "-q"], capsys)
    assert code == 1
    assert found[blocking] == "blocks"
    assert sorted(found.values()) == ["baselined", "blocks"]
    accepted = "to build its source package" if before is BUILD_ONLY else "at run time"
    reason = f"blocks: its baseline entry accepted this requirement only when needed {accepted}"
    assert rulings(["scan", *sides(now), "-q"], capsys, "reason")[1][blocking] == reason
    # Written again without --rewrite, the entry does not grow to the new need.
    assert main(["baseline", *sides(now), "-q"]) == 0
    [kept] = json.loads((tmp_path / ".auditor-baseline.json").read_text())["entries"]
    assert kept["needed"] == entry["needed"]
    # With --rewrite it records both, and the run passes.
    assert main(["baseline", *sides(now), "-q", "--rewrite"]) == 0
    [grown] = json.loads((tmp_path / ".auditor-baseline.json").read_text())["entries"]
    assert grown["needed"] == ["build", "run"]
    assert rulings(["scan", *sides(now), "-q"], capsys) == (
        0,
        {"foo-1.0-1.noarch": "baselined", "foo-1.0-1.src": "baselined"},
    )


def test_a_baseline_entry_written_before_it_recorded_the_need_accepts_by_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = build_repository(BUILD_ONLY, tmp_path / "base")
    now = build_repository(BUILD_AND_RUN, tmp_path / "now")
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", *sides(base), "-q"]) == 0
    path = tmp_path / ".auditor-baseline.json"
    document = json.loads(path.read_text())
    del document["entries"][0]["needed"]
    path.write_text(json.dumps(document))
    assert rulings(["scan", *sides(now), "-q"], capsys)[0] == 0


def test_check_and_diff_count_a_build_requirement_now_needed_at_run_time_as_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same in a comparison: `check` said "nothing gets worse" (exit 0) and `diff` "0 new"
    when foo.noarch went from clean to unresolved on its source package's unmet requirement."""
    base = build_repository(BUILD_ONLY, tmp_path / "base")
    now = build_repository(BUILD_AND_RUN, tmp_path / "now")
    capsys.readouterr()
    assert main(["check", *sides(now), "--against", *sides(base), "-q", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    [regression] = document["regressions"]
    assert (regression["package"], regression["capability"]) == ("foo", "citrix-sdk")
    reports = []
    for name, repo in (("base", base), ("now", now)):
        report = tmp_path / f"{name}.json"
        main(["scan", *sides(repo), "--format", "json", "-o", str(report), "-q"])
        reports.append(str(report))
    capsys.readouterr()
    assert main(["diff", *reports, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [(item["change"], item["package"]) for item in document["facts"]] == [("new", "foo")]
    assert [item["new"]["nevra"] for item in document["worse"]] == ["foo-1.0-1.noarch"]


def test_rewriting_a_baseline_counts_an_entry_that_accepts_none_of_todays_facts_as_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """foo.src's BuildRequires was fixed and foo.noarch now needs the same thing at run time: the
    entry accepts none of today's facts and leaves the file. It was counted "0 dropped" (its
    fingerprint was still among today's facts), so the file shrank with nothing said."""
    base = build_repository(BUILD_ONLY, tmp_path / "base")
    now = build_repository(RUN_ONLY, tmp_path / "now")
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", *sides(base), "-q"]) == 0
    capsys.readouterr()
    assert main(["baseline", *sides(now)]) == 0
    assert json.loads((tmp_path / ".auditor-baseline.json").read_text())["entries"] == []
    said = capsys.readouterr().err
    assert "0 entries kept, 1 dropped" in said and "1 new finding(s) NOT recorded" in said


def test_a_baseline_entry_for_a_build_requirement_is_fixed_when_only_the_binary_needs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """rt17: foo.src's unmet BuildRequires baselined, then fixed while foo.noarch came to need the
    same capability at run time: the run fact blocks (new), and the entry's fact is fixed, as
    `diff` and `check` count them (`fact_key`). The scan said "0 fixed": the entry matched by
    fingerprint alone."""
    base = build_repository(BUILD_ONLY, tmp_path / "base")
    now = build_repository(RUN_ONLY, tmp_path / "now")
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", *sides(base), "-q"]) == 0
    capsys.readouterr()
    assert main(["scan", *sides(now), "-q", "--format", "json"]) == 1
    gate = json.loads(capsys.readouterr().out)["gate"]
    assert [entry["capability"] for entry in gate["fixed"]] == ["citrix-sdk"]
    assert [entry["capability"] for entry in gate["blocking"]] == ["citrix-sdk"]
    # Both needs now: the entry still accepts the build requirement, and is not fixed.
    both = build_repository(BUILD_AND_RUN, tmp_path / "both")
    assert main(["scan", *sides(both), "-q", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["gate"]["fixed"] == []


def test_a_diff_says_which_need_of_one_requirement_is_new_and_which_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rt17: the binary's run-time need new and the source package's build need fixed were two
    facts of one fingerprint and one text: `diff` listed `foo: nothing provides citrix-sdk` both
    under "New facts" and "Fixed facts", in every format."""
    reports = []
    for side, packages in (("old", BUILD_ONLY), ("new", RUN_ONLY)):
        repo = build_repository(packages, tmp_path / side)
        report = tmp_path / f"{side}.json"
        assert main(["scan", *sides(repo), "-q", "--no-baseline", "--format", "json", "-o", str(report)]) == 1
        reports.append(str(report))
    capsys.readouterr()
    assert main(["diff", *reports, "--format", "json"]) == 0
    facts = json.loads(capsys.readouterr().out)["facts"]
    assert sorted((fact["change"], fact["text"]) for fact in facts) == [
        ("fixed", "nothing provides citrix-sdk (to build)"),
        ("new", "nothing provides citrix-sdk (at run time)"),
    ]


def test_rewriting_a_baseline_with_an_entry_twice_says_it_merged_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """rt17: a baseline holding one entry twice (two branches' files merged) was written back
    with one, saying '1 entries kept, 0 dropped' of the two it held."""
    base = build_repository(BUILD_ONLY, tmp_path / "base")
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", *sides(base), "-q"]) == 0
    path = tmp_path / ".auditor-baseline.json"
    document = json.loads(path.read_text())
    document["entries"].append(dict(document["entries"][0]))
    path.write_text(json.dumps(document))
    capsys.readouterr()
    assert main(["baseline", *sides(base)]) == 0
    said = capsys.readouterr().err
    assert "1 entries kept, 0 dropped" in said and "1 duplicate entries of one fingerprint merged" in said
    assert len(json.loads(path.read_text())["entries"]) == 1
