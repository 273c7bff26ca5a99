"""Property-based fuzzing of every other input the auditor parses, through the command line.

`test_fuzz.py` fuzzes RPM files, primary.xml, the layout readers and primary_db. Here each other
file a user hands the auditor, or that an input names, is made from a real one and mutated
(bytes flipped, cut, spliced, tokens of its own grammar put in, values of the wrong kind), and
given to the real command (`auditor.cli.main.main`, with ``--no-cache``): public key files, a
policy's, project's and waiver's TOML as bytes, the baseline, a `--compare` report and the two
reports `diff` compares, the provenance table, `.repo` files with mirrorlists and metalinks,
`repomd.xml`, and spec files given as inputs. Whatever the file, the run ends with a verdict
or an error (exit 0 to 3, never 4), no traceback, and every error line names a file it was
given. 300 examples a target; ``AUDITOR_FUZZ_EXAMPLES`` as in `test_fuzz.py` for a longer hunt.
"""

from __future__ import annotations

import base64
import bz2
import contextlib
import copy
import functools
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from auditor.cli import main as cli_main
from auditor.cli.main import main
from auditor.core.errors import PolicyError
from auditor.formats.pgpkeys import _crc24
from auditor.origin.policy import load_policy
from tests.conftest import RPMS
from tests.fuzz.settings import fuzz_settings
from tests.paths import ROOT
from tests.rpmbuild import binary_of
from tests.sources.repomd_entry import install_metadata

FUZZ = fuzz_settings(300)
Draw = Callable[[st.SearchStrategy[Any]], Any]
"""A composite strategy's ``draw``, or a test's ``data.draw``."""
KEY = (RPMS / "RPM-GPG-KEY-fixtures").read_bytes()
TINY_SPEC = "Name: tiny\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%description\nd\n%files\n"
"""A spec whose scan is the cheapest audit: the input of targets fuzzing another file."""


def mutate(draw: Draw, data: bytes, tokens: Sequence[bytes], steps: int = 4) -> bytes:
    """``data`` changed 0 to ``steps`` times: a bit flipped, cut, a piece deleted or repeated, a
    token of the format put in, or one occurrence of a token replaced by another. What is drawn
    does not depend on ``data`` (hypothesis replays the draws), only where it lands."""
    plan = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["flip", "cut", "delete", "repeat", "token", "token", "swap", "swap"]),
                st.integers(0, 1 << 20),
                st.integers(0, 255),
                st.integers(0, len(tokens) - 1),
                st.integers(0, len(tokens) - 1),
            ),
            max_size=steps,
        )
    )
    out = bytearray(data)
    for kind, at, amount, token, other in plan:
        position = at % (len(out) + 1)
        if kind == "flip" and out:
            out[min(position, len(out) - 1)] ^= 1 << amount % 8
        elif kind == "cut":
            del out[position:]
        elif kind == "delete":
            del out[position : position + amount % 64 + 1]
        elif kind == "repeat":
            out[position:position] = out[position : position + amount + 1] * (amount % 8 + 1)
        elif kind == "token":
            out[position:position] = tokens[token]
        elif tokens[token]:
            found = out.find(tokens[token], position)
            found = out.find(tokens[token]) if found < 0 else found
            if found >= 0:
                out[found : found + len(tokens[token])] = tokens[other]
    return bytes(out)


SMALL_POLICY = (
    'schema = 1\n[[rule]]\nid = "citrix-internal-host"\nkind = "host"\nseverity = "high"\n'
    'domains = ["citrite.net", "xensource.com"]\nmessage = "m"\nreference = "r"\n'
)
"""The policy of every run but those fuzzing a policy: the shipped one's TOML took half of each."""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main([*args, "-q", "--no-cache"])
    return code, capsys.readouterr().err


def small(place: Path) -> list[str]:
    """The options of a run under `SMALL_POLICY` (written by `place`)."""
    return ["--no-default-policy", "--policy", str(place / "small.toml")]


def judged(code: int, err: str, allowed: set[int], names: Sequence[object]) -> None:
    """The run ended as one of ``allowed``, with no traceback, each error naming a given file."""
    event(f"exit {code}")
    assert code in allowed, err
    assert "Traceback" not in err and "internal error" not in err, err
    for line in err.splitlines():
        if line.startswith("auditor: error:"):
            assert any(str(name) in line for name in names), line
    if code == 2:
        assert [line for line in err.splitlines() if line.startswith("auditor: error:")], err


