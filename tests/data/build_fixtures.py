#!/usr/bin/env python3
"""Build the real-RPM test fixtures under tests/data/ from tests/data/specs/*.spec.

Run from anywhere (python3 standard library only, plus the rpm tools):

    .venv/bin/python tests/data/build_fixtures.py

Needs rpmbuild, rpmsign, rpmspec, rpmkeys, rpm, gpg and createrepo_c (Debian: the rpm,
gnupg and createrepo-c packages). Every output is replaced on each run:

- rpms/            every built binary and source RPM (flat), the public key of the
                   throw-away signing key (RPM-GPG-KEY-fixtures) and its key id
                   (SIGNING_KEY_ID);
- repo/            yum repository of the binary RPMs (gzip repodata, with sqlite dbs);
- repo-xz/, repo-bz2/, repo-zst/  the same packages, repodata compressed with xz,
                   bzip2, zstd (no sqlite dbs);
- srpm-repo/       yum repository of the source RPMs.

The RPMs under repo*/Packages are hard links of the files in rpms/ (git stores them as
copies of one blob). The output is as reproducible as rpm allows (fixed
SOURCE_DATE_EPOCH, build host, clamped mtimes, gzip payloads); only the signed package
and the signing key change from run to run, since the key is made anew each time.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPECS = HERE / "specs"
RPMS = HERE / "rpms"
REPOS = {
    # directory: extra createrepo_c arguments
    "repo": ["--database"],
    "repo-xz": ["--no-database", "--general-compress-type", "xz"],
    "repo-bz2": ["--no-database", "--general-compress-type", "bz2"],
    "repo-zst": ["--no-database", "--general-compress-type", "zstd"],
}
SRPM_REPO = "srpm-repo"

RPMBUILD_TOPDIR = Path("/tmp/auditor-fixtures-rpmbuild")  # fixed: see prepare_rpmbuild_dir
SOURCE_DATE_EPOCH = 1704067200  # 2024-01-01T00:00:00Z
BUILDHOST = "fixtures.example.org"
GPG_NAME = "Auditor Fixtures <fixtures@example.org>"

DEFAULT_PAYLOAD = "w9.gzdio"  # gzip: readable without zstd/xz support
PAYLOADS = {"payload-xz": "w6.xzdio", "payload-zstd": "w19.zstdio"}  # binary payload
TARGETS = {"multilib": ["x86_64", "i686"]}  # otherwise the spec's own (noarch) arch
SIGNED = "signed"  # the binary package signed with the throw-away key
# The source packages whose SPEC tag is stripped (their spec is only in the payload).
NOSPEC = ("nospec", "bcond-citrix")
ZSTD_SPEC = "payload-zstd"

RPMTAG_SPEC = 5099
RPMTAG_PAYLOADDIGEST = 5092
RPMTAG_HEADERIMMUTABLE = 63
SIGTAG_SHA1 = 269
SIGTAG_SHA256 = 273
SIGTAG_SIZE = 1000
SIGTAG_MD5 = 1004
SIGTAG_LONGSIZE = 270
SIGTAG_SIGNATURES = (267, 268, 1002, 1005, 1006, 278, 279)  # DSA, RSA, PGP, GPG, ...
HEADER_MAGIC = b"\x8e\xad\xe8\x01\x00\x00\x00\x00"
LEAD_SIZE = 96


def log(message: str) -> None:
    print(message, flush=True)


def run(cmd: list[str], env: dict[str, str], capture: bool = False) -> str:
    result = subprocess.run(cmd, env=env, text=True, capture_output=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(cmd)}")
    return result.stdout if capture else ""


# --- placeholder sources -----------------------------------------------------------


def tiny_tarball(name: str) -> bytes:
    """A deterministic .tar.gz holding one small file (mtime 0, root-owned)."""
    top = name.removesuffix(".tar.gz")
    body = f"placeholder for {name}\n".encode()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(f"{top}/README")
        info.size, info.mtime, info.mode = len(body), 0, 0o644
        tar.addfile(info, io.BytesIO(body))
    return gzip.compress(raw.getvalue(), mtime=0)


def placeholder(name: str) -> bytes:
    if name.endswith(".tar.gz"):
        return tiny_tarball(name)
    if name.endswith(".patch"):
        return (f"Placeholder patch {name}\n\n--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old\n+new\n").encode()
    return f"# placeholder for {name}\n".encode()


def make_sources(spec: Path, sources: Path, env: dict[str, str]) -> None:
    """Create every Source/Patch of ``spec`` (by its local, fragment-given name)."""
    out = run(
        ["rpmspec", "-q", "--srpm", "--qf", "[%{SOURCE}\n][%{PATCH}\n]", str(spec)],
        env,
        capture=True,
    )
    for name in filter(None, out.splitlines()):
        path = sources / name
        if not path.exists():
            path.write_bytes(placeholder(name))


# --- stripping the SPEC tag from a source RPM ----------------------------------------

_ALIGN = {3: 2, 4: 4, 5: 8}  # INT16, INT32, INT64
_SIZE = {0: 0, 1: 1, 2: 1, 3: 2, 4: 4, 5: 8}


def _data_length(type_: int, store: bytes | bytearray, offset: int, count: int) -> int:
    if type_ == 6:  # STRING
        return store.index(b"\0", offset) + 1 - offset
    if type_ in (8, 9):  # STRING_ARRAY, I18NSTRING
        end = offset
        for _ in range(count):
            end = store.index(b"\0", end) + 1
        return end - offset
    if type_ == 7:  # BIN
        return count
    return _SIZE[type_] * count


def _parse_header(blob: bytes, start: int) -> tuple[list[tuple[int, int, int, int]], bytes, int]:
    """(index entries, data store, end offset) of the header structure at ``start``."""
    if blob[start : start + 8] != HEADER_MAGIC:
        raise SystemExit(f"no RPM header magic at offset {start}")
    il, dl = struct.unpack(">II", blob[start + 8 : start + 16])
    index = [struct.unpack(">iiii", blob[start + 16 + 16 * i : start + 32 + 16 * i]) for i in range(il)]
    store_start = start + 16 + 16 * il
    return index, blob[store_start : store_start + dl], store_start + dl


def _header_without(blob: bytes, start: int, drop: int) -> tuple[bytes, int]:
    """The main header at ``start`` re-serialized without tag ``drop``; and its old end."""
    index, store, end = _parse_header(blob, start)
    if index[0][0] != RPMTAG_HEADERIMMUTABLE:
        raise SystemExit("main header does not start with its immutable region")
    region_offset = index[0][2]
    trailer = struct.unpack(">iiii", store[region_offset : region_offset + 16])
    if trailer[0] != RPMTAG_HEADERIMMUTABLE or trailer[2] != -16 * len(index):
        raise SystemExit(f"unexpected immutable region trailer {trailer}")
    kept = [entry for entry in index if entry[0] != drop]
    if len(kept) != len(index) - 1:
        raise SystemExit(f"tag {drop} not found exactly once in the main header")
    # Lay the data out again in its original order (the region trailer stays last),
    # keeping each type's alignment.
    new_store = bytearray()
    new_offsets: dict[int, int] = {}
    for tag, type_, offset, count in sorted(kept, key=lambda entry: entry[2]):
        align = _ALIGN.get(type_, 1)
        new_store += b"\0" * (-len(new_store) % align)
        new_offsets[tag] = len(new_store)
        if tag == RPMTAG_HEADERIMMUTABLE:
            new_store += struct.pack(">iiii", tag, 7, -16 * len(kept), 16)
        else:
            new_store += store[offset : offset + _data_length(type_, store, offset, count)]
    if max(new_offsets.values()) != new_offsets[RPMTAG_HEADERIMMUTABLE]:
        raise SystemExit("the immutable region trailer is not at the end of the data")
    header = bytearray(HEADER_MAGIC + struct.pack(">II", len(kept), len(new_store)))
    for tag, type_, _offset, count in kept:
        header += struct.pack(">iiii", tag, type_, new_offsets[tag], count)
    return bytes(header + new_store), end


def strip_spec_tag(path: Path) -> None:
    """Rewrite a source RPM without its SPEC tag, like those rpm 4.11 built.

    The main header loses the index entry and data of RPMTAG_SPEC (its immutable-region
    trailer is updated); the signature header's SHA1/SHA256 header digests, SIZE and MD5
    are recomputed in place (same sizes, so its length and padding do not change).
    """
    blob = path.read_bytes()
    main_start = _main_start(blob)
    header, main_end = _header_without(blob, main_start, RPMTAG_SPEC)
    _write_signed(path, blob, header, blob[main_end:])


def replace_payload(path: Path, payload: bytes) -> None:
    """Rewrite an RPM with another ``payload``: the main header's PAYLOADDIGEST (the SHA-256 of
    the payload as stored, which ``rpm -K`` and the auditor compute) in place, then the
    signature's header digests, SIZE and MD5. PAYLOADDIGESTALT (of the payload uncompressed)
    is left: rpm 4.18 never verifies it, nor does the auditor."""
    blob = path.read_bytes()
    main_start = _main_start(blob)
    index, store, main_end = _parse_header(blob, main_start)
    header = bytearray(blob[main_start:main_end])
    store_start = 16 + 16 * len(index)
    for tag, type_, offset, count in index:
        if tag == RPMTAG_PAYLOADDIGEST:
            value = hashlib.sha256(payload).hexdigest().encode() + b"\0"
            if type_ != 8 or count != 1 or len(value) != _data_length(type_, store, offset, count):
                raise SystemExit(f"{path.name}: PAYLOADDIGEST is not one SHA-256")
            header[store_start + offset : store_start + offset + len(value)] = value
    _write_signed(path, blob, bytes(header), payload)


def restrip_payload(path: Path) -> None:
    """Rewrite an RPM's gzip payload in rpm's stripped cpio format (``07070X``), which rpmbuild
    4.18 writes only for a package with a file of 4 GiB or more (rpm 6: every v6 package).

    Each ``newc`` member becomes the magic, its file's index in the header's list (as
    ``rpm -qp`` lists it) and padding, its data kept as rpmbuild wrote it (a hard link's with the
    last of its set); the trailer stays a ``newc`` one, as rpm writes it.
    """
    query = ["rpm", "-qp", "--nosignature", "--nodigest", "--qf", "[%{FILENAMES}\\n]", str(path)]
    order = subprocess.run(query, capture_output=True, text=True, check=True).stdout.split("\n")[:-1]
    blob = path.read_bytes()
    _index, _store, main_end = _parse_header(blob, _main_start(blob))
    archive = gzip.decompress(blob[main_end:])
    out, at = bytearray(), 0
    while True:
        size, name_size = int(archive[at + 54 : at + 62], 16), int(archive[at + 94 : at + 102], 16)
        name_end = at + 110 + name_size
        name = archive[at + 110 : name_end - 1].decode()
        data_at = name_end + (-name_end % 4)
        if name == "TRAILER!!!":
            out += archive[at:]
            break
        data = archive[data_at : data_at + size]
        out += (
            b"07070X" + b"%08x" % order.index(name.removeprefix(".")) + b"\0\0" + data + b"\0" * (-size % 4)
        )
        at = data_at + size + (-size % 4)
    replace_payload(path, gzip.compress(bytes(out), mtime=0))


def _main_start(blob: bytes) -> int:
    _index, _store, sig_end = _parse_header(blob, LEAD_SIZE)
    return sig_end + (-(sig_end - LEAD_SIZE) % 8)


def _write_signed(path: Path, blob: bytes, header: bytes, payload: bytes) -> None:
    """Write ``blob``'s lead and signature header, its digests and sizes recomputed for the
    main ``header`` and ``payload`` that follow them."""
    sig_index, sig_store, sig_end = _parse_header(blob, LEAD_SIZE)
    main_start = _main_start(blob)
    tail = header + payload
    store = bytearray(sig_store)
    for tag, type_, offset, count in sig_index:
        if tag in SIGTAG_SIGNATURES:
            raise SystemExit(f"{path.name}: signed source RPMs are not rewritten")
        if tag == SIGTAG_SHA1:
            value = hashlib.sha1(header).hexdigest().encode() + b"\0"
        elif tag == SIGTAG_SHA256:
            value = hashlib.sha256(header).hexdigest().encode() + b"\0"
        elif tag == SIGTAG_SIZE:
            value = struct.pack(">I", len(tail))
        elif tag == SIGTAG_LONGSIZE:
            value = struct.pack(">Q", len(tail))
        elif tag == SIGTAG_MD5:
            value = hashlib.md5(tail).digest()
        else:
            continue  # PAYLOADSIZE, RESERVEDSPACE, ...: the payload is unchanged
        if len(value) != _data_length(type_, store, offset, count):
            raise SystemExit(f"signature tag {tag} changes size")
        store[offset : offset + len(value)] = value
    sig_header_start = LEAD_SIZE + 16 + 16 * len(sig_index)
    path.write_bytes(blob[:sig_header_start] + bytes(store) + blob[sig_end:main_start] + tail)


# --- the build -----------------------------------------------------------------------


def rpm_defines(topdir: Path, extra: dict[str, str] | None = None) -> list[str]:
    defines = {
        "_topdir": str(topdir),
        "_tmppath": str(topdir / "tmp"),
        "_buildhost": BUILDHOST,
        "use_source_date_epoch_as_buildtime": "1",
        "clamp_mtime_to_source_date_epoch": "1",
        "source_date_epoch_from_changelog": "0",
        # rpm's macro names are _binary_payload/_source_payload ("w9.gzdio" etc.)
        "_binary_payload": DEFAULT_PAYLOAD,
        "_source_payload": DEFAULT_PAYLOAD,
        "_binary_filedigest_algorithm": "8",
        "_source_filedigest_algorithm": "8",
        "__gpg": shutil.which("gpg") or "/usr/bin/gpg",
        **(extra or {}),
    }
    args: list[str] = []
    for name, value in defines.items():
        args += ["--define", f"{name} {value}"]
    return args


def zstd_supported(env: dict[str, str]) -> bool:
    return "rpmlib(PayloadIsZstd)" in run(["rpm", "--showrc"], env, capture=True)


def build_all(topdir: Path, env: dict[str, str]) -> None:
    for sub in ("BUILD", "BUILDROOT", "RPMS", "SOURCES", "SPECS", "SRPMS", "tmp"):
        (topdir / sub).mkdir(parents=True, exist_ok=True)
    defines = rpm_defines(topdir)
    with_zstd = zstd_supported(env)
    if not with_zstd:
        log(f"note: rpmbuild has no zstd payload support; {ZSTD_SPEC} is not built")
    for spec in sorted(SPECS.glob("*.spec")):
        name = spec.stem
        if name == ZSTD_SPEC and not with_zstd:
            continue
        make_sources(spec, topdir / "SOURCES", env)
        run(["rpmbuild", "-bs", *defines, str(spec)], env)
        payload = ["--define", f"_binary_payload {PAYLOADS[name]}"] if name in PAYLOADS else []
        for target in TARGETS.get(name, [None]):
            arch = ["--target", target] if target else []
            run(["rpmbuild", "-bb", "--nodeps", *arch, *defines, *payload, str(spec)], env)


def prepare_rpmbuild_dir() -> Path:
    """The fixed, emptied rpmbuild top directory.

    Source RPMs store the parsed spec (SPEC tag) with %{buildroot} expanded, so the top
    directory must not be a random temporary name for them to be reproducible.
    """
    topdir = RPMBUILD_TOPDIR
    if topdir.is_symlink() or (topdir.exists() and topdir.stat().st_uid != os.getuid()):
        raise SystemExit(f"{topdir} exists and is not this user's: remove it first")
    shutil.rmtree(topdir, ignore_errors=True)
    topdir.mkdir(mode=0o700)
    return topdir


def gpg_env(env: dict[str, str], home: Path) -> dict[str, str]:
    home.mkdir(mode=0o700)
    return {**env, "GNUPGHOME": str(home)}


def sign(rpm: Path, topdir: Path, env: dict[str, str]) -> tuple[str, str]:
    """Sign ``rpm`` with a new key; its (armored public key, 16-hex-digit key id)."""
    home = topdir / "gnupg"
    genv = gpg_env(env, home)
    try:
        run(
            ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", GPG_NAME,
             "rsa2048", "sign", "never"],
            genv,
        )  # fmt: skip
        listing = run(["gpg", "--batch", "--with-colons", "--list-keys", GPG_NAME], genv, True)
        key_id = next(line.split(":")[4] for line in listing.splitlines() if line.startswith("pub:"))
        public = run(["gpg", "--batch", "--armor", "--export", GPG_NAME], genv, capture=True)
        sign_defines = {"_gpg_name": GPG_NAME, "_gpg_path": str(home), "_gpg_digest_algo": "sha256"}
        run(["rpmsign", "--addsign", *rpm_defines(topdir, sign_defines), str(rpm)], genv)
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=genv, check=False)
    return public, key_id.lower()


def reset_dir(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def createrepo(directory: Path, packages: list[Path], extra: list[str], env: dict[str, str]) -> None:
    reset_dir(directory / "Packages")
    for package in packages:
        link_or_copy(package, directory / "Packages" / package.name)
    run(
        ["createrepo_c", "--quiet", "--revision", "1", "--set-timestamp-to-revision",
         "--unique-md-filenames", "--workers", "1", *extra, str(directory)],
        env,
    )  # fmt: skip


def recompress_repodata_zstd(directory: Path, env: dict[str, str]) -> None:
    """Turn a gzip repository's XML metadata into zstd, for a createrepo_c without zstd.

    Each gzip-compressed <data> file is decompressed, compressed again with the zstd
    command (level 19) and renamed after its new checksum; its repomd.xml checksum,
    location and size are updated (open-checksum and open-size do not change).
    """
    repomd_path = directory / "repodata" / "repomd.xml"
    repomd = repomd_path.read_text()
    blocks = re.findall(r"<data type=\"[^\"]+\">.*?</data>", repomd, flags=re.S)
    for block in blocks:
        href = re.search(r'<location href="([^"]+)"', block)
        if href is None or not href.group(1).endswith(".gz"):
            continue
        old = directory / href.group(1)
        plain = gzip.decompress(old.read_bytes())
        packed = subprocess.run(
            ["zstd", "-19", "-q", "-c"], input=plain, env=env, capture_output=True, check=True
        ).stdout
        checksum = hashlib.sha256(packed).hexdigest()
        base = old.name.removesuffix(".gz").split("-", 1)[1]
        new_href = f"repodata/{checksum}-{base}.zst"
        (directory / new_href).write_bytes(packed)
        os.utime(directory / new_href, (1, 1))  # like --set-timestamp-to-revision
        old.unlink()
        new_block = re.sub(
            r'(<checksum type="sha256">)[0-9a-f]+(</checksum>)', rf"\g<1>{checksum}\g<2>", block
        )
        new_block = new_block.replace(href.group(1), new_href)
        new_block = re.sub(r"<size>\d+</size>", f"<size>{len(packed)}</size>", new_block)
        repomd = repomd.replace(block, new_block)
    repomd_path.write_text(repomd)


def createrepo_has_zstd(scratch: Path, env: dict[str, str]) -> bool:
    """Whether createrepo_c can write zstd metadata (tried on an empty repository)."""
    scratch.mkdir()
    result = subprocess.run(
        ["createrepo_c", "--quiet", "--general-compress-type", "zstd", str(scratch)],
        env=env, capture_output=True, check=False,
    )  # fmt: skip
    return result.returncode == 0


def check(built: list[Path], nospec: list[Path], signed: Path, key: Path, topdir: Path,
          env: dict[str, str]) -> None:  # fmt: skip
    """The checks the fixtures must pass; stops the build on the first failure."""
    for package in nospec:
        # '%{SPEC}' prints "(none)" for an absent tag; the conditional prints nothing.
        spec = run(["rpm", "-qp", "--qf", "%|SPEC?{%{SPEC}}|", str(package)], env, capture=True)
        if spec.strip():
            raise SystemExit(f"{package.name} still has a SPEC tag")
        name = run(["rpm", "-qp", "--qf", "%{NAME}", str(package)], env, capture=True)
        listing = run(["rpm", "-qpl", str(package)], env, capture=True).split()
        if f"{name}.spec" not in listing:
            raise SystemExit(f"{package.name} does not list {name}.spec: {listing}")
    dbpath = topdir / "rpmdb"
    dbpath.mkdir()
    db = ["--dbpath", str(dbpath)]
    run(["rpmkeys", *db, "--import", str(key)], env)
    for rpm in built:
        out = run(["rpmkeys", *db, "-Kv", str(rpm)], env, capture=True)
        bad = [line for line in out.splitlines()[1:] if not line.rstrip().endswith("OK")]
        if bad:
            raise SystemExit(f"{rpm.name}: {bad}")
    out = run(["rpmkeys", *db, "-Kv", str(signed)], env, capture=True)
    if "Header V4 RSA/SHA256 Signature" not in out:
        raise SystemExit(f"{signed.name} is not signed: {out}")


def main() -> None:
    for tool in ("rpm", "rpmbuild", "rpmsign", "rpmspec", "rpmkeys", "gpg", "createrepo_c"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed to build the fixtures")
    with tempfile.TemporaryDirectory(prefix="auditor-fixtures-") as tmp:
        topdir = Path(tmp)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(topdir),  # no ~/.rpmmacros of the user
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
            "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH),
        }
        rpmbuild_dir = prepare_rpmbuild_dir()
        try:
            build_all(rpmbuild_dir, env)
            built = sorted(
                (p for sub in ("RPMS", "SRPMS") for p in (rpmbuild_dir / sub).rglob("*.rpm")),
                key=lambda p: p.name,
            )
            reset_dir(RPMS)
            for package in built:
                shutil.copyfile(package, RPMS / package.name)
        finally:
            shutil.rmtree(rpmbuild_dir, ignore_errors=True)

        outputs = sorted(RPMS.glob("*.rpm"))
        sources = [p for p in outputs if p.name.endswith(".src.rpm")]
        binaries = [p for p in outputs if not p.name.endswith(".src.rpm")]

        nospec = [p for p in sources if p.name.rsplit("-", 2)[0] in NOSPEC]
        if len(nospec) != len(NOSPEC):
            raise SystemExit(f"expected the source packages {NOSPEC}, built {[p.name for p in nospec]}")
        for package in nospec:
            strip_spec_tag(package)
        (signed,) = [p for p in binaries if p.name.startswith(f"{SIGNED}-")]
        public, key_id = sign(signed, topdir, env)
        key = RPMS / "RPM-GPG-KEY-fixtures"
        key.write_text(public)
        (RPMS / "SIGNING_KEY_ID").write_text(key_id + "\n")
        for path in RPMS.iterdir():
            os.utime(path, (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH))
        check(outputs, nospec, signed, key, topdir, env)

        has_zstd = createrepo_has_zstd(topdir / "zstd-probe", env)
        for directory, extra in REPOS.items():
            target = HERE / directory
            if "zstd" in extra and not has_zstd:
                if shutil.which("zstd") is None:
                    log(f"note: no zstd for createrepo_c nor a zstd command; no {directory}/")
                    if target.exists():
                        shutil.rmtree(target)
                    continue
                log(f"note: createrepo_c cannot write zstd; {directory}/ recompressed with zstd")
                createrepo(target, binaries, ["--no-database"], env)
                recompress_repodata_zstd(target, env)
                continue
            createrepo(target, binaries, extra, env)
        createrepo(HERE / SRPM_REPO, sources, ["--no-database"], env)

    log(f"built into {RPMS.relative_to(HERE.parent.parent)}/:")
    for path in sorted(RPMS.iterdir()):
        log(f"  {path.stat().st_size:7d}  {path.name}")
    stripped = ", ".join(package.name for package in nospec)
    log(f"signed {signed.name} with key {key_id}; stripped the SPEC tag of {stripped}")
    for directory in [*REPOS, SRPM_REPO]:
        if (HERE / directory).exists():
            count = len(list((HERE / directory / "Packages").iterdir()))
            log(f"repository {directory}/: {count} packages")
    total = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
    log(f"tests/data holds {total} bytes (each hard link counted, as in a git checkout)")


if __name__ == "__main__":
    main()
