"""What `tests/fuzz/test_fuzz_inputs.py` found, each kept as the smallest input that showed it.

Each file is written by its test: a regression of the reader that failed on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.main import main


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