@pytest.fixture(scope="module", autouse=True)
def parsers() -> Iterator[None]:
    """Each command's parser built once for the module's thousands of runs: argparse took a
    third of a small scan's time to build it (a parser keeps no state between parses)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_main, "build_parser", functools.cache(cli_main.build_parser))
        yield


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory the targets write their files in, with a spec to scan and a small repository
    of a clean package and its source (``repo/``)."""
    base = tmp_path_factory.mktemp("inputs")
    (base / "tiny.spec").write_text(TINY_SPEC)
    (base / "small.toml").write_text(SMALL_POLICY)
    (base / "keys.toml").write_text(
        'schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
        'key-files = ["KEY"]\nmessage = "m"\nreference = "r"\n'
    )
    repo = base / "repo"
    (repo / "Packages").mkdir(parents=True)
    for name in ("conflicts-obsoletes-2.0-1.noarch.rpm", "conflicts-obsoletes-2.0-1.src.rpm"):
        shutil.copy(RPMS / name, repo / "Packages")
    subprocess.run(["createrepo_c", "-q", "--no-database", str(repo)], check=True)
    return base


# Public key files: armored and binary OpenPGP, v3 to v6 packets, lengths old and new.


def _packet(tag: int, body: bytes, form: int) -> bytes:
    """A packet in the new format (form 0), or the old one with a length of 1, 2 or 4 octets."""
    if form == 0:
        length = len(body)
        if length < 192:
            head = bytes([length])
        elif length < 8384:
            head = bytes([((length - 192) >> 8) + 192, (length - 192) & 0xFF])
        else:
            head = b"\xff" + length.to_bytes(4, "big")
        return bytes([0xC0 | tag]) + head + body
    width = {1: 0, 2: 1, 4: 2}[form]
    return bytes([0x80 | tag << 2 | width]) + len(body).to_bytes(form, "big") + body


def dearmor(text: bytes) -> bytes:
    lines = text.decode().splitlines()
    data = lines[lines.index("") + 1 : next(i for i, line in enumerate(lines) if line.startswith("="))]
    return base64.b64decode("".join(data))


def armor(data: bytes, checksum: str, headers: str = "", width: int = 64, newline: str = "\n") -> bytes:
    encoded = base64.b64encode(data).decode()
    crc = {"right": "=" + base64.b64encode(_crc24(data).to_bytes(3, "big")).decode(), "wrong": "=AAAA",
           "none": "", "junk": "=!!"}[checksum]  # fmt: skip
    lines = ["-----BEGIN PGP PUBLIC KEY BLOCK-----", *headers.splitlines(), ""]
    lines += [encoded[i : i + width] for i in range(0, len(encoded), width)] + [crc] * bool(crc)
    lines.append("-----END PGP PUBLIC KEY BLOCK-----")
    return (newline.join(lines) + newline).encode()


BINARY_KEY = dearmor(KEY)
KEY_BODY = _packet(6, b"\x04" + b"\0" * 4 + b"\x01" + b"\x00\x08\xff" + b"\x00\x08\x03", 0)
PACKETS = [
    BINARY_KEY,
    _packet(6, b"\x05\x00\x00\x00\x00\x16\x00\x00\x00\x21\x00\x07" + bytes(32), 0),  # v5 EdDSA
    _packet(6, b"\x06\x00\x00\x00\x00\x1b\x00\x00\x00\x20" + bytes(32), 0),  # v6 Ed25519
    _packet(6, b"\x03\x00\x00\x00\x00\x00\x00\x01\x00\x40" + bytes(8) + b"\x00\x08\x03", 2),  # v3 RSA
    _packet(14, KEY_BODY[2:], 1),
    _packet(13, b"someone <x@example.org>", 4),
    _packet(2, bytes(300), 0),
    _packet(6, bytes(9000), 0),
]
PGP_TOKENS = [b"\x00", b"\xff", b"\xc6", b"\xce", b"\x99", b"\x98\x01", b"\xc0\xff\xff\xff\xff\xff",
              b"\xdf", b"\xe0", b"\xbf", b"\x04", b"\x05", b"\x06", b"\x03", b"\x02", b"\xc6\x00",
              b"\x9b", b"\x8b"]  # fmt: skip
ARMOR_TOKENS = [b"\n", b"\r\n", b"=", b"==", b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n", b"\n\n",
                b"-----END PGP PUBLIC KEY BLOCK-----\n", b"Version: x\n", b"Comment:\n", b" ", b"\t",
                b"\xc3\xa9", b"\xff", b"\x00", b"A", b"/", b"+", b"mQ", b"=AAAA\n"]  # fmt: skip


@st.composite
def key_files(draw: st.DrawFn) -> bytes:
    packets = draw(st.lists(st.sampled_from(PACKETS), min_size=1, max_size=4))
    binary = mutate(draw, b"".join(packets), PGP_TOKENS)
    if draw(st.booleans()):
        return binary
    blocks = [
        armor(
            mutate(draw, block, PGP_TOKENS, 2),
            draw(st.sampled_from(["right", "right", "wrong", "none", "junk"])),
            draw(st.sampled_from(["", "Version: GnuPG v2", "Comment: a: b", "Hash: SHA256", "no header"])),
            draw(st.sampled_from([64, 76, 1, 4])),
            draw(st.sampled_from(["\n", "\r\n"])),
        )
        for block in [binary, *draw(st.lists(st.sampled_from(PACKETS), max_size=2))]
    ]
    return mutate(draw, draw(st.sampled_from([b"", b"prose\n"])) + b"".join(blocks), ARMOR_TOKENS)


