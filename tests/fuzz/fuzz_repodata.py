"""atheris target: the repodata reader (decompression, XML, primary.xml) and what follows it.

    .venv/bin/python tests/fuzz/fuzz_repodata.py -max_total_time=600

The input's first byte picks the compression (gzip, xz, bzip2, zstd or none) and whether
the rest is the compressed file itself (so the decompressors are fuzzed too) or the XML
to compress; repomd.xml always vouches for the file, so the checksum never stops it.
See tests/fuzz/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports():
    from tests.fuzz.targets import COMPRESSIONS, check_repodata, compress, seed_primary


def one_input(data: bytes) -> None:
    if not data:
        return
    selector, body = data[0], data[1:]
    kind = COMPRESSIONS[selector % len(COMPRESSIONS)]
    check_repodata(body, kind, raw=bool(selector & 0x80) and kind != "")


def seeds() -> list[bytes]:
    primary = seed_primary()
    found = [bytes([index]) + primary for index in range(len(COMPRESSIONS))]
    found += [
        bytes([0x80 | index]) + compress(primary, kind) for index, kind in enumerate(COMPRESSIONS) if kind
    ]
    return found


def main() -> None:
    from tests.fuzz.run import corpus_arguments

    atheris.Setup(corpus_arguments(sys.argv, "repodata", seeds()), one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
