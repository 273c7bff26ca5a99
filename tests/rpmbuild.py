"""Source and binary RPMs made by rpmbuild, the authority on what a spec builds: the one
helper of the tests that build a spec of their own."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path


def build_noarch(
    spec: Path,
    top: Path,
    sources: Iterable[str],
    *,
    defines: Mapping[str, str] | None = None,
    environment: Mapping[str, str] | None = None,
    source_text: str = "x\n",
) -> tuple[Path, Path]:
    """The source RPM and the one noarch binary RPM ``rpmbuild -ba`` makes of ``spec`` in the
    tree ``top``, each of ``sources`` a file of SOURCES holding ``source_text``; ``defines``,
    macros given to rpmbuild, ``environment``, variables added to its (``SOURCE_DATE_EPOCH``)."""
    files = dict.fromkeys(sources, source_text)
    srpm, binaries = build_all(spec, top, files, defines=defines, environment=environment)
    (rpm,) = [path for path in binaries if path.parent.name == "noarch"]
    return srpm, rpm


def build_all(
    spec: Path,
    top: Path,
    sources: Mapping[str, str],
    *,
    defines: Mapping[str, str] | None = None,
    environment: Mapping[str, str] | None = None,
    nodeps: bool = False,
) -> tuple[Path, list[Path]]:
    """The source RPM and every binary RPM ``rpmbuild -ba`` makes of ``spec`` in the tree ``top``
    (sorted by path), each file of SOURCES named by ``sources`` holding its text; ``defines``,
    macros given to rpmbuild, ``environment``, variables added to its, ``nodeps``: its
    BuildRequires are not installed here."""
    assert shutil.which("rpmbuild"), "rpmbuild is the authority here: install rpm (Debian package rpm)"
    (top / "SOURCES").mkdir(parents=True)
    for name, text in sources.items():
        (top / "SOURCES" / name).write_text(text)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(top),
        "LC_ALL": "C",
        **(environment or {}),
    }
    macros = [item for name, value in (defines or {}).items() for item in ("--define", f"{name} {value}")]
    options = ["--nodeps"] if nodeps else []
    command = ["rpmbuild", "-ba", "--quiet", *options, "--define", f"_topdir {top}", *macros, str(spec)]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace", env=env, check=False)
    assert done.returncode == 0, done.stderr
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    return srpm, sorted((top / "RPMS").glob("*/*.rpm"))


def binary_of(spec_text: str, directory: Path) -> Path:
    """The one noarch binary RPM rpmbuild makes of ``spec_text`` (a spec with no sources),
    written and built under ``directory``."""
    spec = directory / "package.spec"
    spec.write_text(spec_text)
    return build_noarch(spec, directory / "top", [])[1]
