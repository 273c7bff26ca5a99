"""Packages built by rpmbuild from spec bodies, and createrepo_c's repository of them without
databases: the inputs of the tests whose metadata is then edited against the headers."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.rpmbuild import build_noarch


def built_packages(top: Path, specs: Mapping[str, str]) -> list[Path]:
    """The source and binary RPMs of each spec (``Name:`` then its body), built under ``top``."""
    built: list[Path] = []
    for name, body in specs.items():
        spec = top / f"{name}.spec"
        spec.write_text(f"Name: {name}\n{body}")
        built.extend(build_noarch(spec, top / name, []))
    return built


def repository(directory: Path, packages: list[Path]) -> Path:
    """createrepo_c's repository of ``packages``, copied into ``directory``, with no databases."""
    directory.mkdir()
    for path in packages:
        shutil.copy(path, directory)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(directory)], check=True)
    return directory
