"""Where a package's scriptlets point its hosts: the URLs and host names written in their text.

rpm runs a binary's scriptlets (``%pre``, ``%post``, ``%preun``, ``%postun``, ``%pretrans``,
``%posttrans``, ``%preuntrans``, ``%postuntrans``, ``%verifyscript``, triggers and file
triggers) as root on every host that installs it: a ``%post`` that writes a ``.repo`` file
with ``baseurl=https://updates.xensource.com/...``, runs ``rpm --import
https://repo.citrite.net/...`` or ``curl https://code.citrite.net/x | sh`` points the host at
Citrix as surely as a ``.repo`` file in the payload. The model keeps, of each scriptlet, only
what the policy's host rules judge (`Package.scriptlets`): every URL in its text, and every
word written as a host name (``updates.xensource.com/x``, ``repo.citrite.net``), never the
text itself (a distribution's scriptlets would be held in memory for nothing).

A host name is a whole word of host characters (letters, digits, dots, hyphens): it starts
after none of them, nor a path's ``/`` (``/opt/xensource/bin``, ``/etc/ld.so.conf`` are
paths), and a rule then matches it at its labels' boundaries (``notcitrix.com`` is no
``citrix.com``). What the text's shell computes (``h=xensource; curl https://updates.$h.com``)
is not read: this is no shell interpreter. The expressions are linear on any text: no nested
quantifier, each run read possessively, once (``tests/rpm/test_scriptlet_words.py``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator

_SPECIAL = frozenset({"http", "https", "ftp", "ws", "wss"})
"""Schemes a fetcher reads with one slash, or a backslash, after the colon (`auditor.origin.urls`)."""
_STOP = "\\s\"'<>`|()"
_WORD = re.compile(
    rf"(?<![A-Za-z0-9+.\-])(?P<url>[A-Za-z][A-Za-z0-9+.\-]*+:[/\\][^{_STOP}]*+)"
    rf"|(?:(?<![A-Za-z0-9_.\-/])|(?<=//))(?P<host>[.\-]*+[A-Za-z0-9][A-Za-z0-9.\-]*+)(?P<rest>[:/][^{_STOP}]*+)?+"
)
"""A URL (a scheme, a colon, a slash or backslash, up to a blank, a quote or a shell operator), or
a run of host characters with what follows it to the same end (its port and path, or an scp-like
``host:path``). Each alternative starts at the start of a run only (its look-behind) and takes
the run possessively: one pass over the text, whatever it holds. A run may start with dots or
hyphens (``${MIRROR:-updates.xensource.com}``: the host where nothing sets MIRROR)."""
_AUTHORITY_END = re.compile(r"[/\\?#]")
_PLAIN_AUTHORITY = re.compile(r"[A-Za-z0-9.\-:\[\]]*+")
_HOST_RUN = re.compile(r"(?<![A-Za-z0-9_.\-/$])(?<!\$\{)[.\-]*+[A-Za-z0-9][A-Za-z0-9.\-]*+")
"""The runs of host characters in a text holding what no host holds, each read once from its
start, a variable's name (``$h``, ``${h``) and a path's word excepted: the hosts of
``${mirror}.citrix.com`` and ``${MIRROR:-updates.xensource.com}``."""


def _host_like(run: str) -> str | None:
    """``run`` without leading and trailing dots and hyphens when it reads as a host name (two
    labels or more, the last of letters only), else None: ``xapi.conf`` is read (a host rule
    judges it, and no rule names it), ``1.2.3`` and ``xensource`` are not."""
    run = run.strip(".-")
    dot = run.rfind(".")
    if dot <= 0:
        return None
    last = run[dot + 1 :]
    return run if len(last) >= 2 and last.isalpha() and last.isascii() else None


def words_in_script(text: str) -> Iterator[str]:
    """The URLs and host words of a scriptlet's ``text``, each as written (a host word with its
    port and path), in order, repeated as often as written."""
    for match in _WORD.finditer(text):
        url = match.group("url")
        if url is not None:
            scheme, _, rest = url.partition(":")
            if rest.startswith("//") or (scheme.lower() in _SPECIAL):
                yield url.rstrip(".,;")
                authority = _AUTHORITY_END.split(rest.lstrip("/\\"), 1)[0].rpartition("@")[2]
                if _PLAIN_AUTHORITY.fullmatch(authority) is None:  # ``https://${mirror}.citrix.com/x``
                    yield from _hosts_in(authority)
            continue
        host = _host_like(match.group("host"))
        rest = match.group("rest") or ""
        if host is not None:
            yield host + rest.rstrip(".,;") if match.group("host").endswith(host) else host
        elif rest:  # no host:path, but ``MIRROR:-updates.xensource.com}``
            yield from _hosts_in(rest)


def _hosts_in(text: str) -> Iterator[str]:
    return (host for run in _HOST_RUN.findall(text) if (host := _host_like(run)) is not None)


def scriptlet_words(scripts: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """`Package.scriptlets` of ``scripts`` (each a scriptlet's label, ``%post``, and text): each
    URL or host word of each once (`words_in_script`), the label and word interned, since every
    package of a distribution repeats a few (``%post``, a host of its own)."""
    found: dict[tuple[str, str], None] = {}
    for label, text in scripts:
        for word in words_in_script(text):
            found.setdefault((sys.intern(label), sys.intern(word)), None)
    return tuple(found)