@FUZZ
@given(key=key_files())
def test_fuzz_public_key_file(place: Path, key: bytes) -> None:
    """A signing-key rule's key file, read by the policy's loader (what `--policy` runs): the
    policy is made or refused with one line naming the file (exit 2)."""
    (place / "KEY").write_bytes(key)
    refused(lambda: load_policy([str(place / "keys.toml")], default=False), place / "KEY")


def refused(load: Callable[[], object], path: Path) -> None:
    """``load`` reads, or refuses with the one-line error of a policy (exit 2) naming ``path``."""
    try:
        load()
    except PolicyError as exc:
        assert exc.exit_code == 2 and str(path) in str(exc) and "\n" not in str(exc), str(exc)
        event("refused")
    else:
        event("read")


# Repository configurations (.repo files), the mirrorlists and metalinks they name, repomd.xml.

REPO_LINES = [
    "[main]", "[fix]", "[fix-source]", "[x y]", "[]", "[%s]", "[fix]]", "name=x $releasever", "name=",
    "baseurl={repo}", "baseurl={repo}/", "baseurl={repo} file:///nonexistent", "baseurl=file:///$basearch/x",
    "baseurl=https://updates.xensource.com/$releasever/", "baseurl=ftp://x/", "baseurl=", "baseurl={repo}\n {repo}",
    "mirrorlist=file://{place}/ml.txt", "metalink=file://{place}/metalink.xml", "mirrorlist=file:///nonexistent",
    "enabled=1", "enabled=0", "enabled=yes", "enabled=maybe", "enabled = True", "gpgcheck=0", "gpgcheck=1",
    "gpgkey=file://{place}/KEY", "gpgkey=https://repo.citrite.net/key", "include=file://{place}/inc.repo",
    "include={place}/inc.repo", "include=", "exclude=conflicts*", "exclude=*", "includepkgs=nothing",
    "exclude=[[[[[[[[", "reposdir={place}", "priority=1", "skip_if_unavailable=1", "cost=x", "# comment",
    "; comment", "", " ", "\t", "key", "=value", "baseurl", "x=$", "x=${a:-b}", "name=$a$a$a$a$a$a", "\\",
    "baseurl=%2e", "\x00", "\ufeff[fix]", "\u2028", "[fix]\nbaseurl={repo}\nenabled=1",
]  # fmt: skip
REPO_TOKENS = [b"\n", b"[", b"]", b"=", b"$releasever", b"$basearch", b"${x}", b"\r\n", b"\x00", b"\xff", b" ",
               b"file://", b"://", b"enabled=0", b"include=", b"\\\n"]  # fmt: skip


def _filled(line: str, place: Path) -> str:
    return line.replace("{repo}", f"file://{place}/repo").replace("{place}", str(place))


@st.composite
def repo_files(draw: st.DrawFn) -> tuple[bytes, bytes, bytes, bytes]:
    """A .repo file, its include, a mirrorlist and a metalink, as lines of the grammar (with
    {repo} and {place} to fill in), each mutated."""
    lines = draw(st.lists(st.sampled_from(REPO_LINES) | st.text(max_size=16), max_size=24))
    main = "\n".join(["[fix]", "name=f", "baseurl={repo}", *lines]).encode("utf-8", "surrogatepass")
    include = "\n".join(draw(st.lists(st.sampled_from(REPO_LINES), max_size=6))).encode()
    return (
        mutate(draw, main, REPO_TOKENS),
        mutate(draw, include, REPO_TOKENS, 2),
        draw(mirrorlists()),
        draw(metalinks()),
    )


@st.composite
def mirrorlists(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.sampled_from(
        ["# c", "{repo}", "{repo}/", "file:///nonexistent", "https://updates.xensource.com/x/", "rsync://x/y",
         "/{repo}", "", " {repo} ", "{repo}\t#x", "\x1c", "\u2028", "#\u2028{repo}", "x" * 5000, "://",
         "<html><body>", "file://", "file:///" + "a/" * 100, "http://[::1", "http://%zz/"]) | st.text(max_size=12),
        max_size=8))  # fmt: skip
    return mutate(draw, "\n".join(lines).encode("utf-8", "surrogatepass"), REPO_TOKENS, 2)


