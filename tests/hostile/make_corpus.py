"""Make the corpus of broken and hostile inputs from the real fixtures (stdlib only).

    python3 tests/hostile/make_corpus.py [OUTDIR]      (default: tests/hostile/corpus)

Every file is derived from a package or repository that rpmbuild and createrepo_c made
(``tests/data``), so it is broken in exactly one way. The output is deterministic: the
test suite generates it again into a temporary directory and checks that the committed
copy is the same. `CASES` says, for each input, what the auditor must report about it.

Some hostile inputs cannot live in git (a symlink loop, an unreadable file, a named
pipe) or depend on the machine (a marker path); `tests/hostile/test_hostile.py` makes those
itself.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import shutil
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RPMS = ROOT / "tests" / "data" / "rpms"
REPO = ROOT / "tests" / "data" / "repo"
CORPUS = Path(__file__).resolve().parent / "corpus"

BINARY = "three-requires-1.0-1.noarch.rpm"
NOSPEC = "nospec-1.0-1.src.rpm"
WITH_SPEC = "epochs-1.2-4.src.rpm"

MARKER = "AUDITOR-RAN-SPEC-CODE"
"""The file the hostile spec code would create, relative to the working directory."""

BOMB_BYTES = 24 * 1024 * 1024
"""Decompressed size of the metadata bombs; tests lower the limit below it."""
PAYLOAD_BOMB_BYTES = 256 * 1024 * 1024
"""Decompressed size of the payload bomb (bzip2 of zeros: a few hundred bytes on disk)."""

# Header tags (rpmtag.h) used below.
NAME, SUMMARY, BUILDTIME = 1000, 1004, 1006
REQUIREFLAGS, REQUIRENAME, REQUIREVERSION = 1048, 1049, 1050
PAYLOADCOMPRESSOR, SPEC = 1125, 5099
SIG_SIZE, SIG_RESERVED = 1000, 1008
REGION_TAGS = (61, 62, 63)
TYPE_INT32, TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING = 4, 6, 8, 9
ALIGN = {3: 2, 4: 4, 5: 8}
SIG_SHA1, SIG_SHA256, SIG_MD5, PAYLOADDIGEST = 269, 273, 1004, 5092


ERROR, FINDING, READ = "error", "finding", "read"


@dataclass(frozen=True)
class Case:
    name: str
    """File or directory under the corpus directory."""
    expect: str
    """A piece of what the auditor must say about it."""
    what: str
    outcome: str = ERROR
    """``error``: an input error (exit 3) whose one line holds ``expect``; ``finding``: read,
    and the report holds ``expect``; ``read``: read without complaint."""


@dataclass
class Structure:
    """One header structure: index entries [tag, type, offset, count] over a data store."""

    entries: list[list[int]]
    store: bytearray
    il: int | None = None
    dl: int | None = None
    """Values written in the intro instead of the real ones (to lie about the size)."""

    def to_bytes(self) -> bytes:
        il = len(self.entries) if self.il is None else self.il
        dl = len(self.store) if self.dl is None else self.dl
        out = bytearray(b"\x8e\xad\xe8\x01\0\0\0\0" + struct.pack(">II", il, dl))
        for entry in self.entries:
            out += struct.pack(">iIiI", *entry)
        return bytes(out + self.store)

    def entry(self, tag: int) -> list[int]:
        return next(entry for entry in self.entries if entry[0] == tag)

    def set_strings(self, tag: int, values: list[bytes], type_: int | None = None) -> None:
        """Give ``tag`` new NUL-terminated strings, and lay the store out again."""
        self.set_value(tag, b"".join(value + b"\0" for value in values), len(values), type_)

    def set_value(self, tag: int, data: bytes, count: int, type_: int | None = None) -> None:
        """Give ``tag`` new data (``count`` values of its type, or of ``type_``), and lay the
        store out again."""
        slots = self.slots()
        index = self.entries.index(self.entry(tag))
        slots[index] = data
        self.entries[index][1] = type_ if type_ is not None else self.entries[index][1]
        self.entries[index][3] = count
        self.layout(slots)

    def add_entry(self, tag: int, type_: int, data: bytes, count: int) -> None:
        """A new entry, in tag order after the region tag, and the store laid out again."""
        slots = self.slots()
        index = next((n for n, entry in enumerate(self.entries) if n and entry[0] > tag), len(self.entries))
        self.entries.insert(index, [tag, type_, 0, count])
        slots.insert(index, data)
        self.layout(slots)

    def slots(self) -> list[bytes]:
        """Each entry's data, exactly (rpm's dataLength), in index order."""
        return [bytes(self.store[entry[2] : entry[2] + self.data_length(entry)]) for entry in self.entries]

    def layout(self, slots: list[bytes]) -> None:
        """Store ``slots`` as rpm lays data out: in index order, each aligned for its type right
        after the previous one, the immutable region's trailer last and true (lib/header.c:
        hdrblobVerifyInfo, hdrblobImport). Keeping to that, only the intended change differs
        from a header rpm reads as well-formed."""
        order = list(range(len(self.entries)))
        region = self.entries[0][0] in REGION_TAGS
        if region:
            order = [*order[1:], 0]
            slots[0] = struct.pack(">iIiI", self.entries[0][0], 7, -16 * len(self.entries), 16)
        store = bytearray()
        for number in order:
            store += b"\0" * (-len(store) % ALIGN.get(self.entries[number][1], 1))
            self.entries[number][2] = len(store)
            store += slots[number]
        self.store = store

    def data_length(self, entry: list[int]) -> int:
        """rpm's dataLength of one entry of this (well-formed) structure."""
        _, type_, offset, count = entry
        if type_ in (TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING):
            end = offset
            for _ in range(count):
                end = self.store.index(b"\0", end) + 1
            return end - offset
        return {0: 0, 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1}[type_] * count


