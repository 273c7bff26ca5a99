"""A package's files as its header and its repository metadata must agree on them.

createrepo_c copies every path of a binary's header into filelists.xml, and those under
``/etc/``, with ``bin/`` in them or ``/usr/lib/sendmail`` into primary.xml too. A requirement on a
file is answered from those lists, so a path moved in them from a Citrix package to a clean one
(red team, hunt55: ``Requires: /opt/citrixonly/tool`` then read clean, as nothing in the file
it names needs Citrix) is a clean way that does not exist: rpm checks the headers, and the
package cannot be installed. The lists are compared by digest, so that a header's thousands
of paths cross from the worker that read it as two short strings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def in_primary(path: str) -> bool:
    """Whether createrepo_c lists ``path`` in primary.xml when a package owns it."""
    return path.startswith("/etc/") or "bin/" in path or path == "/usr/lib/sendmail"


def file_digests(paths: Iterable[str]) -> tuple[str, str]:
    """A binary's files as `auditor.sources.evidence.HeaderEvidence.files` holds them: the
    digest (`digest`) of all its paths, then of those primary.xml lists (`in_primary`)."""
    every = sorted(paths)
    return digest(every, ordered=True), digest([path for path in every if in_primary(path)], ordered=True)


def digest(paths: Iterable[str], *, ordered: bool = False) -> str:
    """``COUNT:HASH`` of ``paths`` in sorted order: a writer may list a package's files in
    another order than its header does, never other files."""
    items = list(paths) if ordered else sorted(paths)
    joined = "\0".join(items).encode("utf-8", "surrogatepass")
    return f"{len(items)}:{hashlib.blake2b(joined, digest_size=16).hexdigest()}"


def joined_digest(found: tuple[str, int] | None) -> str:
    """`digest` of a filelists.xml entry as `auditor.sources.filelists_xml.read_filelists` gives it
    (NUL-joined paths and their count); an entry that is missing lists no file."""
    if found is None or not found[1]:
        return digest([])
    return digest(found[0].split("\0"))


def counted(text: str) -> str:
    """How many paths a `digest` stands for."""
    return text.split(":", 1)[0]
