"""atheris target: the layout readers of primary.xml and filelists.xml against expat.

    .venv/bin/python tests/fuzz/fuzz_layout.py -max_total_time=600

Any bytes are read as primary.xml and as filelists.xml, by `createrepo_layout` and by expat,
in chunks whose size the first byte picks: a layout reader that accepts a document expat
reads otherwise (or refuses) is a crash. See tests/fuzz/README.md.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports():
    from tests.fuzz.layout import check_layout
    from tests.fuzz.targets import seed_primary
    from tests.paths import ROOT

SIZES = (1 << 20, 4096, 97, 7, 1)


def one_input(data: bytes) -> None:
    if not data:
        return
    check_layout(data[1:], SIZES[data[0] % len(SIZES)])


def seeds() -> list[bytes]:
    filelists = next((ROOT / "tests" / "data" / "repo" / "repodata").glob("*-filelists.xml.gz"))
    documents = [seed_primary(), gzip.decompress(filelists.read_bytes())]
    return [bytes([index]) + document for document in documents for index in range(len(SIZES))]


def main() -> None:
    from tests.fuzz.run import corpus_arguments

    atheris.Setup(corpus_arguments(sys.argv, "layout", seeds()), one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