@dataclass
class Rpm:
    lead: bytes
    signature: Structure
    main: Structure
    payload: bytes
    extra: dict[str, int] = field(default_factory=dict)

    def to_bytes(self, *, fix_size: bool = True, fix_digests: bool = True) -> bytes:
        """The file; its SIZE, and the digests of its header and payload, made true again
        (``rpm -K`` says OK) unless told otherwise."""
        if fix_digests:
            self._put_hex(self.main, PAYLOADDIGEST, hashlib.sha256(self.payload).hexdigest())
        main = self.main.to_bytes()
        if fix_size:
            size = self.signature.entry(SIG_SIZE)
            struct.pack_into(">I", self.signature.store, size[2], len(main) + len(self.payload))
        if fix_digests:
            self._put_hex(self.signature, SIG_SHA1, hashlib.sha1(main).hexdigest())
            self._put_hex(self.signature, SIG_SHA256, hashlib.sha256(main).hexdigest())
            md5 = self.signature.entry(SIG_MD5)
            self.signature.store[md5[2] : md5[2] + 16] = hashlib.md5(main + self.payload).digest()
        signature = self.signature.to_bytes()
        pad = b"\0" * ((8 - len(signature) % 8) % 8)
        return self.lead + signature + pad + main + self.payload

    @staticmethod
    def _put_hex(structure: Structure, tag: int, digest: str) -> None:
        """Overwrite a digest of the same length in place (its entry is a string or a one-string array)."""
        offset = structure.entry(tag)[2]
        assert len(structure.store[offset : structure.store.index(b"\0", offset)]) == len(digest)
        structure.store[offset : offset + len(digest)] = digest.encode()


def parse_structure(data: bytes, start: int) -> tuple[Structure, int]:
    magic, il, dl = struct.unpack_from(">4s4xII", data, start)
    assert magic == b"\x8e\xad\xe8\x01", "not a header structure"
    index = start + 16
    entries = [list(struct.unpack_from(">iIiI", data, index + 16 * i)) for i in range(il)]
    store = bytearray(data[index + 16 * il : index + 16 * il + dl])
    return Structure(entries, store), index + 16 * il + dl


def split_rpm(data: bytes) -> Rpm:
    signature, end = parse_structure(data, 96)
    end += (8 - end % 8) % 8
    main, payload_start = parse_structure(data, end)
    return Rpm(data[:96], signature, main, data[payload_start:])


def compact(path: Path) -> Rpm:
    """A fixture without the signature's 4 KiB of reserved space, to keep the corpus small."""
    rpm = split_rpm(path.read_bytes())
    signature = rpm.signature
    reserved = signature.entry(SIG_RESERVED)
    start, length = reserved[2], reserved[3]
    del signature.store[start : start + length]
    signature.entries.remove(reserved)
    for entry in signature.entries:
        if entry[2] > start:
            entry[2] -= length
    region = signature.entries[0]
    assert region[0] in REGION_TAGS
    # The region trailer records the index size as a negative offset: keep it true.
    struct.pack_into(">iIiI", signature.store, region[2], region[0], 7, -16 * len(signature.entries), 16)
    return rpm


