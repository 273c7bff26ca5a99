"""A taint entry's ``ends_at`` is the origin package its capability names: a file whose entry
leaves it out, or names another, does not make the entry accept whatever the taint reaches.

`BaselineMatcher` reads a ``reaches`` list without the taint's own end as no record (a buildroot's
may-depend was once written so) and accepts by fingerprint alone. It tested the list against the
``ends_at`` field, which no fingerprint covers: an entry "app depends on vend (citrix)" with
``reaches = ["vend"]`` and its ``ends_at`` deleted (a field removed by hand, or a merge), or set to
another name, accepted app coming to need Citrix's vend2 by a longer way, and the run passed
(exit 0) where the file as written blocked it (gate58).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.origin.scanned import write_spec

CITRIX = "Vendor: Citrix Systems, Inc."


@pytest.fixture
def release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, Any]]:
    """A baseline of vend, vend2 (Citrix), lib2 needing vend2 and app needing vend; then app comes
    to need lib2 too: its taint still ends at vend, and now also reaches vend2."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name, tags in (("vend", [CITRIX]), ("vend2", [CITRIX]), ("lib2", ["Requires: vend2"])):
        write_spec(repo, name, *tags)
    write_spec(repo, "app", "Requires: vend")
    written = tmp_path / "baseline.json"
    assert main(["baseline", "-q", "--no-cache", "--baseline", str(written), str(repo)]) == 0
    capsys.readouterr()
    write_spec(repo, "app", "Requires: vend", "Requires: lib2")
    return repo, json.loads(written.read_text())


def _scan(tmp_path: Path, repo: Path, document: dict[str, Any]) -> int:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document, indent=2))
    return main(["scan", "-q", "--no-cache", "--baseline", str(path), str(repo)])


def _edited(document: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(document))
    (app,) = [entry for entry in copy["entries"] if entry["package"] == "app"]
    assert (app["capability"], app["ends_at"], app["reaches"]) == ("citrix:vend", "vend", ["vend"])
    edit(app)
    return copy


def test_as_written_the_entry_blocks_the_taint_reaching_further(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], release: tuple[Path, dict[str, Any]]
) -> None:
    repo, document = release
    assert _scan(tmp_path, repo, document) == 1
    assert "it now also reaches vend2" in capsys.readouterr().out


def test_an_entry_without_its_ends_at_reads_it_from_its_capability(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], release: tuple[Path, dict[str, Any]]
) -> None:
    repo, document = release
    assert _scan(tmp_path, repo, _edited(document, lambda app: app.pop("ends_at"))) == 1
    assert "it now also reaches vend2" in capsys.readouterr().out


@pytest.mark.parametrize("other", ["zzz", "vend2", ""])
def test_an_ends_at_its_capability_does_not_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], release: tuple[Path, dict[str, Any]], other: str
) -> None:
    repo, document = release
    assert _scan(tmp_path, repo, _edited(document, lambda app: app.update(ends_at=other))) == 2
    err = capsys.readouterr().err
    assert "edited.json: entries[" in err and "ends_at" in err and "citrix:vend" in err, err
    assert err.count("\n") == 1


@pytest.mark.parametrize("written", [[], ["vend2"]])
def test_a_depends_entrys_reaches_without_its_end_is_read_as_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    release: tuple[Path, dict[str, Any]],
    written: list[str],
) -> None:
    """Only a buildroot's may-depend was ever written with a list lacking its end (README): a
    depends entry's ``reaches = []``, which reads as accepting less, accepted whatever app reached."""
    repo, document = release
    assert _scan(tmp_path, repo, _edited(document, lambda app: app.update(reaches=written))) == 1
    assert "blocks: it now also reaches vend" in capsys.readouterr().out