METALINK = (
    '<?xml version="1.0" encoding="utf-8"?>\n<metalink version="3.0" xmlns="http://www.metalinker.org/"'
    ' xmlns:mm0="http://fedorahosted.org/mirrormanager"><files><file name="repomd.xml">'
    "<mm0:timestamp>1</mm0:timestamp><size>100</size><mm0:alternates><mm0:alternate><verification>"
    '<hash type="sha256">00</hash></verification></mm0:alternate></mm0:alternates><verification>'
    '<hash type="md5">00</hash><hash type="sha256">{sha}</hash><hash type="sha">1</hash></verification>'
    '<resources maxconnections="1"><url protocol="file" type="file" location="XX" preference="100">'
    "{repo}/repodata/repomd.xml</url><url>https://updates.xensource.com/repodata/repomd.xml</url>"
    '</resources></file><file name="x"><resources><url>file:///x/repodata/repomd.xml</url></resources>'
    "</file></files></metalink>\n"
)
XML_TOKENS = [b"<", b">", b"</", b"/>", b"<!DOCTYPE x [<!ENTITY e 'x'>]>", b"&e;", b"&amp;", b"&#0;", b"\"",
              b"<url>", b"</url>", b"<hash type=\"sha512\">", b"</hash>", b"<file name=\"repomd.xml\">",
              b"</file>", b"<data type=\"primary\">", b"</data>", b"<data type=\"filelists\">", b"<html>",
              b"<location href=\"../x\"/>", b"<size>", b"</size>", b"-1", b"99999999999999999999", b"\xff",
              b"<![CDATA[x]]>", b"<!-- -->", b"<?pi x?>", b"xmlns:x=\"y\"", b"x:", b"\x00"]  # fmt: skip


@st.composite
def metalinks(draw: st.DrawFn) -> bytes:
    return mutate(draw, METALINK.encode(), XML_TOKENS)


def _repo_errors_name(place: Path) -> list[object]:
    return [place, "file://", "nonexistent"]


VALUES = [
    b"8",
    b"",
    b"\n",
    b"a b",
    b"$a",
    b"${a}",
    b"x\x00y",
    b"\xff",
    b"updates.xensource.com",
    b"/",
    b"..",
    b"x" * 70_000,
]


