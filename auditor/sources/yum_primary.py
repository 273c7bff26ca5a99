"""What yum 3 reads of primary.xml where libsolv, and so dnf and the audit, skips an element.

yum 3 parses primary.xml itself where a repository lists no ``primary_db`` it reads
(`auditor.sources.primary_db.read_by_yum`): yum-metadata-parser's ``xml-parser.c``, a state
machine that keeps no depth. It reads a ``<package>`` wherever it lies outside one, a package's
``<name>``, ``<location>``, ``<format>``... wherever they lie inside it, what its ``<format>``
holds (files, dependency lists, vendor...) wherever it lies inside that, and an ``<rpm:entry>``
wherever it lies inside a dependency list. libsolv skips an element its table does not expect
with all it holds (`auditor.sources.primary`): a Citrix ``<package>`` in an unknown element of
``<metadata>``, or a provide or requirement in one of ``<format>`` or ``<rpm:requires>``, was
unseen by the audit and offered to, or installed on, every yum 3 host. What yum 3 would read
inside an element libsolv skips is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.core.errors import InputError

IN_DOCUMENT, IN_PACKAGE, IN_LIST, IN_FIELD = range(4)
"""The states of `auditor.sources.primary`'s reading (libsolv's): in the document, a package
(its ``<format>`` too), a dependency list, a field."""

_IN_FORMAT = frozenset(
    {"format", "rpm:header-range", "rpm:provides", "rpm:requires", "rpm:obsoletes", "rpm:conflicts", "file",
     "rpm:license", "rpm:vendor", "rpm:group", "rpm:buildhost", "rpm:sourcerpm", "rpm:entry"}
)  # fmt: skip
"""What yum 3 acts on inside a package's ``<format>`` wherever it lies (a ``format`` end tag
ends it, an ``rpm:entry`` counts in a list a dependency element opened), or in a list (an end
tag other than an entry's ends the list, and the format's elements count again)."""
_IN_PACKAGE = _IN_FORMAT | {
    "package", "name", "arch", "version", "checksum", "summary", "description", "packager", "url", "time",
    "size", "location",
}  # fmt: skip
"""What yum 3 acts on inside a package outside its ``<format>``: a ``format`` start tag enters one."""


def refuse_what_yum_reads(states: list[int], name: str, shown: str, where: Callable[[], str]) -> None:
    """Raise `InputError` when ``name``, an element inside one libsolv skipped where its
    reading's ``states`` were, is one yum 3 reads there."""
    state = states[-1]
    if state == IN_DOCUMENT:
        reads: frozenset[str] = frozenset({"package"})
    elif state == IN_PACKAGE:  # a package, and its <format> when two are open
        reads = _IN_FORMAT if states.count(IN_PACKAGE) > 1 else _IN_PACKAGE
    elif state == IN_LIST:
        reads = _IN_FORMAT
    else:
        return
    if name in reads:
        raise InputError(
            shown, f"{where()}: a <{name}> where dnf skips it and yum 3 reads it (yum-metadata-parser,"
            " without a primary_db): one of them would go unaudited; refused",
        )  # fmt: skip
