"""Metadata read by its layout must mean exactly what expat reads, or be handed to expat.

The property every test here checks: when `PrimaryLayout` (or `FilelistsLayout`) accepts a
document, expat accepts it too and gives the same packages and the same errors (the same
file lists). When it does not, it raises
`NotInLayout` and nothing else, and the repository is still read (by expat).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import auditor.sources.repodata as repodata
from auditor.formats import xmlstream
from auditor.rpm.model import Package
from auditor.sources import primary
from auditor.sources.primary import PrimaryHandler
from tests.conftest import DATA
from tests.fuzz.layout import by_expat, by_layout, decompressed, filelists_by_expat, filelists_by_layout
from tests.fuzz.targets import seed_primary
from tests.paths import ROOT


def primaries() -> list[Path]:
    """Every primary.xml createrepo_c made for the tests and the examples."""
    found = sorted((DATA).glob("*/repodata/*primary.xml*")) + sorted(
        (ROOT / "examples").glob("**/repodata/*primary.xml*")
    )
    assert len(found) >= 6
    return found


@pytest.mark.parametrize("path", primaries(), ids=lambda path: str(path.relative_to(ROOT)))
def test_createrepo_c_output_is_read_by_layout_and_means_what_expat_reads(path: Path) -> None:
    document = decompressed(path)
    expected = by_expat(document)
    assert expected is not None and expected[0]
    for size in (1 << 20, 4096, 97):  # a package cut across chunks, and many in one
        assert by_layout(document, size) == expected


SEED = seed_primary()
TEXT = SEED.decode()


def edited(old: str, new: str, count: int = 1) -> bytes:
    assert old in TEXT, old
    return TEXT.replace(old, new, count).encode()


FIRST_NAME = TEXT[TEXT.index("<name>") : TEXT.index("</name>") + len("</name>")]
FIRST_ENTRY = TEXT[TEXT.index("<rpm:entry ") : TEXT.index("/>", TEXT.index("<rpm:entry ")) + 2]


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(edited("<summary>", "<summary><![CDATA[x]]>"), id="cdata"),
        pytest.param(edited("<summary>", "<summary><!-- c -->"), id="comment"),
        pytest.param(edited("<summary>", "<summary>&#65;"), id="character-reference"),
        pytest.param(edited("<summary>", "<summary>a\rb"), id="carriage-return"),
        pytest.param(edited("<summary>", "<summary>a\x01b"), id="control-character"),
        pytest.param(edited("<summary>", "<summary>a]]>b"), id="cdata-end-in-text"),
        pytest.param(edited("<summary>", "<summary>a\ufffeb"), id="not-a-character"),
        pytest.param(edited("<summary>", "<summary>&nbsp;"), id="undeclared-entity"),
        pytest.param(edited("<summary>", "<summary>a & b"), id="bare-ampersand"),
        pytest.param(edited(' rel="', '\trel="'), id="tab-between-attributes"),
        pytest.param(edited('ver="', 'ver="a\tb'), id="tab-in-attribute"),
        pytest.param(edited('<version epoch="0"', '<version ver="x" epoch="0"'), id="repeated-attribute"),
        pytest.param(edited("<metadata ", '<metadata a="1" a="2" '), id="repeated-root-attribute"),
        pytest.param(edited("<metadata ", '<metadata a\u00b2="1" '), id="attribute-name-not-xml"),
        pytest.param(edited("<arch>", "<unknown/><arch>"), id="unknown-element"),
        pytest.param(edited("</package>", "</packages>"), id="mismatched-end-tag"),
        pytest.param(edited("</metadata>", ""), id="unclosed-root"),
        pytest.param(edited("</metadata>", "</metadata><metadata/>"), id="two-roots"),
        pytest.param(edited("</metadata>", "</metadata>\n<!-- trailing -->"), id="trailing-comment"),
        pytest.param(edited("<?xml", "\ufeff<?xml"), id="byte-order-mark"),
        pytest.param(edited('encoding="UTF-8"', 'encoding="latin-1"'), id="other-encoding"),
        pytest.param(edited("<?xml", " <?xml"), id="space-before-declaration"),
        pytest.param(SEED.replace(b"<summary>", b"<summary>\xff", 1), id="invalid-utf-8"),
        pytest.param(edited('<package type="rpm">', "<package type='rpm'>"), id="single-quotes"),
        pytest.param(edited("<rpm:provides>", "<rpm:provides/><rpm:provides>"), id="empty-section"),
        pytest.param(
            edited(FIRST_ENTRY, FIRST_ENTRY.replace(" flags=", " pre='1' flags=")), id="entry-order"
        ),
        pytest.param(edited('"/>\n  <format>', '" xml:base="a"/>\n  <format>'), id="base-after-href"),
        pytest.param(edited(FIRST_NAME, FIRST_NAME.replace("<name>", "<name>a<b/>")), id="element-in-text"),
    ],
)
def test_anything_outside_the_layout_goes_to_expat(document: bytes) -> None:
    assert by_layout(document) is None
    assert by_layout(document, 7) is None


@pytest.mark.parametrize(
    ("document", "check"),
    [
        pytest.param(
            edited("<summary>", "<summary>&lt;a&gt; &amp;lt; &quot;&apos;"),
            lambda packages: packages[0].summary.startswith("<a> &lt; \"'"),
            id="entities-in-text",
        ),
        pytest.param(
            edited('rel="', 'rel="a&amp;b&lt;'),
            lambda packages: packages[0].release.startswith("a&b<"),
            id="entities-in-attribute",
        ),
        pytest.param(
            edited(FIRST_ENTRY, FIRST_ENTRY.replace('name="', 'name="&quot;q&gt;')),
            lambda packages: any(
                dep.name.startswith('"q>') for p in packages for dep in p.provides + p.requires
            ),
            id="entities-in-entry",
        ),
        pytest.param(
            edited("<summary>", "<summary>a]b]]c>"),
            lambda packages: packages[0].summary.startswith("a]b]]c>"),
            id="brackets-without-cdata-end",
        ),
        pytest.param(
            edited("<summary>", "<summary>\u00e9\U0001f600"),
            lambda packages: packages[0].summary.startswith("\u00e9\U0001f600"),
            id="non-ascii",
        ),
        pytest.param(
            edited(FIRST_ENTRY, FIRST_ENTRY.replace('name="', 'name="', 1).replace('flags="', 'flags="BAD')),
            lambda packages: True,
            id="bad-flags-is-a-package-error",
        ),
    ],
)
def test_what_the_layout_allows_reads_as_expat_reads_it(document: bytes, check: object) -> None:
    expected = by_expat(document)
    assert expected is not None
    assert by_layout(document) == expected
    assert by_layout(document, 5) == expected
    assert callable(check) and check(expected[0])


def test_a_bad_entry_is_reported_for_its_package_alone() -> None:
    document = edited(FIRST_ENTRY, FIRST_ENTRY.replace('name="', 'flags="NOPE" name="', 1))
    assert by_layout(document) is None  # attribute order: expat's business
    document = edited(FIRST_ENTRY, re.sub(r'flags="[A-Z]+"', 'flags="NOPE"', FIRST_ENTRY))
    result = by_layout(document)
    assert result is not None and result == by_expat(document)
    packages, errors, _ = result
    assert len(errors) == 1 and "bad dependency entry" in errors[0]
    every = by_layout(SEED)
    assert every is not None and len(packages) == len(every[0]) - 1


# Pieces of markup that turn a valid document into an invalid or unusual one.
EDITS = ["<", ">", "&", "&amp;", "&#x41;", '"', "'", "/", "]]>", "\r", "\t", "\x00", "\x0b", "\ufffe",
         "<!--", "-->", "<![CDATA[", "<?x?>", "</package>", '<package type="rpm">', "</rpm:requires>",
         "<rpm:requires>", '<rpm:entry name="x"/>', "<file>/x</file>", " a=\"b\"", "\u00e9", "\n"]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    text = TEXT
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(EDITS) | st.text(max_size=3))
        length = draw(st.integers(1, 12))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + length :]
        else:
            text = text[:at] + piece + text[at + length :]
    return text.encode("utf-8", "surrogatepass")


@settings(
    max_examples=int(os.environ.get("AUDITOR_FUZZ_EXAMPLES", "300")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated(), st.sampled_from([1 << 20, 64, 3]))
def test_accepted_by_the_layout_means_accepted_by_expat_with_the_same_packages(
    document: bytes, size: int
) -> None:
    layout = by_layout(document, size)
    if layout is not None:
        assert by_expat(document) == layout


def test_a_repository_outside_the_layout_is_still_read(tmp_path: Path) -> None:
    from tests.conftest import rewrite_primary

    target = tmp_path / "repo"
    shutil.copytree(DATA / "repo", target)
    whole = repodata.read_repository(str(target))
    rewrite_primary(target, lambda text: text.replace("<summary>", "<summary><!-- a comment -->"))
    commented = repodata.read_repository(str(target))
    assert commented.packages == whole.packages and commented.errors == whole.errors == []


def test_a_createrepo_c_repository_is_read_without_expat_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = repodata.read_repository(str(DATA / "repo"))

    def no_events(*_args: object) -> None:
        raise AssertionError("expat read primary.xml")

    monkeypatch.setattr(PrimaryHandler, "start", no_events)
    for halves in (False, True):
        monkeypatch.setattr(repodata, "SPLIT_PRIMARY_FROM", 1 if halves else 1 << 60)
        read = repodata.read_repository(str(DATA / "repo"))
        assert read.packages == expected.packages and read.errors == expected.errors == []


def filelists() -> list[Path]:
    found = sorted(DATA.glob("*/repodata/*filelists.xml*")) + sorted(
        (ROOT / "examples").glob("**/repodata/*filelists.xml*")
    )
    assert len(found) >= 6
    return found


@pytest.mark.parametrize("path", filelists(), ids=lambda path: str(path.relative_to(ROOT)))
def test_createrepo_c_filelists_are_read_by_layout_as_expat_reads_them(path: Path) -> None:
    document = decompressed(path)
    expected = filelists_by_expat(document)
    assert expected
    for size in (1 << 20, 4096, 97):
        assert filelists_by_layout(document, size) == expected


FILELISTS = decompressed(filelists()[0]).decode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<file>", "<file><!-- c -->"),
        ("<file>", "<file>&#47;"),
        ('" name="', '" extra="1" name="'),
        ("<version ", "<version/><version "),
        ("</filelists>", ""),
        ("<file>", "<file>\r"),
    ],
)
def test_filelists_outside_the_layout_go_to_expat(old: str, new: str) -> None:
    assert old in FILELISTS
    assert filelists_by_layout(FILELISTS.replace(old, new, 1).encode()) is None


def test_filelists_entities_read_as_expat_reads_them() -> None:
    document = FILELISTS.replace("<file>", "<file>&lt;&amp;&gt;", 1).encode()
    expected = filelists_by_expat(document)
    assert expected is not None and any("<&>" in files for files, _ in expected.values())
    assert filelists_by_layout(document) == expected


@st.composite
def mutated_filelists(draw: st.DrawFn) -> bytes:
    text = FILELISTS
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from(EDITS) | st.text(max_size=3))
        length = draw(st.integers(0, 12))
        text = text[:at] + piece + text[at + length :]
    return text.encode("utf-8", "surrogatepass")


@settings(
    max_examples=int(os.environ.get("AUDITOR_FUZZ_EXAMPLES", "300")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated_filelists(), st.sampled_from([1 << 20, 64, 3]))
def test_filelists_accepted_by_the_layout_mean_what_expat_reads(document: bytes, size: int) -> None:
    layout = filelists_by_layout(document, size)
    if layout is not None:
        assert filelists_by_expat(document) == layout


def test_a_package_larger_than_the_bound_goes_to_expat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layout reader holds a package's text whole until its closing tag: past the bound,
    it gives the document to expat, which streams it."""
    import auditor.sources.createrepo_layout as createrepo_layout

    monkeypatch.setattr(repodata, "SPLIT_PRIMARY_FROM", 1 << 60)
    expected = repodata.read_repository(str(DATA / "repo"))  # by the layout reader
    assert by_layout(SEED, 64) is not None
    monkeypatch.setattr(createrepo_layout, "MAX_PACKAGE_TEXT", 200)
    assert by_layout(SEED, 64) is None
    target = tmp_path / "repo"
    shutil.copytree(DATA / "repo", target)
    read = repodata.read_repository(str(target))
    assert [p.nevra for p in read.packages] == [p.nevra for p in expected.packages] and read.errors == []


