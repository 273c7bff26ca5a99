"""An origin package still read as context is not cured by an audited one of its name (red team 59).

``app`` needs Citrix ``xlib``, which only the context (``--with``) provides, and Citrix ``ylib``
through ``mid``; its taint names xlib and reaches both. app-2 drops xlib for a requirement on
ylib while xlib is still Citrix's, in the context: news, as while an audited xlib is still
Citrix's (`test_nearest_origin_fixed`). The release also audits a clean package named ``xlib``
(a rebuild, or any package of that name): xlib counted as rebuilt clean, app-2's taint was
app's named by another origin package, the baseline accepted it (the gate passed) and `diff`
called it unchanged. The origin package a taint ended at is cured only when no package of its
name is one any more, context included. Real packages (rpmbuild) in real repositories.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository

REST: list[dict[str, Any]] = [
    {"name": "ylib", "provides": ["y"], **CITRIX},
    {"name": "mid", "requires": ["y"]},
]
MOVED_APP = {"name": "app", "evr": "2.0-1", "requires": ["y"]}


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    top = tmp_path_factory.mktemp("context-cured")
    built = {
        "context": [{"name": "xlib", "provides": ["x"], **CITRIX}],
        "base": [*REST, {"name": "app", "requires": ["x", "mid"]}],
        "release": [*REST, MOVED_APP, {"name": "xlib", "evr": "2.0-1", "provides": ["xx"]}],
    }
    found = {}
    for name, packages in built.items():
        repo = build_repository(packages, top / name)
        found[name] = [str(repo), str(repo.parent / "SRPMS")]
    return found


def with_context(repos: dict[str, list[str]]) -> list[str]:
    return [item for path in repos["context"] for item in ("--with", path)]


def test_the_gate_blocks_a_taint_whose_earlier_end_is_still_citrix_in_the_context(
    repos: dict[str, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = str(tmp_path / "baseline.json")
    context = with_context(repos)
    assert main(["baseline", *repos["base"], *context, "--no-cache", "--baseline", baseline, "-q"]) == 0
    entries = json.loads(Path(baseline).read_text())["entries"]
    assert [(e["capability"], e["reaches"]) for e in entries if e["package"] == "app"] == [
        ("citrix:xlib", ["xlib", "ylib"])
    ]
    capsys.readouterr()
    code = main(
        ["scan", *repos["release"], *context, "--no-cache", "--baseline", baseline, "--format", "json"]
    )
    document = json.loads(capsys.readouterr().out)
    taints = [
        (fact["capability"], fact["disposition"])
        for package in document["packages"]
        if package["name"] == "app"
        for fact in package["facts"]
    ]
    assert taints == [("citrix:ylib", "blocks")]
    assert code == 1


def test_diff_and_check_call_it_new(
    repos: dict[str, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = with_context(repos)
    reports = []
    for name in ("base", "release"):
        report = str(tmp_path / f"{name}.json")
        assert main(["scan", *repos[name], *context, "--no-cache", "--no-baseline", "--format", "json",
                     "-o", report]) == 1  # fmt: skip
        reports.append(report)
    capsys.readouterr()
    assert main(["diff", *reports, "--format", "json"]) == 0
    new = [(item["package"], item["capability"]) for item in json.loads(capsys.readouterr().out)["facts"]
           if item["change"] == "new"]  # fmt: skip
    assert ("app", "citrix:ylib") in new
    code = main(["check", *repos["release"], "--against", *repos["base"], *context, "--no-cache", "-q",
                 "--format", "json"])  # fmt: skip
    regressions = [
        (item["package"], item["capability"]) for item in json.loads(capsys.readouterr().out)["regressions"]
    ]
    assert ("app", "citrix:ylib") in regressions
    assert code == 1
