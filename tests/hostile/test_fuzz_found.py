"""What `tests/fuzz/test_fuzz_inputs.py` found, each kept as the smallest input that showed it.

Each file is written by its test: a regression of the reader that failed on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.formats.pgpkeys import public_key_ids
from tests.conftest import RPMS


@pytest.mark.parametrize("kind", ["mirrorlist", "metalink"])
def test_a_listed_mirror_with_a_broken_ipv6_host_is_an_input_error(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``http://[::1`` listed as a mirror made ``urlsplit`` raise where the list's mirrors were
    sorted by scheme: exit 4. Listed as a ``baseurl`` it was already an error on the section."""
    mirror = "http://[::1/repodata/repomd.xml" if kind == "metalink" else "http://[::1"
    listing = tmp_path / "list"
    if kind == "metalink":
        listing.write_text(
            '<metalink version="3.0" xmlns="http://www.metalinker.org/"><files><file name="repomd.xml">'
            f"<resources><url>{mirror}</url></resources></file></files></metalink>\n"
        )
    else:
        listing.write_text(f"{mirror}\n")
    config = tmp_path / "x.repo"
    config.write_text(f"[x]\nname=x\n{kind}=file://{listing}\nenabled=1\n")
    code = main(["scan", str(config), "-q", "--no-cache", "--offline", "--no-baseline"])
    err = capsys.readouterr().err
    assert code == 3, err
    shown = "http://[::1/" if kind == "metalink" else mirror  # a metalink's, the repository's URL
    assert err.splitlines() == [
        f"auditor: error: {config} [x]: no repository could be read; last: {shown}: not a valid URL"
    ]


class _Counted(bytes):
    """Bytes that count what slicing them copies."""

    copied = 0

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        item = super().__getitem__(key)
        if isinstance(key, slice):
            _Counted.copied += len(item)
        return item


def test_a_key_file_of_many_packets_is_read_in_one_pass() -> None:
    """Each packet of a key file was decoded from a copy of the rest of the file: 1 MiB of empty
    packets (the most a key file may hold) copied 275 GB, 13 s, at each read of the policy or of
    a key file a package installs. The bytes copied now stay within twice the file's."""
    data = _Counted(b"\xc0\x00" * 50_000 + b"\xc6\x0a\x04" + bytes(9))
    _Counted.copied = 0
    assert public_key_ids(data) == ["1c444d2fdd0732af"]
    assert _Counted.copied <= 2 * len(data), f"{_Counted.copied} bytes copied to read {len(data)}"


@pytest.mark.parametrize("entry", [r'"\ud800"', r'{"\ud800": 1}'])
def test_a_lone_surrogate_read_as_another_type_is_an_error_on_the_baseline(
    entry: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON ``\\ud800`` escape names no character: where the baseline's schema read such a
    string as another type (an entry, a key), msgspec raised UnicodeEncodeError: exit 4."""
    baseline = tmp_path / "baseline.json"
    baseline.write_text(f'{{"tool": "auditor", "version": 1, "entries": [{entry}]}}')
    code = main(
        ["scan", str(RPMS / "single-deps-1.0-1.noarch.rpm"), "--baseline", str(baseline), "-q", "--no-cache"]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    (line,) = err.splitlines()
    assert line.startswith(f"auditor: error: {baseline}: ") and "lone surrogate" in line, line