def _cpio(members: list[tuple[bytes, bytes]], name_sizes: dict[int, int] | None = None) -> bytes:
    """A newc cpio archive; ``name_sizes`` overrides the name size written for a member."""
    out = bytearray()
    for number, (name, data) in enumerate([*members, (b"TRAILER!!!", b"")]):
        name_size = (name_sizes or {}).get(number, len(name) + 1)
        fields = [number + 1, 0o100644, 0, 0, 1, 0, len(data), 0, 0, 0, 0, name_size, 0]
        out += b"070701" + b"".join(b"%08X" % value for value in fields)
        out += name + b"\0"
        out += b"\0" * ((4 - len(out) % 4) % 4)
        out += data
        out += b"\0" * ((4 - len(out) % 4) % 4)
    return bytes(out)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


# -- RPM files ----------------------------------------------------------------------------


def rpm_cases(out: Path) -> list[Case]:
    base = compact(RPMS / BINARY)
    good = base.to_bytes()
    header_start = 96 + len(base.signature.to_bytes())
    header_start += (8 - header_start % 8) % 8
    cases: list[Case] = []

    def write(name: str, data: bytes, expect: str, what: str, outcome: str = ERROR) -> None:
        (out / name).write_bytes(data)
        cases.append(Case(name, expect, what, outcome))

    def mutated(
        name: str, expect: str, what: str, change: object, *, fix_size: bool = True, outcome: str = ERROR
    ) -> None:
        rpm = compact(RPMS / BINARY)
        change(rpm)  # type: ignore[operator]
        write(name, rpm.to_bytes(fix_size=fix_size), expect, what, outcome)

    write("empty.rpm", b"", "empty file", "an empty file")
    write("bad-lead-magic.rpm", b"\x7fELF" + good[4:], "bad lead magic", "an ELF magic where the lead is")
    write("truncated-lead.rpm", good[:50], "shorter than the 96-byte lead", "cut inside the lead")
    write("truncated-signature.rpm", good[: 96 + 40], "truncated RPM", "cut inside the signature header")
    write("truncated-header.rpm", good[: header_start + 300], "truncated RPM", "cut inside the main header")
    write("truncated-payload.rpm", good[:-40], "truncated RPM", "cut inside the payload")

    def huge_count(rpm: Rpm) -> None:
        rpm.main.il = 0x7FFFFFFF

    def huge_data(rpm: Rpm) -> None:
        rpm.main.dl = 0xFFFFFFF0

    def max_data(rpm: Rpm) -> None:
        rpm.main.dl = 0x0FFFFFFF  # rpm's own ceiling: allowed, but far past the file's end

    def signature_count(rpm: Rpm) -> None:
        rpm.signature.il = 0x00FFFFFF

    mutated("huge-index-count.rpm", "claims 2147483647 entries", "il claims 2^31 entries", huge_count)
    mutated("huge-data-length.rpm", "claims 4294967280 bytes", "dl claims 4 GiB", huge_data, fix_size=False)
    mutated("max-data-length.rpm", "truncated RPM", "dl at rpm's 256 MiB ceiling", max_data, fix_size=False)
    mutated("signature-huge-count.rpm", "signature header claims", "signature il claims 16M", signature_count)

    def offset_outside(rpm: Rpm) -> None:
        rpm.main.entry(NAME)[2] = len(rpm.main.store) + 4096

    def offset_negative(rpm: Rpm) -> None:
        rpm.main.entry(NAME)[2] = -8

    def count_outside(rpm: Rpm) -> None:
        rpm.main.entry(REQUIRENAME)[3] = 60  # six names are there

    def binary_count_outside(rpm: Rpm) -> None:
        rpm.main.entry(BUILDTIME)[3] = 1 << 20

    mutated("offset-outside-store.rpm", "tag 1000", "NAME's offset is past the data store", offset_outside)
    mutated("offset-negative.rpm", "tag 1000", "NAME's offset is negative", offset_negative)
    mutated("count-past-strings.rpm", "tag 1049", "REQUIRENAME claims 60 strings, has 6", count_outside)
    mutated("int-count-past-store.rpm", "tag 1006", "BUILDTIME claims 2^20 integers", binary_count_outside)

    def name_as_int(rpm: Rpm) -> None:
        rpm.main.set_value(NAME, b"\0\0\0\1", 1, TYPE_INT32)  # laid out as an INT32: only the type is wrong

    def flags_as_string(rpm: Rpm) -> None:
        rpm.main.entry(REQUIREFLAGS)[1] = TYPE_STRING

    def unknown_type(rpm: Rpm) -> None:
        rpm.main.entry(SUMMARY)[1] = 42

    def misaligned(rpm: Rpm) -> None:
        rpm.main.entry(REQUIREFLAGS)[2] += 2

    def flags_short(rpm: Rpm) -> None:
        flags = rpm.main.entry(REQUIREFLAGS)
        data = rpm.main.store[flags[2] : flags[2] + 4 * flags[3]]
        rpm.main.set_value(REQUIREFLAGS, bytes(data[:-4]), flags[3] - 1)  # well-formed, one flag short

    def i18n_past(rpm: Rpm) -> None:
        rpm.main.entry(SUMMARY)[3] = 50  # one locale is there

    mutated("name-as-int32.rpm", "tag 1000 has type 4", "NAME stored as INT32", name_as_int)
    mutated(
        "requireflags-as-string.rpm", "tag 1048 has type 6", "REQUIREFLAGS stored as STRING", flags_as_string
    )
    mutated("unknown-type.rpm", "unknown type 42", "SUMMARY with type 42", unknown_type)
    mutated("misaligned-int32.rpm", "tag 1048", "REQUIREFLAGS at an offset not a multiple of 4", misaligned)
    mutated(
        "requireflags-short.rpm", "tag 1049 and its flags", "5 flags for 6 requirement names", flags_short
    )
    mutated("i18n-count-past.rpm", "tag 1004", "SUMMARY (I18NSTRING) claims 50 locales, has 1", i18n_past)

    def huge_epoch(rpm: Rpm) -> None:
        names = [b"epoch-bomb"] * 6
        rpm.main.set_strings(REQUIRENAME, names)
        rpm.main.set_strings(REQUIREVERSION, [b"9" * 5000 + b":1.0"] + [b"1.0"] * 5)

    def deep_rich(rpm: Rpm) -> None:
        rpm.main.set_strings(REQUIRENAME, [b"(" * 3000 + b"a" + b")" * 3000] + [b"x"] * 5)

    mutated("epoch-5000-digits.rpm", "epoch", "a requirement whose epoch has 5000 digits", huge_epoch)
    mutated(
        "rich-nested-3000.rpm", "nested", "a rich requirement nested 3000 deep", deep_rich, outcome=FINDING
    )

    def bad_utf8(rpm: Rpm) -> None:
        rpm.main.set_strings(SUMMARY, [b"caf\xe9 \xff\xfe \xc3("], type_=TYPE_STRING)

    mutated("invalid-utf8-summary.rpm", "café", "a Summary that is not UTF-8 (read as Latin-1)", bad_utf8,
            outcome=READ)  # fmt: skip
    return cases


