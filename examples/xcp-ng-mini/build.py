#!/usr/bin/env python3
"""Build the xcp-ng-mini example repositories from specs/*.spec.

    .venv/bin/python examples/xcp-ng-mini/build.py

Standard library only; needs rpmbuild, rpmspec and createrepo_c. Every run replaces
repo/ (binary RPMs, repodata) and srpms/ (source RPMs, repodata) with the same bytes:
rpmbuild runs with a fixed SOURCE_DATE_EPOCH, build host and top directory, clamped
file times and gzip payloads; createrepo_c with a fixed revision and timestamps.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPECS = HERE / "specs"
# Fixed, not a random temporary name: source RPMs store the parsed spec, paths included.
TOPDIR = Path("/tmp/auditor-example-rpmbuild")
SOURCE_DATE_EPOCH = 1704067200  # 2024-01-01T00:00:00Z

ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": str(TOPDIR),  # no ~/.rpmmacros of the user
    "LC_ALL": "C.UTF-8",
    "TZ": "UTC",
    "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH),
}
MACROS = {
    "_topdir": str(TOPDIR),
    "_tmppath": str(TOPDIR / "tmp"),
    "_buildhost": "builder.xcp-ng.example",
    "use_source_date_epoch_as_buildtime": "1",
    "clamp_mtime_to_source_date_epoch": "1",
    "source_date_epoch_from_changelog": "0",
    "_binary_payload": "w9.gzdio",
    "_source_payload": "w9.gzdio",
}


def run(*cmd: str) -> str:
    result = subprocess.run(cmd, env=ENV, text=True, capture_output=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed ({result.returncode}): {' '.join(cmd)}")
    return result.stdout


def rpm_args() -> list[str]:
    return [arg for name, value in MACROS.items() for arg in ("--define", f"{name} {value}")]


def placeholder(name: str) -> bytes:
    """A tiny, deterministic stand-in for a source file (a .tar.gz with one README)."""
    text = f"placeholder for {name}\n".encode()
    if not name.endswith(".tar.gz"):
        return text
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(f"{name.removesuffix('.tar.gz')}/README")
        info.size, info.mode, info.mtime = len(text), 0o644, 0
        tar.addfile(info, io.BytesIO(text))
    return gzip.compress(raw.getvalue(), mtime=0)


def build(spec: Path) -> None:
    # %{SOURCE} is each source's local name: the "#/name" fragment, else the basename.
    names = run("rpmspec", "-q", "--srpm", "--qf", "[%{SOURCE}\n]", *rpm_args(), str(spec)).split()
    for name in names:
        (TOPDIR / "SOURCES" / name).write_bytes(placeholder(name))
    run("rpmbuild", "-bs", *rpm_args(), str(spec))
    run("rpmbuild", "-bb", "--nodeps", *rpm_args(), str(spec))


def createrepo(directory: Path, packages: list[Path]) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "Packages").mkdir(parents=True)
    for package in packages:
        shutil.copyfile(package, directory / "Packages" / package.name)
        os.utime(directory / "Packages" / package.name, (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH))
    run("createrepo_c", "--quiet", "--revision", "1", "--set-timestamp-to-revision",
        "--unique-md-filenames", "--no-database", "--workers", "1", str(directory))  # fmt: skip


def main() -> None:
    for tool in ("rpmbuild", "rpmspec", "createrepo_c"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (Debian: apt install rpm createrepo-c)")
    if TOPDIR.is_symlink() or (TOPDIR.exists() and TOPDIR.stat().st_uid != os.getuid()):
        raise SystemExit(f"{TOPDIR} exists and is not this user's: remove it first")
    shutil.rmtree(TOPDIR, ignore_errors=True)
    try:
        for sub in ("BUILD", "BUILDROOT", "RPMS", "SOURCES", "SPECS", "SRPMS", "tmp"):
            (TOPDIR / sub).mkdir(parents=True)
        for spec in sorted(SPECS.glob("*.spec")):
            print(f"building {spec.name}", flush=True)
            build(spec)
        createrepo(HERE / "repo", sorted((TOPDIR / "RPMS").rglob("*.rpm")))
        createrepo(HERE / "srpms", sorted((TOPDIR / "SRPMS").glob("*.src.rpm")))
    finally:
        shutil.rmtree(TOPDIR, ignore_errors=True)
    for directory in (HERE / "repo", HERE / "srpms"):
        for path in sorted((directory / "Packages").iterdir()):
            print(f"  {path.stat().st_size:6d}  {path.relative_to(HERE)}")
    total = sum(p.stat().st_size for d in ("repo", "srpms") for p in (HERE / d).rglob("*") if p.is_file())
    print(f"repo/ and srpms/ hold {total} bytes")


if __name__ == "__main__":
    main()