@FUZZ
@given(
    files=repo_files(),
    value=st.sampled_from(VALUES),
    variable=st.sampled_from(["a", "releasever", ".x", "A-b"]),
)
def test_fuzz_repo_file(
    place: Path,
    files: tuple[bytes, bytes, bytes, bytes],
    value: bytes,
    variable: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A .repo file (with what it includes, and the mirrorlist and metalink it may name), and a
    variable of ``--vars-dir``."""
    config, include, listed, link = (
        data.replace(b"{repo}", f"file://{place}/repo".encode()).replace(b"{place}", str(place).encode())
        for data in files
    )
    for name, data in (("x.repo", config), ("inc.repo", include), ("ml.txt", listed), ("metalink.xml", link)):
        (place / name).write_bytes(data)
    variables = place / "vars"
    shutil.rmtree(variables, ignore_errors=True)
    variables.mkdir()
    (variables / variable).write_bytes(value)
    where = [str(place / "x.repo"), "--offline", "--no-baseline", "--vars-dir", str(variables)]
    code, err = run(capsys, "scan", *where, *small(place))
    judged(code, err, {0, 1, 3}, _repo_errors_name(place))


@FUZZ
@given(listed=mirrorlists(), link=metalinks(), which=st.sampled_from(["mirrorlist", "metalink"]))
def test_fuzz_mirrorlist_and_metalink(
    place: Path, listed: bytes, link: bytes, which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A section's mirrorlist or metalink, which names the repositories read."""
    repo = f"file://{place}/repo".encode()
    sha = hashlib.sha256((place / "repo" / "repodata" / "repomd.xml").read_bytes()).hexdigest().encode()
    (place / "ml.txt").write_bytes(listed.replace(b"{repo}", repo))
    (place / "metalink.xml").write_bytes(link.replace(b"{repo}", repo).replace(b"{sha}", sha))
    target = "ml.txt" if which == "mirrorlist" else "metalink.xml"
    (place / "y.repo").write_text(f"[y]\nname=y\n{which}=file://{place}/{target}\nenabled=1\n")
    code, err = run(capsys, "scan", str(place / "y.repo"), "--offline", "--no-baseline", *small(place))
    judged(code, err, {0, 1, 3}, _repo_errors_name(place))


REPOMD_TOKENS = [*XML_TOKENS, b"primary", b"filelists", b"_db", b"_zck", b"sha1", b"sha512", b"open-"]


@FUZZ
@given(data=st.data())
def test_fuzz_repomd(place: Path, data: st.DataObject, capsys: pytest.CaptureFixture[str]) -> None:
    """repomd.xml, read before any checksum it gives is checked: its records (primary, filelists,
    their databases, other, modules, comps, updateinfo...) and their elements."""
    repo = place / "md"
    if not repo.exists():
        shutil.copytree(place / "repo", repo)
        original = (repo / "repodata" / "repomd.xml").read_bytes()
        records = b"".join(
            f'<data type="{kind}"><checksum type="sha256">00</checksum><location href="repodata/{kind}.xml.gz"/>'
            f"<size>1</size></data>".encode()
            for kind in ("modules", "group", "updateinfo", "other_zck", "prestodelta")
        )
        (place / "repomd.seed").write_bytes(original.replace(b"</repomd>", records + b"</repomd>"))
    seed = (place / "repomd.seed").read_bytes()
    (repo / "repodata" / "repomd.xml").write_bytes(mutate(data.draw, seed, REPOMD_TOKENS))
    code, err = run(capsys, "scan", str(repo), "--no-baseline", *small(place))
    judged(code, err, {0, 1, 3}, [repo])


# The gate's files: the baseline, an earlier report (--compare, diff), the provenance table,
# and the TOML of policy, project and waiver files as bytes (test_config_files.py fuzzes their
# documents).

JSON_TOKENS = [b"{", b"}", b"[", b"]", b",", b":", b'"', b"null", b"true", b"1e999", b"-0", b"1.5",
               b"99999999999999999999999", b'"\\ud800"', b'"\\u0000"', b"\\", b'""', b"[[[[[[[[[[",
               b'"fingerprint"', b'"kind"', b'"package"', b'"capability"', b'"reaches"', b'"needed"',
               b'"ends_at"', b'"entries"', b'"status:depends"', b'"run"', b'"build"', b'"schema"',
               b'"facts"', b'"packages"', b'"gate"', b'"version"', b"NaN", b"\xff", b"\x00"]  # fmt: skip


GATED = [
    str(RPMS / name)
    for name in ("bcond-citrix-1.0-1.src.rpm", "xs-sources-1.0-1.src.rpm", "xs-sources-1.0-1.noarch.rpm")
]
"""Packages with findings of `SMALL_POLICY`, which a baseline accepts."""


@pytest.fixture(scope="module")
def baseline_seed(place: Path) -> bytes:
    """The baseline `auditor baseline` writes for `GATED` (its gaps waived)."""
    waivers = place / "gaps.toml"
    waivers.write_text(
        '[[waiver]]\npackage = "*"\nrule = "gap:*"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    path = place / "seed-baseline.json"
    code = main(
        [
            "baseline",
            *GATED,
            "--waivers",
            str(waivers),
            "--baseline",
            str(path),
            "-q",
            "--no-cache",
            *small(place),
        ]
    )
    assert code == 0
    return path.read_bytes()


@pytest.fixture(scope="module")
def reports(place: Path) -> list[bytes]:
    """JSON reports of real scans: the small repository's, and of RPM files with findings."""
    made = []
    for inputs in (
        [str(place / "repo")],
        [str(RPMS / "xs-sources-1.0-1.src.rpm"), str(RPMS / "signed-1.0-1.noarch.rpm")],
    ):
        out = place / "report.json"
        main(["scan", *inputs, "-q", "--no-cache", "--no-baseline", "--format", "json", "-o", str(out)])
        made.append(out.read_bytes())
    return made


HOSTILE_VALUES: list[object] = [None, True, 0, -1, 1 << 64, 1.5, float("inf"), "", "x", "\u202e", "\ud800",
                                "##vso[x]", [], {}, ["run", "build", "x"], {"a": 1}, "status:depends", "*", "gap:*",
                                "citrix-internal-host", "9" * 5000, [[[[[]]]]]]  # fmt: skip


def json_mutated(draw: Draw, seed: bytes) -> bytes:
    """``seed``, a JSON document, with values replaced by hostile ones, keys and items deleted or
    repeated (a key twice), then as bytes mutated a little."""
    document = json.loads(seed)
    for _ in range(draw(st.integers(0, 4))):
        places: list[tuple[object, object]] = []
        stack: list[object] = [document]
        while stack:
            node = stack.pop()
            items = (
                list(node.items())
                if isinstance(node, dict)
                else list(enumerate(node))
                if isinstance(node, list)
                else []
            )
            for key, value in items:
                places.append((node, key))
                stack.append(value)
        if not places:
            break
        node, key = places[draw(st.integers(0, len(places) - 1))]
        action = draw(st.sampled_from(["replace", "replace", "delete", "rename"]))
        if action == "replace":
            node[key] = copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))  # type: ignore[index]
        elif action == "delete":
            del node[key]  # type: ignore[attr-defined]
        elif isinstance(node, dict):
            node[f"{key}\u0000" if draw(st.booleans()) else str(key).upper()] = node.pop(key)
    text = json.dumps(document, indent=draw(st.sampled_from([None, 2])))
    if draw(st.booleans()):  # a key twice in one object
        text = text.replace('"kind": ', '"kind": "x", "kind": ', 1)
    return mutate(draw, text.encode(), JSON_TOKENS, 1)