def payload_cases(out: Path) -> list[Case]:
    """Source RPMs without a SPEC tag, whose spec must be found in a broken payload."""
    cases: list[Case] = []
    spec = (ROOT / "tests" / "data" / "specs" / "nospec.spec").read_bytes()

    def write(name: str, payload: bytes, expect: str, what: str, compressor: bytes = b"gzip") -> None:
        rpm = compact(RPMS / NOSPEC)
        if compressor != b"gzip":
            rpm.main.set_strings(PAYLOADCOMPRESSOR, [compressor], type_=TYPE_STRING)
        rpm.payload = payload
        (out / name).write_bytes(rpm.to_bytes())
        cases.append(Case(name, expect, what))

    members = [(b"nospec-1.0.tar.gz", b"tarball"), (b"nospec.spec", spec)]
    write(
        "cpio-namesize-zero.src.rpm",
        _gzip(_cpio(members, {0: 0})),
        "cpio",
        "a cpio member whose name size is 0",
    )
    write(
        "cpio-namesize-huge.src.rpm",
        _gzip(_cpio(members, {0: 0xFFFFFFF0})),
        "cpio",
        "a cpio name size of 4 GiB",
    )
    write(
        "cpio-bad-magic.src.rpm",
        _gzip(b"070799" + _cpio(members)[6:]),
        "cpio",
        "a cpio header with a bad magic",
    )
    write(
        "payload-not-gzip.src.rpm", b"\x1f\x8b\x08\x00garbage", "payload", "a payload that is not gzip data"
    )
    # 256 MiB of zeros behind a cpio name size of 2 GiB: a reader that believes the name
    # size holds the whole payload in memory.
    bomb = _cpio([(b"x", b"")], {0: 0x7FFFFFF0})[:110] + b"\0" * PAYLOAD_BOMB_BYTES
    write("payload-bomb-name.src.rpm", bz2.compress(bomb, 9), "cpio",
          "bzip2 payload: 256 MiB of zeros after a 2 GiB name size", b"bzip2")  # fmt: skip
    return cases


