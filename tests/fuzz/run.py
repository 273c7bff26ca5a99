"""Shared set-up of the atheris targets: a working corpus seeded from the real fixtures."""

from __future__ import annotations

import hashlib
from pathlib import Path

WORK = Path(__file__).resolve().parents[2] / ".fuzz"
"""Where libFuzzer keeps its growing corpus and crash files (ignored by git)."""


def corpus_arguments(argv: list[str], name: str, seeds: list[bytes]) -> list[str]:
    """``argv`` plus the corpus directory ``.fuzz/NAME`` (seeded) and ``-artifact_prefix``,
    unless the caller gave a directory of its own."""
    corpus = WORK / name
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        (corpus / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    arguments = list(argv)
    if not any(not argument.startswith("-") for argument in arguments[1:]):
        arguments.append(str(corpus))
    if not any(argument.startswith("-artifact_prefix=") for argument in arguments):
        arguments.append(f"-artifact_prefix={WORK}/{name}-")
    return arguments
