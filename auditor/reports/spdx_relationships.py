"""The relationships of an SPDX document (`auditor.reports.spdx`), and their text.

A distribution's document has 350,000 relationships: each is written here directly, for the
namespace's digest as ``json.dumps(..., sort_keys=True, ensure_ascii=False)`` writes its object,
and in the document as `auditor.reports.jsonlines.indented` does (json.dumps and msgspec each
cost more than the rest of a relationship). The strings go through the encoders json itself
uses, so any string is written as json writes it.
"""

from __future__ import annotations

import json.encoder
from collections.abc import Callable, Iterator
from typing import NamedTuple

from auditor.reports.sbom import Sbom

DOCUMENT = "SPDXRef-DOCUMENT"
NO_ASSERTION = "NOASSERTION"


class SpdxIds:
    """Each package's SPDX id by its id in the run (``ids[index]``, ``index in ids``): a list as
    long as the run's packages, where a dict of a distribution's 60,000 held 5 MB more of the
    document's peak."""

    __slots__ = ("_by_index",)

    def __init__(self, packages: int) -> None:
        self._by_index: list[str | None] = [None] * packages

    def name(self, index: int, spdx_id: str) -> None:
        self._by_index[index] = spdx_id

    def __getitem__(self, index: int) -> str:
        found = self._by_index[index] if 0 <= index < len(self._by_index) else None
        if found is None:
            raise KeyError(index)
        return found

    def __contains__(self, index: object) -> bool:
        by_index = self._by_index
        return type(index) is int and 0 <= index < len(by_index) and by_index[index] is not None


def relationships(ids: SpdxIds, found: Sbom) -> Iterator[Relationship]:
    """What the document says between its packages (``ids``: each package's SPDX id)."""
    for element, kind, related in _triples(ids, found):
        yield Relationship(element, kind, related)


def relationship_texts(ids: SpdxIds, found: Sbom) -> Iterator[tuple[bytes, str]]:
    """Each of `relationships` as `relationship_compact` writes it, in UTF-8, and as
    `relationship_indented` does in the document's array (two levels deep), made here without a
    `Relationship` or a call of either: a distribution's 350,000 spent a third of their time in
    making and passing them."""
    for element, kind, related in _triples(ids, found):
        compact_kind, ascii_kind = _KINDS[kind]
        yield (
            f'{{"relatedSpdxElement": {_STRING(related)}, "relationshipType": {compact_kind}, '
            f'"spdxElementId": {_STRING(element)}}}'.encode("utf-8", "surrogatepass"),
            f'{{\n      "spdxElementId": {_ASCII(element)},\n      "relatedSpdxElement": '
            f'{_ASCII(related)},\n      "relationshipType": {ascii_kind}\n    }}',
        )


def _triples(ids: SpdxIds, found: Sbom) -> Iterator[tuple[str, str, str]]:
    """`relationships`, each as (element, kind, related)."""
    described = [ids[item.index] for item in found.packages if item.row is not None]
    for spdx_id in described:
        yield DOCUMENT, "DESCRIBES", spdx_id
    if not described:  # nothing was audited: the document says so (SPDX requires a DESCRIBES)
        yield DOCUMENT, "DESCRIBES", "NONE"
    for item in found.packages:
        own = ids[item.index]
        if item.row is None:
            yield own, "DEPENDS_ON", NO_ASSERTION
            continue
        for source in found.built_from(item.index):
            if source in ids:
                yield own, "GENERATED_FROM", ids[source]
        if item.package.is_source:
            for target in found.depends_on(item):
                yield ids[target], "BUILD_DEPENDENCY_OF", own
        else:
            for target in found.depends_on(item):
                yield own, "DEPENDS_ON", ids[target]


class Relationship(NamedTuple):
    """One relationship: ``{"spdxElementId": element, "relatedSpdxElement": related,
    "relationshipType": kind}`` in the document."""

    element: str
    kind: str
    related: str


def relationship_compact(item: Relationship) -> str:
    """The relationship's object as ``json.dumps(..., sort_keys=True, ensure_ascii=False)``
    writes it, for the namespace's digest (`auditor.reports.spdx`)."""
    return (
        f'{{"relatedSpdxElement": {_STRING(item.related)}, "relationshipType": {_STRING(item.kind)}, '
        f'"spdxElementId": {_STRING(item.element)}}}'
    )


def relationship_indented(item: Relationship, depth: int) -> str:
    """The relationship's object as `auditor.reports.jsonlines.indented` writes it ``depth``
    levels deep, its keys in the document's order."""
    inner, outer = "\n" + "  " * (depth + 1), "\n" + "  " * depth
    return (
        f'{{{inner}"spdxElementId": {_ASCII(item.element)},{inner}"relatedSpdxElement": '
        f'{_ASCII(item.related)},{inner}"relationshipType": {_ASCII(item.kind)}{outer}}}'
    )


_STRING: Callable[[str], str] = json.encoder.encode_basestring
_ASCII: Callable[[str], str] = json.encoder.encode_basestring_ascii
"""The string encoders json itself uses, without and with ``ensure_ascii``."""
_KINDS = {
    kind: (_STRING(kind), _ASCII(kind))
    for kind in ("DESCRIBES", "DEPENDS_ON", "GENERATED_FROM", "BUILD_DEPENDENCY_OF")
}
"""Each relationship type `_triples` writes, quoted as json does without and with ``ensure_ascii``."""