# -- spec code that must never run ----------------------------------------------------------

HOSTILE_SPEC = """\
# Every line below runs code when rpm parses this spec. The auditor must run none.
%define shell_define %(touch {marker}-define)
%global lua_global %{{lua: os.execute("touch {marker}-global")}}
Name: hostile
Version: 1.0%(touch {marker}-version)
Release: 1
Summary: %{{lua: os.execute("touch {marker}-summary") }}
License: MIT
URL: https://example.org/%(touch {marker}-url)
Source0: https://example.org/%{{lua: os.execute("touch {marker}-source"); print("x.tar.gz")}}
Source1: %{{shell_define}}%{{lua_global}}
Patch0: %(sh -c 'touch {marker}-patch')
BuildRequires: %(touch {marker}-buildrequires)
%if %{{lua: os.execute("touch {marker}-if"); print(1)}}
Requires: lua-branch
%endif
%if %(touch {marker}-if-shell; echo 1)
Requires: shell-branch
%endif
%{{lua: os.execute("touch {marker}-toplevel")}}
%(touch {marker}-toplevel-shell)
%{{expand:%%(touch {marker}-expand)}}

%description
%{{lua: os.execute("touch {marker}-description")}}

%prep
touch {marker}-prep

%files
"""


def hostile_spec(marker: str = MARKER) -> str:
    return HOSTILE_SPEC.format(marker=marker)


def spec_cases(out: Path) -> list[Case]:
    (out / "hostile.spec").write_text(hostile_spec())
    rpm = compact(RPMS / WITH_SPEC)
    rpm.main.set_strings(SPEC, [hostile_spec().encode()], type_=TYPE_STRING)
    (out / "hostile-spec.src.rpm").write_bytes(rpm.to_bytes())
    what = "a source RPM whose SPEC tag runs shell and Lua when rpm parses it"
    cases = [Case("hostile-spec.src.rpm", "example.org", what, READ)]
    broken = "Name: epochs\nVersion: 1.2\nRelease: 4\nEpoch: \u00b2\nSource\u0663: x.tar.gz\n"
    broken += f"%if {'9' * 5000}\nBuildRequires: foo >= {'9' * 5000}:1\n%endif\n"
    rpm = compact(RPMS / WITH_SPEC)
    rpm.main.set_strings(SPEC, [broken.encode()], type_=TYPE_STRING)
    (out / "spec-epoch-5000-digits.src.rpm").write_bytes(rpm.to_bytes())
    what = "a SPEC tag with a superscript Epoch, an Arabic-Indic Source number and 5000-digit numbers"
    # The SPEC tag holds the spec rpmbuild already parsed: only its Source/Patch lines are
    # read, so nothing in this text can even be evaluated; the package reads as any other.
    cases.append(Case("spec-epoch-5000-digits.src.rpm", '"spec": "header"', what, READ))
    return cases


# -- repositories ------------------------------------------------------------------------------


def _primary_xml(count: int = 3) -> str:
    text = gzip.decompress(next((REPO / "repodata").glob("*-primary.xml.gz")).read_bytes()).decode()
    head, _, rest = text.partition("<package ")
    packages = ("<package " + rest).split("</package>\n")[:count]
    head = head.replace('packages="21"', f'packages="{count}"')
    return head + "".join(package + "</package>\n" for package in packages) + "</metadata>\n"


REPOMD = """\
<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1</revision>
  <data type="primary">
    <checksum type="sha256">{checksum}</checksum>
    <location href="{href}"/>
    <size>{size}</size>
    <open-size>{open_size}</open-size>
  </data>
</repomd>
"""


