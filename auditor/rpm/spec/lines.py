"""The line shapes of a spec that both of its readers know: tags, section headers, Source/Patch.

`auditor.rpm.spec.parser` reads a contributor's spec, expanding and deciding as rpm would;
`sources_of_parsed_spec` reads the spec rpmbuild stored in an SRPM (its SPEC tag), where
that is already done.
"""

from __future__ import annotations

import re

from auditor.rpm.model import SourceFile, SourceKind

TAG = re.compile(r"^([A-Za-z][A-Za-z0-9]*)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")
"""``Name(qualifier): value``."""
SECTION = re.compile(
    r"^%(package|description|prep|build|install|check|clean|files|changelog|pre|post|preun|"
    r"postun|pretrans|posttrans|preuntrans|postuntrans|verifyscript|triggerin|triggerun|"
    r"triggerpostun|triggerprein|filetriggerin|filetriggerun|filetriggerpostun|"
    r"transfiletriggerin|transfiletriggerun|transfiletriggerpostun|sourcelist|patchlist|"
    r"generate_buildrequires|conf)(?![A-Za-z0-9_])(.*)$"
)
NUMBERED = re.compile(r"^(source|patch)([0-9]*)$", re.IGNORECASE)


def tag_number(digits: str) -> int | None:
    """A tag's number (Epoch, SourceN) when it is one rpm could hold, else None."""
    if digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(digits)
    return None


def sources_of_parsed_spec(text: str) -> tuple[SourceFile, ...]:
    """The Source and Patch lines of a spec rpmbuild has already parsed (an SRPM's SPEC tag).

    Its macros are expanded and its conditionals decided, so a scan of the lines of the main
    preamble and of ``%sourcelist``/``%patchlist`` is exact, and much cheaper than `parse_spec`.
    """
    found: list[SourceFile] = []
    section = "preamble"
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("%"):
            header = SECTION.match(stripped)
            if header:
                section = header.group(1)
                continue
        if section in ("sourcelist", "patchlist"):
            if stripped and not stripped.startswith("#"):
                kind = SourceKind.SOURCE if section == "sourcelist" else SourceKind.PATCH
                found.append(SourceFile(kind, None, stripped, stripped, number))
            continue
        if section != "preamble" or not stripped or stripped[0] not in "SsPp":
            continue
        match = TAG.match(stripped)
        if match is None:
            continue
        numbered = NUMBERED.match(match.group(1))
        if numbered is None:
            continue
        kind = SourceKind.SOURCE if numbered.group(1).lower() == "source" else SourceKind.PATCH
        digits = numbered.group(2)
        value = match.group(3).strip()
        found.append(
            SourceFile(kind, int(digits) if digits and len(digits) < 10 else None, value, value, number)
        )
    return tuple(found)
