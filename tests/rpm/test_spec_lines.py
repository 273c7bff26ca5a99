"""The Sources of an SRPM's stored spec, found in the whole text, are those of its lines read one by one."""

from __future__ import annotations

import os

from hypothesis import example, given, settings
from hypothesis import strategies as st

from auditor.rpm.model import SourceFile, SourceKind
from auditor.rpm.spec.lines import NUMBERED, SECTION, SOURCE_AFTER_BLANK, TAG, sources_of_parsed_spec


def line_by_line(text: str) -> tuple[SourceFile, ...]:
    """The definition: every line split at "\\n" and stripped; a section header switches the
    section; the preambles' SourceN/PatchN tags (the main one's and each %package's: rpm adds
    them to the source package) and every line of %sourcelist and %patchlist but comments are
    sources, numbered by their line."""
    found: list[SourceFile] = []
    section = "preamble"
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        header = SECTION.match(stripped) if stripped.startswith("%") else None
        if header:
            section = header.group(1).lower()
        elif section in ("sourcelist", "patchlist"):
            if stripped and not stripped.startswith("#"):
                kind = SourceKind.SOURCE if section == "sourcelist" else SourceKind.PATCH
                found.append(SourceFile(kind, None, stripped, stripped, number))
        elif section in ("preamble", "package") and stripped[:1] in ("S", "s", "P", "p"):
            match = TAG.match(stripped)
            tag, value = (match.group(1), match.group(3)) if match else ("", "")
            if match is None and (blank := SOURCE_AFTER_BLANK.match(stripped)):
                tag, value = blank.group(1), blank.group(2)
            numbered = NUMBERED.match(tag)
            if numbered:
                kind = SourceKind.SOURCE if numbered.group(1).lower() == "source" else SourceKind.PATCH
                digits, value = numbered.group(2), value.strip()
                number_of = int(digits) if digits and len(digits) < 10 else None
                found.append(SourceFile(kind, number_of, value, value, number))
    return tuple(found)


SPACE = ["", " ", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "\u3000"]
PIECES = [
    "Source0:", "Source:", "source12 :", "SOURCE3(x):", "Patch1:", "patch:", "Patch0 (a)):", "Sources0:",
    "Summary:", "Provides: s", "Source1", "Source2: (", "Source4(\n):", "%sourcelist", "%patchlist",
    "%files", "%files -n x", "%filesx", "%description", "%package -n s", "%changelog", "%prep",
    "%Package s", "%SOURCELIST", "%PatchList", "%DESCRIPTION", "Source 1:", "Patch\tx:", "source2 y", "Patch (a:b)",
    "%{name}", "%if 0", "# Source9: no", "#", "https://example.org/a-1.tar.gz", "a.patch", "x", ":", "%",
]  # fmt: skip
lines = st.builds(
    lambda before, pieces, after: before + " ".join(pieces) + after,
    st.sampled_from(SPACE),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=3),
    st.sampled_from(SPACE),
)


@settings(max_examples=int(os.environ.get("AUDITOR_FUZZ_EXAMPLES", "400")))
@given(st.lists(lines, max_size=30), st.sampled_from(["\n", "\r\n"]), st.booleans())
@example(["Source4(", "): x"], "\n", False)  # a qualifier never runs onto the next line
@example(["Source1", ": x"], "\n", False)
@example(["\x85%sourcelist\u2028", "\x1ca\xa0", "%files", "b"], "\r\n", True)
def test_the_sources_found_in_the_text_are_those_of_its_lines(
    spec: list[str], newline: str, final_newline: bool
) -> None:
    text = newline.join(spec) + (newline if final_newline else "")
    assert sources_of_parsed_spec(text) == line_by_line(text)


def test_a_long_changelog_is_skipped_and_the_lines_keep_their_numbers() -> None:
    text = "\n".join(
        [
            "Name: x",
            "Source0: https://example.org/x-1.tar.gz",
            "%changelog",
            *["- Source1: not a source"] * 5000,
            "%sourcelist",
            "",
            "  https://example.org/y.tar.gz  ",
            "%patchlist",
            "# a comment",
            "fix.patch",
        ]
    )
    assert sources_of_parsed_spec(text) == (
        SourceFile(SourceKind.SOURCE, 0, "https://example.org/x-1.tar.gz", "https://example.org/x-1.tar.gz", 2),
        SourceFile(SourceKind.SOURCE, None, "https://example.org/y.tar.gz", "https://example.org/y.tar.gz", 5006),
        SourceFile(SourceKind.PATCH, None, "fix.patch", "fix.patch", 5009),
    )  # fmt: skip
    assert sources_of_parsed_spec(text) == line_by_line(text)