def zstd_primary_repository(directory: Path, data: bytes, open_size: int) -> Path:
    """``directory`` as a repository whose only metadata is ``data``, a zstd primary.xml that
    opens to ``open_size`` bytes, with a repomd.xml whose checksum and sizes are right: the
    file passes every check before its parse."""
    (directory / "repodata").mkdir(parents=True)
    (directory / "repodata" / "primary.xml.zst").write_bytes(data)
    (directory / "repodata" / "repomd.xml").write_text(
        REPOMD.format(
            checksum=hashlib.sha256(data).hexdigest(),
            href="repodata/primary.xml.zst",
            size=len(data),
            open_size=open_size,
        )
    )
    return directory


def _repository(
    directory: Path,
    primary: bytes,
    *,
    compress: str = "gz",
    raw: bool = False,
    href: str | None = None,
    checksum: str | None = None,
    open_size: int | None = None,
    repomd: str | None = None,
) -> None:
    (directory / "repodata").mkdir(parents=True)
    name = f"primary.xml.{compress}" if compress else "primary.xml"
    if raw:
        data = primary  # already compressed, or broken on purpose
    elif compress == "gz":
        data = _gzip(primary)
    elif compress == "xz":
        data = lzma.compress(primary, preset=9 | lzma.PRESET_EXTREME)
    elif compress == "bz2":
        data = bz2.compress(primary, 9)
    else:
        data = primary
    (directory / "repodata" / name).write_bytes(data)
    text = repomd or REPOMD.format(
        checksum=checksum or hashlib.sha256(data).hexdigest(),
        href=href or f"repodata/{name}",
        size=len(data),
        open_size=len(primary) if open_size is None else open_size,
    )
    (directory / "repodata" / "repomd.xml").write_text(text)


