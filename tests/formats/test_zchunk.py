"""The zchunk reader (`auditor.formats.zchunk`) against zchunk's own tools, and on hostile files.

``zck`` writes the files (with and without a dictionary, split at each package, every chunk
checksum type, uncompressed) and ``unzck`` is the authority on what they hold. Hostile files
are written here, their checksums right, so that each reaches the check it is for.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import random
import shutil
import subprocess
from pathlib import Path

import pytest
import zstandard

from auditor.core.errors import InputError
from auditor.formats.xmlstream import decompressed_chunks
from auditor.formats.zchunk import zchunk_decompressed


@pytest.fixture(autouse=True)
def zchunk_tools() -> None:
    """zchunk's own tools are the authority here: a machine without them fails, never skips."""
    assert shutil.which("zck") and shutil.which("unzck"), "install zchunk's tools (Debian, Fedora: zchunk)"


def _content(packages: int = 400, seed: int = 0) -> bytes:
    """primary.xml-like text: repeated entries, which a dictionary and chunking help with."""
    rng = random.Random(seed)
    entries = [
        f'<package type="rpm"><name>pkg{n}</name><version epoch="0" ver="{rng.randint(1, 9)}.{n}" rel="1"/>'
        f'<rpm:requires><rpm:entry name="lib{rng.randint(0, 50)}.so"/></rpm:requires></package>\n'
        for n in range(packages)
    ]
    return (
        f'<?xml version="1.0"?>\n<metadata packages="{packages}">\n' + "".join(entries) + "</metadata>\n"
    ).encode()


def _read(data: bytes, limit: int = 1 << 30) -> bytes:
    return b"".join(zchunk_decompressed(io.BytesIO(data), "primary.xml.zck", limit=limit))


@pytest.mark.parametrize(
    "options",
    [[], ["-s", "<package "], ["--dict", "DICT", "-s", "<package "], ["-h", "sha256"], ["-h", "sha512"],
     ["--compression-format=none"]],
)  # fmt: skip
def test_what_unzck_reads(tmp_path: Path, options: list[str]) -> None:
    content = _content()
    (tmp_path / "primary.xml").write_bytes(content)
    (tmp_path / "DICT").write_bytes(content[:4000])
    options = [str(tmp_path / "DICT") if option == "DICT" else option for option in options]
    made = tmp_path / "primary.xml.zck"
    subprocess.run(
        ["zck", *options, "-o", str(made), str(tmp_path / "primary.xml")], check=True, capture_output=True
    )
    expected = subprocess.run(["unzck", "-c", str(made)], check=True, capture_output=True).stdout
    assert expected == content
    assert _read(made.read_bytes()) == expected
    # As any metadata file is read: by its magic.
    with made.open("rb") as stream:
        assert b"".join(decompressed_chunks(stream, str(made))) == expected


def test_a_flag_libsolv_does_not_read_is_refused(tmp_path: Path) -> None:
    """``zck -u`` adds the uncompressed checksums (flag 4): libsolv's reader, which dnf's loading
    goes through, refuses the file; so does this one, with one line."""
    (tmp_path / "primary.xml").write_bytes(_content())
    made = tmp_path / "u.zck"
    subprocess.run(
        ["zck", "-u", "-o", str(made), str(tmp_path / "primary.xml")], check=True, capture_output=True
    )
    with pytest.raises(InputError, match="zchunk flags 0x4"):
        _read(made.read_bytes())


def _ci(value: int) -> bytes:
    out = bytearray()
    while True:
        if value < 0x80:
            out.append(value | 0x80)
            return bytes(out)
        out.append(value & 0x7F)
        value >>= 7