# -- the limits on one package (`xmlstream.MAX_TEXT`, `primary.MAX_LIST_ITEMS`) ---------------

CHUNK_SIZES = (1 << 20, 97, 5)


def _longest_value(packages: list[Package]) -> int:
    values = [
        value
        for package in packages
        for value in (package.name, package.arch, package.summary, package.description, package.url,
                      package.license, package.vendor, package.packager, package.buildhost,
                      package.sourcerpm, package.checksum and package.checksum.value, *package.files)
        if isinstance(value, str)
    ]  # fmt: skip
    return max(map(len, values))


def _longest_list(packages: list[Package]) -> int:
    kinds = ("files", "requires", "provides", "conflicts", "obsoletes", "recommends", "suggests",
             "supplements", "enhances")  # fmt: skip
    return max(len(getattr(package, kind)) for package in packages for kind in kinds)


def test_a_value_past_the_limit_is_refused_by_expat_at_any_chunk_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = by_expat(SEED)
    assert read is not None
    longest = _longest_value(read.packages)
    monkeypatch.setattr(xmlstream, "MAX_TEXT", longest - 1)
    assert by_layout(SEED) is None  # the layout reader leaves the limit to expat
    assert all(by_expat(SEED, size) is None for size in CHUNK_SIZES)
    monkeypatch.setattr(xmlstream, "MAX_TEXT", longest)
    assert all(by_expat(SEED, size) == read for size in CHUNK_SIZES)
    layout = by_layout(SEED)
    assert layout is None or layout == read


