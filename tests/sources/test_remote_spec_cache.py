"""The cache of specs read from remote payloads (rows of ``headers.sqlite3`` keyed ``spec:...``):
an entry cut short or put under another package's key is damaged, and the run reads the spec
again, as a cold run does.

When entries were files, one renamed into place but never synced came back from a crash cut at
a block; a cache copied, restored or edited by hand can still mix entries up. The entry was
read as whatever it held after its header: a spec cut before its Citrix ``Source1`` made
``nospec`` clean of it (origin became unresolved, two Citrix findings fewer), with nothing on
standard error.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.net.headercache import DATABASE
from tests.conftest import DATA
from tests.httpserver import LocalServer
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves


@pytest.fixture
def srpms() -> Iterator[str]:
    with LocalServer(DATA) as running:
        yield running.url("/srpm-repo/")


def scan(url: str, cache: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any, str]:
    """A scan with the store off: the specs come from the download cache, not a stored model."""
    code = main(["scan", url, "--cache-dir", str(cache), "--no-cache", "--format", "json", "-q"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out)["packages"], captured.err


Entries = dict[str, tuple[str, bytes]]
"""The cached spec rows, by the spec's Name: (key, bytes)."""


def spec_entries(cache: Path) -> Entries:
    found = {}
    with contextlib.closing(sqlite3.connect(cache / DATABASE)) as db:
        for key, data in db.execute("SELECT key, prefix FROM headers WHERE key LIKE 'spec:%'"):
            name = next(line for line in data.splitlines() if line.startswith(b"Name:"))
            found[name.split()[1].decode()] = (key, data)
    return found


def rewrite(cache: Path, rows: dict[str, bytes]) -> None:
    with contextlib.closing(sqlite3.connect(cache / DATABASE)) as db, db:
        db.executemany("UPDATE headers SET prefix = ? WHERE key = ?", [(v, k) for k, v in rows.items()])


def cut_before_citrix_source(cache: Path, entries: Entries) -> None:
    key, data = entries["nospec"]
    rewrite(cache, {key: data[: data.index(b"\nSource1:") + 1]})


def swapped(cache: Path, entries: Entries) -> None:
    (nospec, held), (other, data) = entries["nospec"], entries["bcond-citrix"]
    rewrite(cache, {nospec: data, other: held})


@pytest.mark.parametrize("damage", [cut_before_citrix_source, swapped])
def test_a_damaged_cached_spec_is_read_again(
    srpms: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: Callable[[Path, Entries], None],
) -> None:
    cache = tmp_path / "cache"
    cold = scan(srpms, cache, capsys)
    nospec = next(package for package in cold[1] if package["name"] == "nospec")
    assert nospec["status"] == "origin"
    assert scan(srpms, cache, capsys)[:2] == cold[:2]  # read from the cache
    damage(cache, spec_entries(cache))
    code, packages, err = scan(srpms, cache, capsys)
    assert (code, packages) == cold[:2]
    assert "the cached spec was damaged; discarded and read again" in err
    assert scan(srpms, cache, capsys) == cold  # written again whole: nothing more to say
    shutil.rmtree(cache)
    assert scan(srpms, cache, capsys) == cold
