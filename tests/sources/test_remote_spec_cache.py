"""The cache of specs read from remote payloads (``specs/by-url``): an entry cut short or put
under another package's key is damaged, and the run reads the spec again, as a cold run does.

A file renamed into place but never synced can come back from a crash cut at a block, and a
cache copied or restored by hand can mix entries up. The entry was read as whatever it held
after its header: a spec cut before its Citrix ``Source1`` made ``nospec`` clean of it
(origin became unresolved, two Citrix findings fewer), with nothing on standard error.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
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


def spec_entries(cache: Path) -> dict[str, Path]:
    """The cached spec entries, by the spec's Name."""
    found = {}
    for path in (cache / "specs" / "by-url").iterdir():
        name = next(line for line in path.read_bytes().splitlines() if line.startswith(b"Name:"))
        found[name.split()[1].decode()] = path
    return found


def cut_before_citrix_source(entries: dict[str, Path]) -> None:
    path = entries["nospec"]
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"\nSource1:") + 1])


def swapped(entries: dict[str, Path]) -> None:
    nospec, other = entries["nospec"], entries["bcond-citrix"]
    held = nospec.read_bytes()
    nospec.write_bytes(other.read_bytes())
    other.write_bytes(held)


@pytest.mark.parametrize("damage", [cut_before_citrix_source, swapped])
def test_a_damaged_cached_spec_is_read_again(
    srpms: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: Callable[[dict[str, Path]], None],
) -> None:
    cache = tmp_path / "cache"
    cold = scan(srpms, cache, capsys)
    nospec = next(package for package in cold[1] if package["name"] == "nospec")
    assert nospec["status"] == "origin"
    assert scan(srpms, cache, capsys)[:2] == cold[:2]  # read from the cache
    damage(spec_entries(cache))
    code, packages, err = scan(srpms, cache, capsys)
    assert (code, packages) == cold[:2]
    assert "the cached spec was damaged; discarded and read again" in err
    assert scan(srpms, cache, capsys) == cold  # written again whole: nothing more to say
    shutil.rmtree(cache)
    assert scan(srpms, cache, capsys) == cold


def test_an_entry_written_before_entries_had_a_digest_is_read_again_quietly(
    srpms: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    cold = scan(srpms, cache, capsys)
    for path in spec_entries(cache).values():
        body = path.read_bytes().split(b"\n", 2)[2]  # after the magic and the digest
        path.write_bytes(b"auditor-spec-member 1\n" + body)
    assert scan(srpms, cache, capsys) == cold
