"""Generate the corpora by hand, or download the Debian index they are made from.

usage: python -m benchmarks.generators [--corpora DIR] ensure [NAME...]
       python -m benchmarks.generators [--corpora DIR] prepare-debian-index
       python -m benchmarks.generators [--corpora DIR] fetch-debian-index

``prepare-debian-index`` (run by scripts/test) downloads Debian bookworm's main index into the
corpora directory only when the machine has none and the distro corpora are not there yet;
``fetch-debian-index`` downloads it whatever the case.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from benchmarks.generators import store


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generators", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--corpora",
        default=store.default_dir(),
        metavar="DIR",
        help="where the corpora live (default: %(default)s)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    ensure = commands.add_parser("ensure", help="generate the corpora that are missing or out of date")
    ensure.add_argument(
        "names",
        nargs="*",
        choices=[[], *store.ALL, *store.ON_DEMAND],
        metavar="NAME",
        help=", ".join((*store.ALL, *store.ON_DEMAND)) + f" (default: {', '.join(store.ALL)})",
    )
    commands.add_parser(
        "prepare-debian-index",
        help="download Debian bookworm's main index if the distro corpora need it and it is absent",
    )
    commands.add_parser("fetch-debian-index", help="download Debian bookworm's main index")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch-debian-index":
            print(store.fetch_debian_index(args.corpora))
        elif args.command == "prepare-debian-index":
            index = store.prepare_debian_index(args.corpora)
            print(index or "the distro corpora are current; no Debian index is needed")
        else:
            print(store.ensure(args.names or store.ALL, args.corpora))
    except store.CorpusUnavailable as exc:
        print(f"corpora: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