def repo_cases(out: Path) -> list[Case]:
    cases: list[Case] = []
    primary = _primary_xml()
    first_href = 'href="Packages/caret-version-2.0^git20240101.abc-1.noarch.rpm"'
    assert first_href in primary

    def repo(
        name: str,
        expect: str,
        what: str,
        data: bytes | str = primary,
        outcome: str = ERROR,
        **options: object,
    ) -> None:
        body = data.encode() if isinstance(data, str) else data
        _repository(out / name, body, **options)  # type: ignore[arg-type]
        cases.append(Case(name, expect, what, outcome))

    repo("repo-not-xml", "not well-formed XML", "primary.xml.gz holds text, not XML", "this is not XML\n")
    cut = _gzip(primary.encode())[:200]
    repo("repo-truncated-gzip", "truncated metadata", "primary.xml.gz cut inside its gzip stream", cut, raw=True,
         open_size=len(primary))  # fmt: skip
    repo(
        "repo-not-gzip",
        "corrupt metadata",
        "primary.xml.gz: a gzip magic, then junk",
        b"\x1f\x8b\x08junk",
        raw=True,
    )
    xxe = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<metadata>&e;</metadata>\n'
    repo("repo-xxe", "DOCTYPE", "primary.xml declares an external entity (XXE)", xxe)
    laughs = ['<!ENTITY l0 "ha">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    billion = f'<?xml version="1.0"?>\n<!DOCTYPE x [{"".join(laughs)}]>\n<metadata>&l9;</metadata>\n'
    repo("repo-billion-laughs", "DOCTYPE", "primary.xml nests entity expansions (billion laughs)", billion)
    repo("repo-parameter-entity", "DOCTYPE", "primary.xml pulls an external DTD", primary.replace(
        "<metadata", '<!DOCTYPE metadata SYSTEM "http://attacker.example/evil.dtd">\n<metadata', 1))  # fmt: skip
    repo("repo-repomd-xxe", "DOCTYPE", "repomd.xml itself declares an external entity", repomd=xxe)
    repo("repo-repomd-not-xml", "not well-formed XML", "repomd.xml is binary junk", repomd="\x01\x02junk")
    repo("repo-repomd-empty", "empty metadata file", "repomd.xml is empty", repomd=" ")
    (out / "repo-repomd-empty" / "repodata" / "repomd.xml").write_bytes(b"")
    repo(
        "repo-checksum-mismatch",
        "checksum mismatch",
        "primary's sha256 is not repomd.xml's",
        checksum="0" * 64,
    )
    repo("repo-href-outside", "points outside the repository", "repomd.xml points at ../../etc/passwd",
         href="../../etc/passwd")  # fmt: skip
    repo("repo-href-url", "points outside the repository", "repomd.xml points at another host",
         href="https://attacker.example/primary.xml.gz")  # fmt: skip
    repo(
        "repo-href-absolute",
        "points outside the repository",
        "repomd.xml points at /etc/passwd",
        href="/etc/passwd",
    )
    outside = primary.replace(first_href, 'href="../../etc/passwd"')
    repo(
        "repo-package-outside",
        "points outside the repository",
        "a package located at ../../etc/passwd",
        outside,
    )
    url = primary.replace(first_href, 'href="https://attacker.example/evil.rpm"')
    # dnf downloads it from there (librepo takes a whole URL as written): read as an xml:base there.
    repo("repo-package-url", "https://attacker.example/evil.rpm", "a package located on another host", url,
         outcome=READ)  # fmt: skip
    local = primary.replace(first_href, 'href="file:///etc/passwd"')
    repo("repo-package-file-url", "points outside the repository", "a package located at file:///etc/passwd",
         local)  # fmt: skip
    spaced = primary.replace(first_href, 'href="https://attacker.example/x&#10;auditor: forged"')
    repo(
        "repo-package-url-newline", "points outside the repository", "a package URL holding a newline", spaced
    )
    newline = primary.replace(first_href, 'href="../x&#10;auditor: a forged second line"')
    repo("repo-control-chars", "points outside the repository", "a location holding a newline", newline)
    bad = primary.encode().replace(b"<name>caret-version</name>", b"<name>caret-\xff</name>", 1)
    repo("repo-invalid-utf8", "not well-formed XML", "primary.xml with a byte that is not UTF-8", bad)
    missing = primary.replace('<version epoch="0" ver="2.0^git20240101.abc" rel="1"/>', "<version/>", 1)
    missing = missing.replace('<rpm:entry name="caret-lib" flags="GE" epoch="0" ver="1.5^20231231"/>',
                              '<rpm:entry flags="GE"/>', 1)  # fmt: skip
    repo("repo-missing-attributes", "package caret-version", "a <version/> and an <rpm:entry/> without attributes",
         missing)  # fmt: skip
    epoch = primary.replace('epoch="0" ver="1.5^20231231"', f'epoch="{"9" * 5000}" ver="1"', 1)
    repo("repo-epoch-5000-digits", "package caret-version", "an entry whose epoch has 5000 digits", epoch)
    rich = primary.replace('name="caret-lib"', f'name="{"(" * 3000}a{")" * 3000}"', 1)
    repo("repo-rich-nested-3000", "nested", "a rich requirement nested 3000 deep", rich, FINDING)
    # Found by tests/fuzz/test_fuzz.py: an unknown codec name escaped from expat as LookupError.
    unknown = primary.replace('encoding="UTF-8"', 'encoding="EQ"', 1)
    repo(
        "repo-xml-encoding-unknown",
        "caret-version",
        "the XML declaration names no known codec",
        unknown,
        READ,
    )
    spaces = " " * BOMB_BYTES
    bomb = primary.replace("</metadata>", spaces + "</metadata>")
    repo("repo-gzip-bomb", "refused as a bomb", f"gzip: {BOMB_BYTES >> 20} MiB of XML", bomb)
    repo("repo-xz-bomb", "refused as a bomb", f"xz: {BOMB_BYTES >> 20} MiB of XML", bomb, compress="xz")
    repo("repo-bz2-bomb", "refused as a bomb", f"bzip2: {BOMB_BYTES >> 20} MiB of XML", bomb, compress="bz2")
    repo(
        "repo-open-size-lies",
        "refused as a bomb",
        "repomd.xml says primary opens to 100 bytes",
        open_size=100,
    )
    return cases


def read_cases(directory: Path = CORPUS) -> list[Case]:
    """The cases of a generated corpus, from its CASES.txt."""
    cases = []
    for line in (directory / "CASES.txt").read_text().splitlines():
        name, outcome, expect, what = line.split("\t")
        cases.append(Case(name, expect, what, outcome))
    return cases


def generate(out: Path) -> list[Case]:
    """Write the whole corpus into ``out`` (emptied first) and return its cases."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    cases = rpm_cases(out) + payload_cases(out) + spec_cases(out) + repo_cases(out)
    (out / "CASES.txt").write_text("".join(f"{c.name}\t{c.outcome}\t{c.expect}\t{c.what}\n" for c in cases))
    return cases


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    made = generate(target)
    total = sum(path.stat().st_size for path in target.rglob("*") if path.is_file())
    print(f"{len(made)} cases, {total} bytes in {target}")