def _zck(
    chunks: list[bytes],
    *,
    dictionary: bytes = b"",
    flags: int = 0,
    streams: list[int] | None = None,
    lengths: list[int] | None = None,
    compress: bool = True,
    zstd: bool | None = None,
) -> bytes:
    """A zchunk file of ``chunks`` (SHA-256 throughout), its checksums right: ``lengths`` are
    the uncompressed lengths the index claims (default: the true ones); ``zstd``, the
    compression type the header says (default: whether they were compressed here)."""
    sha = hashlib.sha256
    packed_dict = zstandard.ZstdCompressor().compress(dictionary) if dictionary else b""
    compressor = zstandard.ZstdCompressor(
        dict_data=zstandard.ZstdCompressionDict(dictionary) if dictionary else None
    )
    packed = [compressor.compress(chunk) if compress else chunk for chunk in chunks]
    claimed = lengths if lengths is not None else [len(chunk) for chunk in chunks]
    stream_ids = streams if streams is not None else [1] * len(chunks)
    entries = [
        (_ci(0) if flags & 1 else b"")
        + (sha(packed_dict).digest() if packed_dict else bytes(32))
        + _ci(len(packed_dict))
        + _ci(len(dictionary))
    ]
    for data, length, stream in zip(packed, claimed, stream_ids, strict=True):
        entries.append(
            (_ci(stream) if flags & 1 else b"") + sha(data).digest() + _ci(len(data)) + _ci(length)
        )
    index = _ci(1) + _ci(len(chunks) + 1) + b"".join(entries)
    body = packed_dict + b"".join(packed)
    said_zstd = compress if zstd is None else zstd
    preface = sha(body).digest() + _ci(flags) + _ci(2 if said_zstd else 0) + _ci(len(index)) + index
    header = preface + _ci(0)  # no signature
    lead = b"\x00ZCK1" + _ci(1) + _ci(len(header))
    return lead + sha(lead + header).digest() + header + body


def test_an_empty_dictionary_that_claims_a_length_is_refused(tmp_path: Path) -> None:
    """A dictionary chunk of no byte that claims 5: libsolv's reader (``if (!chunk_len) return
    uncompressed_len ? 0 : 1``) and unzck refuse the file; this reader read it as having none."""
    sha = hashlib.sha256
    data = zstandard.ZstdCompressor().compress(b"x")
    index = _ci(1) + _ci(2) + bytes(32) + _ci(0) + _ci(5) + sha(data).digest() + _ci(len(data)) + _ci(1)
    header = sha(data).digest() + _ci(0) + _ci(2) + _ci(len(index)) + index + _ci(0)
    lead = b"\x00ZCK1" + _ci(1) + _ci(len(header))
    made = tmp_path / "empty-dictionary.zck"
    made.write_bytes(lead + sha(lead + header).digest() + header + data)
    assert subprocess.run(["unzck", "-c", str(made)], capture_output=True).returncode != 0
    with pytest.raises(InputError, match="corrupt zchunk chunk 0: not its uncompressed length"):
        _read(made.read_bytes())


def test_the_writer_here_writes_what_unzck_reads(tmp_path: Path) -> None:
    chunks = [b"<metadata>", b"<package/>" * 50, b"</metadata>"]
    made = tmp_path / "w.zck"
    made.write_bytes(_zck(chunks, dictionary=b"<package/>" * 20))
    assert subprocess.run(["unzck", "-c", str(made)], check=True, capture_output=True).stdout == b"".join(
        chunks
    )
    assert _read(made.read_bytes()) == b"".join(chunks)


def test_only_stream_one_is_the_content_as_libsolv_reads_it() -> None:
    data = _zck([b"one ", b"two ", b"three"], flags=1, streams=[1, 2, 1])
    assert _read(data) == b"one three"


def test_a_chunk_of_several_zstd_frames_is_read_whole() -> None:
    frames = zstandard.ZstdCompressor().compress(b"first ") + zstandard.ZstdCompressor().compress(b"second")
    data = _zck([frames], compress=False, lengths=[len(frames)])
    assert _read(data) == frames  # uncompressed: taken as it is
    # Compressed: both frames, as ZSTD_decompressDCtx reads a chunk.
    sha = hashlib.sha256
    index = _ci(1) + _ci(2) + bytes(32) + _ci(0) + _ci(0) + sha(frames).digest() + _ci(len(frames)) + _ci(12)
    header = sha(frames).digest() + _ci(0) + _ci(2) + _ci(len(index)) + index + _ci(0)
    lead = b"\x00ZCK1" + _ci(1) + _ci(len(header))
    assert _read(lead + sha(lead + header).digest() + header + frames) == b"first second"