@FUZZ
@given(data=st.data())
def test_fuzz_baseline(
    place: Path, baseline_seed: bytes, data: st.DataObject, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = place / "baseline.json"
    baseline.write_bytes(json_mutated(data.draw, baseline_seed))
    code, err = run(capsys, "scan", *GATED, "--baseline", str(baseline), *small(place))
    judged(code, err, {0, 1, 2}, [baseline])


@FUZZ
@given(data=st.data(), command=st.sampled_from(["compare", "diff-old", "diff-new"]))
def test_fuzz_earlier_report(
    place: Path, reports: list[bytes], data: st.DataObject, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An earlier JSON report, given to `scan --compare` or as either side of `diff`."""
    seed = data.draw(st.sampled_from(reports))
    report = place / "earlier.json"
    report.write_bytes(json_mutated(data.draw, seed))
    other = place / "other.json"
    other.write_bytes(data.draw(st.sampled_from(reports)))
    tiny = str(place / "tiny.spec")
    if command == "compare":
        args = ["scan", tiny, "--compare", str(report), "--format", "html", "-o", os.devnull, "--no-baseline"]
    else:
        args = [
            "diff",
            *(str(side) for side in ((report, other) if command == "diff-old" else (other, report))),
        ]
    code, err = run(capsys, *args, *small(place))
    judged(code, err, {0, 1, 2, 3}, [report])


PROVENANCE = (
    b"SRPM_name;added_by;import_reason;latest_release_URL;latest_release_regexp\n"
    b'bcond-citrix;XS;from XenServer;https://x/;x-(.*)\nxs-sources;xcp-ng;ours;;\n"q;uoted";XenServer;;;\n'
)
CSV_TOKENS = [
    b";",
    b"\n",
    b"\r\n",
    b'"',
    b'""',
    b"\r",
    b"\x00",
    b"\xff",
    b"XS",
    b"xenserver",
    b" ",
    b"\xef\xbb\xbf",
]


@FUZZ
@given(data=st.data())
def test_fuzz_provenance_table(place: Path, data: st.DataObject) -> None:
    """The provenance table, read by the policy's loader (what `--provenance` runs)."""
    table = place / "packages_provenance.csv"
    table.write_bytes(mutate(data.draw, PROVENANCE, CSV_TOKENS, 6))
    refused(lambda: load_policy([str(place / "small.toml")], default=False, provenance=[str(table)]), table)


PROJECT = "".join(
    line
    for line in (ROOT / "README.md")
    .read_text()
    .split("```toml\n[audit]", 1)[1]
    .split("```", 1)[0]
    .splitlines(True)
    if not line.startswith(("provenance", "policy-files", "roots"))  # what the tiny spec lacks
)
"""The project file of the README."""
TOML_TOKENS = [b"[", b"]", b"[[", b"]]", b"=", b'"', b"'", b'"""', b"'''", b"\n", b".", b"{", b"}", b",",
               b"#", b"\\", b"\\u0000", b"\\uD800", b"1979-05-27T07:32:00Z", b"2027-02-30", b"inf", b"nan",
               b"0x7fffffffffffffffff", b"1e999", b"true", b"[audit]", b"[policy]", b"[[waiver]]",
               b"[[policy.rule]]", b"[[rule]]", b"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q = 1", b"\xff", b"\x00",
               b"\r", b"\xef\xbb\xbf"]  # fmt: skip


@FUZZ
@given(data=st.data(), option=st.sampled_from(["--config", "--policy", "--waivers"]))
def test_fuzz_toml_bytes(
    place: Path, data: st.DataObject, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The project file of the README, or the policy shipped, or a waiver file, as mutated bytes."""
    seeds = {
        "--config": b"[audit]" + PROJECT.encode(),
        "--policy": (ROOT / "data" / "policy.toml").read_bytes(),
        "--waivers": b"[[waiver]]\n" + PROJECT.split("[[waiver]]", 1)[1].encode(),
    }
    path = place / "file.toml"
    path.write_bytes(mutate(data.draw, seeds[option], TOML_TOKENS, 6))
    code, err = run(capsys, "scan", str(place / "tiny.spec"), option, str(path), "--no-baseline")
    judged(code, err, {0, 1, 2, 3}, [path, place])


# Spec files given as inputs, made by a grammar: macros nested, recursive and with arguments,
# %{expand:}, conditionals with expressions, continuation lines, subpackages, %files lists.

NAMES = ["a", "b", "x", "name", "version", "dist", "_sysconfdir", "buildroot", "SOURCE1", "1", "*", "#", "?x"]
MACRO = st.sampled_from(NAMES)
REFERENCE = st.one_of(
    MACRO.map(lambda n: f"%{{{n}}}"),
    MACRO.map(lambda n: f"%{{?{n}}}"),
    MACRO.map(lambda n: f"%{{!?{n}:alt}}"),
    MACRO.map(lambda n: f"%{{?{n}:%{{{n}}}}}"),
    MACRO.map(lambda n: f"%{n}"),
    st.sampled_from(["%{expand:%%{a}%{b}}", "%{expand:%{expand:%{a}}}", "%{quote:a b}", "%{lua:print(1)}",
                     "%(echo x)", "%{getenv:HOME}", "%{S:1}", "%{P:0}", "%{basename:/a/b}", "%{url2path:u}",
                     "%[1 + 2 * %{a}]", "%[%{?a} ? 1 : 0]", "%{a %{b}}", "%{-f:x}", "%{-f*}", "%*", "%#", "%1",
                     "%{", "%}", "%%", "%{{}}", "%{x:y:z}", "%{load:/etc/passwd}", "%{shrink: a  b }"]),
)  # fmt: skip
TEXT = st.lists(
    st.sampled_from(["x", " ", "-", "1", ".", "/", "\\", "(", ")", "\t"]) | REFERENCE, max_size=6
).map("".join)
EXPRESSION = st.one_of(
    TEXT,
    st.tuples(TEXT, st.sampled_from(["==", "!=", "<", ">=", "&&", "||", "+", "*", "/"]), TEXT).map(" ".join),
    st.sampled_from(["0%{?rhel} >= 7", "%{?xenserver:1}%{!?xenserver:0}", '"%{a}" == "x"', "(1", "1)", "!",
                     "0x10 > 9", "%{with x}", "v\"1.2\" < v\"1.10\"", "9" * 40, "1 / 0", "1 ? 2 : 3"]),
)  # fmt: skip


@st.composite
def spec_lines(draw: st.DrawFn, depth: int = 0) -> list[str]:
    kind = draw(st.integers(0, 14))
    if kind == 0:
        name, args = draw(MACRO), draw(st.sampled_from(["", "()", "(f:)", "(n:v)", "(-)"]))
        return [f"%{draw(st.sampled_from(['define', 'global']))} {name}{args} {draw(TEXT)}"]
    if kind == 1:  # a macro whose body names itself, or a chain of them
        return ["%define a %{b}%{b}", "%define b %{a}"] if draw(st.booleans()) else ["%global a 1%{a}"]
    if kind == 2:
        nested = draw(st.lists(spec_lines(depth + 1), max_size=2)) if depth < 3 else []
        branch = [f"%if {draw(EXPRESSION)}", *(line for group in nested for line in group)]
        body = draw(st.lists(TEXT.map(lambda t: f"Requires: {t}"), max_size=2))
        tail = draw(st.sampled_from([["%endif"], ["%else", "BuildRequires: e", "%endif"],
                                     [f"%elif {draw(EXPRESSION)}", "Requires: f", "%endif"], []]))  # fmt: skip
        return [*branch, *body, *tail]
    if kind == 3:
        arch = draw(st.sampled_from(["x86_64", "aarch64 %{ix86}", "%{a}", ""]))
        return [f"%{draw(st.sampled_from(['ifarch', 'ifnarch', 'ifos']))} {arch}", "Requires: g", "%endif"]
    if kind == 4:  # continuation lines
        return [f"%define c {draw(TEXT)} \\", f"  {draw(TEXT)} \\", draw(st.sampled_from(["", "%{", "x"]))]
    if kind == 5:
        name = draw(st.sampled_from(["sub", "-n %{a}", "-n other", "-n %{name}-x", "", "-n"]))
        return [f"%package {name}", f"Summary: {draw(TEXT)}", f"%description {name}", "d"]
    if kind == 6:
        files = draw(st.sampled_from(["", "-f list", "-f %{a}.lang", "-n other", "sub", "-f"]))
        paths = draw(st.lists(st.sampled_from(["/etc/yum.repos.d/x.repo", "%{_sysconfdir}/yum.repos.d/*.repo",
                                               "/etc/pki/rpm-gpg/*", "%config(noreplace) /etc/dnf/dnf.conf",
                                               "%dir /etc/%{a}", "/etc/yum/vars/x", "%{a}"]), max_size=3))  # fmt: skip
        return [f"%files {files}", *paths]
    if kind == 7:
        number = draw(st.sampled_from(["", "0", "1", "99", "-1", "x"]))
        return [
            f"Source{number}: {draw(st.sampled_from(['x.repo', 'KEY', 'https://updates.xensource.com/', '']))}{draw(TEXT)}"
        ]
    if kind == 8:
        return [draw(st.sampled_from(["%prep", "%build", "%install", "%check", "%changelog", "%post", "%post -n x -p /bin/sh",
                                      "%pre -f pre.sh", "%triggerin -- x", "%filetriggerin -- /etc", "%sourcelist",
                                      "%generate_buildrequires", "%description -n %{a}", "%post -e", "%post -q"]))]  # fmt: skip
    if kind == 9:
        return [
            f"install -m644 %{{SOURCE{draw(st.integers(0, 2))}}} %{{buildroot}}/etc/yum.repos.d/{draw(TEXT)}"
        ]
    if kind == 10:
        return [draw(st.sampled_from(["%bcond_without x", "%bcond x 1", "%{?with_x:Requires: y}", "%undefine a",
                                      "%include x.inc", "%{expand:%%package e}", "%dnl comment", "%{echo:x}",
                                      "%{warn:w}", "%{error:e}"]))]  # fmt: skip
    if kind == 11:  # a long line
        return [f"Requires: {draw(TEXT) * draw(st.sampled_from([100, 1000]))}"]
    if kind == 12:
        return [draw(st.text(max_size=20))]
    if kind == 13:
        tag = draw(
            st.sampled_from(["Name", "Version", "Release", "Epoch", "URL", "Vendor", "BuildArch", "License"])
        )
        return [f"{tag}: {draw(TEXT)}"]
    return [f"{draw(st.sampled_from(['Requires', 'BuildRequires', 'Provides', 'Recommends']))}: {draw(TEXT)}"]


@st.composite
def spec_files(draw: st.DrawFn) -> bytes:
    preamble = ["Name: s", "Version: 1", "Release: 1", "Summary: s", "License: MIT", "Source1: x.repo"]
    lines = [line for group in draw(st.lists(spec_lines(), max_size=16)) for line in group]
    text = "\n".join([*preamble[: draw(st.integers(0, len(preamble)))], *lines, "%description", "d"])
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    data = text.replace("\n", newline).encode("utf-8", "surrogatepass")
    return mutate(
        draw, data, [b"%", b"{", b"}", b"\\\n", b"\n", b"\xff", b"\x00", b"%{a}", b"%if 1\n", b"%endif\n"], 2
    )


@FUZZ
@given(spec=spec_files())
def test_fuzz_spec_file(place: Path, spec: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    """A spec file scanned as an input, beside the Sources its %files may install."""
    directory = place / "specs"
    if not directory.exists():
        directory.mkdir()
        (directory / "x.repo").write_text("[xs]\nname=x\nbaseurl=https://updates.xensource.com/x/\n")
        (directory / "KEY").write_bytes(KEY)
        (directory / "list").write_text("/etc/yum.repos.d/y.repo\n")
    (directory / "s.spec").write_bytes(spec)
    code, err = run(capsys, "scan", str(directory / "s.spec"), "--no-baseline", *small(place))
    judged(code, err, {0, 1, 3}, [directory / "s.spec"])


# filelists_db, the SQLite copy of filelists.xml yum 3 reads for a required path outside /etc and
# *bin/: its bytes flipped, or its rows edited in SQL, repomd.xml's checksums fixed.

FILELISTS_SQL = [
    "UPDATE filelist SET pkgKey = pkgKey + 1", "UPDATE filelist SET pkgKey = '1'", "UPDATE filelist SET pkgKey = NULL",
    "UPDATE filelist SET filenames = filenames || '/x'", "UPDATE filelist SET filetypes = 'ddd'",
    "UPDATE filelist SET dirname = X'FF00'", "UPDATE filelist SET filenames = ''", "DELETE FROM filelist",
    "UPDATE packages SET pkgId = upper(pkgId)", "UPDATE packages SET pkgKey = 7", "DELETE FROM packages",
    "INSERT INTO filelist SELECT * FROM filelist", "DROP TABLE filelist", "UPDATE db_info SET dbversion = 9",
    "CREATE VIEW v AS SELECT 1", "UPDATE filelist SET filenames = replace(filenames, 'a', '/')",
    "INSERT INTO packages VALUES (99, 'x')", "UPDATE filelist SET filetypes = 'f' || filetypes",
]  # fmt: skip


@pytest.fixture(scope="module")
def lists_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """tests/sources/test_filelists_db.py's repository (app requiring /opt/vendor/lib/libx.so)
    and its filelists_db, decompressed."""
    from tests.sources.test_filelists_db import LIBRARY
    from tests.sources.test_primary_db import repository

    texts = [
        LIBRARY.format(name="app", vendor="X", tags="Requires: /opt/vendor/lib/libx.so", directory="/opt/app", file="a"),
        LIBRARY.format(name="clean-lib", vendor="X", tags="", directory="/opt/vendor/lib", file="libx.so"),
    ]  # fmt: skip
    rpms = [binary_of(text, tmp_path_factory.mktemp("rpm")) for text in texts]
    repo = repository(tmp_path_factory.mktemp("lists") / "repo", rpms)
    (repo.parent / "small.toml").write_text(SMALL_POLICY)
    packed = next((repo / "repodata").glob("*-filelists.sqlite.bz2"))
    return repo, bz2.decompress(packed.read_bytes())


@FUZZ
@given(
    flips=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(1, 255)), max_size=16),
    edits=st.lists(st.sampled_from(FILELISTS_SQL), max_size=3),
)
def test_fuzz_filelists_db(
    lists_repo: tuple[Path, bytes],
    flips: list[tuple[int, int]],
    edits: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, original = lists_repo
    database = repo.parent / "filelists.sqlite"
    database.write_bytes(original)
    db = sqlite3.connect(database)
    for edit in edits:
        with contextlib.suppress(sqlite3.Error):
            db.execute(edit)
    db.commit()
    db.close()
    raw = bytearray(database.read_bytes())
    for position, mask in flips:
        raw[position % len(raw)] ^= mask
    install_metadata(repo, "filelists_db", bz2.compress(raw), bytes(raw), "filelists.sqlite.bz2",
                     "<database_version>10</database_version>")  # fmt: skip
    code, err = run(capsys, "scan", str(repo), "--metadata-only", "--no-baseline", *small(repo.parent))
    judged(code, err, {0, 1, 3}, [repo])
