"""Source and binary RPMs made by rpmbuild, the authority on what a spec builds: the one
helper of the tests that build a spec of their own."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path


def build_noarch(spec: Path, top: Path, sources: Iterable[str]) -> tuple[Path, Path]:
    """The source RPM and the one noarch binary RPM ``rpmbuild -ba`` makes of ``spec`` in the
    tree ``top``, each of ``sources`` an empty file of SOURCES."""
    assert shutil.which("rpmbuild"), "rpmbuild is the authority here: install rpm (Debian package rpm)"
    (top / "SOURCES").mkdir(parents=True)
    for name in sources:
        (top / "SOURCES" / name).write_text("x\n")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(top), "LC_ALL": "C"}
    command = ["rpmbuild", "-ba", "--quiet", "--define", f"_topdir {top}", str(spec)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    (rpm,) = (top / "RPMS" / "noarch").glob("*.rpm")
    return srpm, rpm