def test_a_chunk_of_many_empty_frames_takes_linear_time() -> None:
    """600,000 empty zstd frames of 9 bytes in one chunk (5.4 MB): each frame was read from a copy
    of what was left of the chunk, quadratic (150 s; unzck takes 0.05 s; about 1 s now). No
    timing is asserted: a quadratic copy shows as a slow test run, not a flaky one."""
    empty = zstandard.ZstdCompressor(write_content_size=False).compress(b"")
    assert len(empty) == 9
    frames = empty * 600_000
    sha = hashlib.sha256
    index = _ci(1) + _ci(2) + bytes(32) + _ci(0) + _ci(0) + sha(frames).digest() + _ci(len(frames)) + _ci(0)
    header = sha(frames).digest() + _ci(0) + _ci(2) + _ci(len(index)) + index + _ci(0)
    lead = b"\x00ZCK1" + _ci(1) + _ci(len(header))
    assert _read(lead + sha(lead + header).digest() + header + frames) == b""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_zck([b"x" * 100], lengths=[1 << 40]), "more than 1048576 bytes; refused as a bomb"),
        (_zck([b"x" * 100], lengths=[99]), "longer than its index says"),
        (_zck([b"x" * 100], lengths=[101]), "not its uncompressed length"),
        (_zck([b"x"], flags=2), "zchunk flags 0x2"),
        (_zck([b"x"], flags=1, streams=[1]).replace(b"ZCK1", b"ZCK2"), "not a zchunk file"),
        (_zck([b"x" * 100])[:-3], "truncated zchunk file"),
        (_zck([b"x" * 100]) + b"more", "bytes after its last chunk"),
        (_zck([b"x" * 100], compress=False, lengths=[50]), "not its uncompressed length"),
    ],
)
def test_hostile_files_are_one_line_errors(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        _read(data, limit=1 << 20)


def test_a_bomb_is_refused_before_anything_is_decompressed() -> None:
    """The index's lengths are summed against the limit first: 10,000 chunks that claim 1 MiB
    each are refused without decompressing one."""
    data = _zck([b"y"] * 10_000, lengths=[1 << 20] * 10_000)
    reader = zchunk_decompressed(io.BytesIO(data), "bomb.zck", limit=1 << 30)
    with pytest.raises(InputError, match="refused as a bomb"):
        next(reader)


def test_a_changed_byte_is_an_input_error_never_a_crash() -> None:
    """Byte flips anywhere, the header's checksum made right again each time, so that the
    fields themselves are what is tried."""
    content = _content(60)
    original = _zck([content[:2000], content[2000:]], dictionary=content[:500])
    header_size, at = 0, 6  # after the magic and the checksum type (a byte: SHA-256)
    for shift in range(0, 64, 7):
        header_size |= (original[at] & 0x7F) << shift
        at += 1
        if original[at - 1] & 0x80:
            break
    lead_size = at
    rng = random.Random(7)
    outcomes = set()
    for _ in range(2000):
        data = bytearray(original)
        at = rng.randrange(lead_size + 32, lead_size + 32 + header_size)
        data[at] = rng.randrange(256)
        lead = bytes(data[:lead_size])
        header = bytes(data[lead_size + 32 : lead_size + 32 + header_size])
        data[lead_size : lead_size + 32] = hashlib.sha256(lead + header).digest()
        try:
            outcomes.add("read" if _read(bytes(data), limit=1 << 20) == content else "other")
        except InputError:
            outcomes.add("refused")
    assert "refused" in outcomes


def test_chunks_that_are_not_zstd_are_input_errors_never_a_crash() -> None:
    """Chunk data past every checksum (they are right) is whatever the file's author wrote."""
    rng = random.Random(11)
    good = zstandard.ZstdCompressor().compress(b"<metadata/>" * 40)
    for _ in range(500):
        data = bytearray(good)
        for _flip in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data))]
        length = rng.choice([440, 439, 441, 0, 1 << 19])
        hostile = _zck([bytes(data)], compress=False, zstd=True, lengths=[length])
        with contextlib.suppress(InputError):
            _read(hostile, limit=1 << 20)
