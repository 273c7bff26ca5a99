"""Shared helpers for the review reproductions (real rpmbuild + createrepo_c)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.cli.test_check_srpm_declares import XS_PROP, rpmbuild

__all__ = ["XS_PROP", "blocking", "check", "repos", "rpmbuild", "summary"]


def repos(directory: Path) -> list[str]:
    out = []
    for made in ("repo", "SRPMS"):
        if (directory / made).exists():
            subprocess.run(["createrepo_c", "--quiet", str(directory / made)], check=True)
            out.append(str(directory / made))
    return out


def check(*arguments: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["check", *arguments, "--no-cache", "--format", "json"])
    out = capsys.readouterr().out
    try:
        return code, json.loads(out)
    except json.JSONDecodeError:
        return code, {"raw": out}


def blocking(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(i["package"], i["rule"], i["text"]) for i in document.get("regressions", [])}


def summary(code: int, doc: dict[str, Any]) -> str:
    regs = [
        (i.get("package"), i.get("rule"), i.get("kind"), i.get("text")) for i in doc.get("regressions", [])
    ]
    return f"exit={code} exit_code={doc.get('exit_code')} headline={doc.get('headline')!r}\nregressions={json.dumps(regs, indent=1)}\nnew={[(n['nevra'], n.get('after')) for n in doc.get('new', [])]}"