def test_a_list_past_the_limit_is_refused_by_expat_and_not_read_by_layout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = by_expat(SEED)
    assert read is not None
    longest = _longest_list(read.packages)
    monkeypatch.setattr(primary, "MAX_LIST_ITEMS", longest - 1)
    assert by_layout(SEED) is None
    assert all(by_expat(SEED, size) is None for size in CHUNK_SIZES)
    monkeypatch.setattr(primary, "MAX_LIST_ITEMS", longest)
    assert by_layout(SEED) == read == by_expat(SEED, 5)


def test_a_file_list_past_the_limit_is_refused_by_expat_and_not_read_by_layout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = FILELISTS.encode()
    read = filelists_by_expat(document)
    assert read
    longest = max(count for _, count in read.values())
    monkeypatch.setattr(primary, "MAX_LIST_ITEMS", longest - 1)
    assert filelists_by_layout(document) is None
    assert all(filelists_by_expat(document, size) is None for size in CHUNK_SIZES)
    monkeypatch.setattr(primary, "MAX_LIST_ITEMS", longest)
    assert filelists_by_layout(document) == read == filelists_by_expat(document, 5)


def test_a_tag_past_the_limit_is_left_to_expat(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tag expat refuses is one the layout reader does not read: here the first entry's."""
    long_entry = FIRST_ENTRY.replace('name="', 'name="' + "a" * 4000)
    document = edited(FIRST_ENTRY, long_entry)
    assert by_layout(document) is not None
    monkeypatch.setattr(xmlstream, "MAX_TAG", 1000)
    assert by_layout(document) is None
    assert by_expat(document, 500) is None  # a piece ends inside the tag
