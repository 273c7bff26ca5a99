"""What source RPMs' specs build, against rpmspec, on specs from elsewhere (not a pytest module).

usage: python tests/differential/real_world_builds.py DIR

Every ``*.spec`` below DIR that rpmspec reads is made into a source RPM (``rpmbuild -bs``, each
Source and Patch an empty file) and read as the auditor reads one (`read_rpm_file`); its
`Package.builds` is compared with ``rpmspec -q --builtrpms``. ``auditor check`` takes a BASE
binary the SRPM does not build for gone: a name rpm builds that the reading leaves out
("missing") is a false blocking fact, and must never happen; "unknown" (None) is the safe
answer. Run with the specs of the real_world.py sources, and with a pytest basetemp's
(2,700 specs), on 2026-12-04: no package missing (see the README's contributor check).

rpm runs the shell code a spec holds (``%(...)``) as it parses it, and a test suite's specs
include hostile ones: every rpm command runs in a scratch directory of its own, removed after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from auditor.core.errors import InputError
from auditor.sources.rpmpackage import read_rpm_file

GENERATED = ("-debuginfo", "-debugsource")


def rpmspec(spec: Path, query: str, env: dict[str, str], *more: str) -> list[str] | None:
    try:
        done = subprocess.run(
            ["rpmspec", "-q", *more, "--qf", query, str(spec.resolve())],
            capture_output=True, text=True, errors="replace", timeout=20, env=env, check=False, cwd=env["HOME"],
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None
    return done.stdout.split() if done.returncode == 0 else None


def source_rpm(spec: Path, work: Path, env: dict[str, str]) -> Path | None:
    files = rpmspec(spec, "[%{SOURCE}\n][%{PATCH}\n]", env, "--srpm")
    if files is None:
        return None
    sources, out = work / "sources", work / "srpms"
    for directory in (sources, out):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir()
    for name in files:
        base = name.rsplit("/", 1)[-1]
        if base:
            (sources / base).write_bytes(b"x")
    defines = {"_sourcedir": sources, "_srcrpmdir": out, "_topdir": work / "top"}
    command = ["rpmbuild", "-bs", "--nodeps", *[f"--define={key} {value}" for key, value in defines.items()]]
    try:
        done = subprocess.run(
            [*command, str(spec.resolve())], capture_output=True, env=env, timeout=60, check=False, cwd=work
        )
    except subprocess.TimeoutExpired:
        return None
    made = list(out.glob("*.src.rpm"))
    return made[0] if done.returncode == 0 and len(made) == 1 else None


def main(root: Path) -> int:
    work = Path(tempfile.mkdtemp(prefix="auditor-builds-"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "LC_ALL": "C"}
    counts: Counter[str] = Counter()
    try:
        for spec in sorted(root.rglob("*.spec")):
            theirs = rpmspec(spec, "%{NAME}\n", env, "--builtrpms") if spec.is_file() else None
            srpm = source_rpm(spec, work, env) if theirs is not None else None
            if theirs is None or srpm is None:
                counts["skipped (rpm cannot read or build it)"] += 1
                continue
            try:
                ours = read_rpm_file(str(srpm)).builds
            except InputError as exc:
                print(f"refused: {spec}: {exc}")
                counts["refused"] += 1
                continue
            built = {name for name in theirs if not name.endswith(GENERATED)}
            if ours is None:
                counts["unknown"] += 1
            elif built - set(ours):
                counts["missing"] += 1
                print(f"MISSING: {spec}: rpm builds {sorted(built - set(ours))}, the reading says {ours}")
            else:
                counts["agree" if set(ours) == built else "names more"] += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(", ".join(f"{key}: {value}" for key, value in sorted(counts.items())))
    return 1 if counts["missing"] else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    raise SystemExit(main(Path(sys.argv[1])))
