"""atheris target: the RPM reader (lead, signature, header, payload spec) and what follows it.

    .venv/bin/python tests/fuzz/fuzz_rpm.py -max_total_time=600

See tests/fuzz/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports():
    from tests.fuzz.targets import check_rpm, seed_rpms


def main() -> None:
    from tests.fuzz.run import corpus_arguments

    atheris.Setup(corpus_arguments(sys.argv, "rpm", seed_rpms()), check_rpm)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
