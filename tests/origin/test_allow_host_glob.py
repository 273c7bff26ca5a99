"""An ``[[allow]]`` glob naming a host and a path names them apart.

``values`` are shell globs, and a whole-text glob's ``*`` crosses ``/``:
``https://*.citrite.net/lvm2/*``, reviewed for the tarballs under a citrite.net host's
``/lvm2/``, also named ``https://code.citrite.net/x/.citrite.net/lvm2/y`` (its ``*`` the host
and ``/x/`` together), and the package passed (exit 0) with a Source from another directory of
Citrix's internal forge. What a URL glob names before its first ``/`` after ``://`` is matched
against the URL's host, and the rest against its path and what follows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.origin.test_allow_dot_segments import disposition


@pytest.mark.parametrize(
    ("glob", "source"),
    [
        ("https://*.citrite.net/lvm2/*", "https://code.citrite.net/x/.citrite.net/lvm2/y.tgz"),
        ("https://*.citrite.net/lvm2/*", "https://code.citrite.net/lvm2/../x/.citrite.net/lvm2/y.tgz"),
        ("https://*.citrite.net/lvm2/*", "https://code.citrite.net?.citrite.net/lvm2/y.tgz"),
    ],
)
def test_a_glob_s_host_names_no_piece_of_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], glob: str, source: str
) -> None:
    assert disposition(tmp_path, capsys, source, glob) == (1, "blocks")


@pytest.mark.parametrize(
    ("glob", "source"),
    [
        ("https://*.citrite.net/lvm2/*", "https://repo.citrite.net/lvm2/LVM2.tgz"),
        ("https://*.citrite.net/lvm2/*", "https://a.b.citrite.net/lvm2/old/LVM2.tgz"),
        ("https://*/lvm2/*", "https://repo.citrite.net/lvm2/LVM2.tgz"),
        ("https://*", "https://repo.citrite.net/lvm2/LVM2.tgz"),
        ("https://repo.citrite.ne?/lvm2/*", "https://repo.citrite.net/lvm2/LVM2.tgz"),
        ("*citrite.net/lvm2/*", "https://repo.citrite.net/lvm2/LVM2.tgz"),
        ("https://repo.citrite.net*", "https://repo.citrite.net/lvm2/LVM2.tgz"),
    ],
)
def test_a_glob_naming_the_host_and_the_path_allows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], glob: str, source: str
) -> None:
    assert disposition(tmp_path, capsys, source, glob) == (0, "allowed")
