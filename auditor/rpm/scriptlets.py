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

A host name is a whole word of host characters as curl resolves them (letters and digits of
any script, underscores, dots, hyphens, ``%`` escapes: ``citrix.com`` in fullwidth letters,
``updates%2exensource.com`` and ``mirror_1.citrix.com`` are Citrix hosts to it): it starts
after none of them, nor a path's ``/`` (``/opt/xensource/bin``, ``/etc/ld.so.conf`` are paths),
and a rule then matches it at its labels' boundaries (``notcitrix.com`` is no ``citrix.com``).
The word a shell parameter expansion gives as its default (``${MIRROR:-updates.xensource.com}``)
is read as written; what the text's shell computes (``h=xensource; curl https://updates.$h.com``)
is not: this is no shell interpreter. The expressions are linear on any text: no nested
quantifier, each run read possessively, each character at most twice
(``tests/rpm/test_scriptlet_words.py``).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

_SPECIAL = frozenset({"http", "https", "ftp", "ws", "wss"})
"""Schemes a fetcher reads with one slash, or a backslash, after the colon (`auditor.origin.urls`)."""
HOST_IGNORED = (
    "\u00ad\u034f\u180b-\u180f\u200b-\u200d\u2060\u2064\ufe00-\ufe0f\ufeff"
    "\U0001bca0-\U0001bca3\U000e0100-\U000e01ef"
)
"""What IDNA's UTS-46 mapping drops from a host name (soft hyphen, zero-width joiners, variation
selectors...), as a character class's ranges (`auditor.origin.urlhosts` folds with it)."""
HOST_FULL_STOPS = "\u3002\uff0e\uff61"
"""The full stops UTS-46 maps to a dot (ideographic, fullwidth, halfwidth ideographic)."""
_STOP = "\\s\"'<>`|()"
_RUN = rf"\w%.\-{HOST_FULL_STOPS}{HOST_IGNORED}"
"""What a host word is made of as curl resolves it: letters and digits of any script (``citrix``
in fullwidth letters, which IDNA folds to ASCII), the underscore (``mirror_1.citrix.com`` is
looked up as written), ``%`` escapes (``updates%2exensource.com``), the full stops and what
IDNA drops."""
_WORD = re.compile(
    rf"(?<![A-Za-z0-9+.\-])(?P<url>[A-Za-z][A-Za-z0-9+.\-]*+:[/\\][^{_STOP}]*+)"
    rf"|(?:(?<![{_RUN}/])|(?<=//)|(?<=[\s\"'`]-[A-Za-z])|(?<=^-[A-Za-z]))(?P<host>[.{HOST_FULL_STOPS}]?[\w%{HOST_IGNORED}][{_RUN}]*+)"
)
"""A URL (a scheme, a colon, a slash or backslash, up to a blank, a quote or a shell operator), or
a run of host characters. Each alternative starts at the start of a run only (its look-behind),
or after a word's one-letter option whose value is written against it (``curl
-xproxy.citrix.com:3128``), and takes the run possessively."""
_REST = re.compile(rf"[:/][^{_STOP}]*+")
"""What follows a host word to the same end (its port and path, or an scp-like ``host:path``),
taken only after a run that reads as a host: after another (``s:x:citrix.com``, a shell's
``${mirror:=citrix.com}``) the text is read on, so every character is read at most twice."""
_PARAMETER = re.compile(r"\$\{[#!]?+\w*+:?[-=+?]")
"""The opening of a shell parameter expansion with a word (``${MIRROR:-updates.xensource.com}``,
``${x=citrix.com}``): the word is the value the shell gives, read on its own too."""
_AUTHORITY_END = re.compile(r"[/\\?#]")
_HOST_SUFFIX = re.compile(r"[^A-Za-z0-9.\-:\[\]](\.[A-Za-z0-9][A-Za-z0-9.\-]*+)$")
"""The host labels that end an authority holding what no host holds (``${mirror}.citrix.com``)."""
_IGNORED = re.compile(f"[{HOST_IGNORED}]")
_DOTS = str.maketrans(dict.fromkeys(HOST_FULL_STOPS, "."))
_EDGES = f".-{HOST_FULL_STOPS}"


def _host_like(run: str) -> str | None:
    """``run`` without leading and trailing dots and hyphens when it reads as a host name (two
    labels or more, the last of letters only, once mapped as curl's IDNA and its ``%`` decoding
    map it), else None: ``xapi.conf`` is read (a host rule judges it, and no rule names it),
    ``1.2.3`` and ``xensource`` are not."""
    run = run.strip(_EDGES)
    mapped = run
    if "%" in run or not run.isascii():
        mapped = unicodedata.normalize("NFKC", _IGNORED.sub("", unquote(run))).translate(_DOTS).strip(".-")
    dot = mapped.rfind(".")
    if dot <= 0:
        return None
    last = mapped[dot + 1 :]
    if len(last) >= 2 and last.isalpha() and last.isascii():
        return run
    # An escape of what no host holds ends the host written before it (``citrix.com%0a``).
    return _host_like(run[: run.index("%")]) if "%" in run else None


def words_in_script(text: str) -> Iterator[str]:
    """The URLs and host words of a scriptlet's ``text``, each as written (a host word with its
    port and path), in order, repeated as often as written; then those only the words of its
    shell parameter expansions give (`_PARAMETER`)."""
    yield from _words(text)
    if "${" in text:
        seen = set(_words(text))
        yield from (word for word in _words(_PARAMETER.sub(" ", text)) if word not in seen)


def _words(text: str) -> Iterator[str]:
    position = 0
    while (match := _WORD.search(text, position)) is not None:
        position = match.end()
        url = match.group("url")
        if url is not None:
            scheme, _, rest = url.partition(":")
            if not rest.strip("/\\"):
                continue  # ``https://`` alone (``https://${MIRROR:-host}/`` read on without its opening)
            if rest.startswith("//") or (scheme.lower() in _SPECIAL):
                yield url.rstrip(".,;")
                authority = _AUTHORITY_END.split(rest.lstrip("/\\"), 1)[0].rpartition("@")[2]
                suffix = _HOST_SUFFIX.search(authority)
                if suffix is not None:  # ``https://${mirror}.citrix.com/x``
                    host = _host_like(suffix.group(1))
                    if host is not None:
                        yield host
            elif _host_like(scheme) == scheme and not _after_one_slash(text, match.start()):
                yield url.rstrip(".,;")  # scp's and rsync's ``code.citrite.net:/x``; not a path's
            continue
        run = match.group("host")
        host = _host_like(run)
        if host is None:
            continue
        after = _REST.match(text, position)
        rest = "" if after is None else after.group()
        position = position if after is None else after.end()
        yield host + rest.rstrip(".,;") if run.endswith(host) else host


_MACRO = re.compile(r"%\{[^{}]*+\}|%[?!]*+[A-Za-z_][A-Za-z0-9_]*+")
"""A macro reference rpmExpand reads: ``%{?name}``, ``%{lua:...}`` without a brace inside, ``%name``."""


def without_macros(text: str) -> str:
    """``text`` with every macro reference removed (``%%`` read as ``%``): what rpm's
    ``%post -e`` (RPMSCRIPT_FLAG_EXPAND) makes of it on an installing host defining none of them
    (``updates%{?x}.xensource.com``). What a macro that host defines gives is not read, as what
    its shell computes is not."""
    return _MACRO.sub("", text.replace("%%", "\0")).replace("\0", "%")


def _after_one_slash(text: str, start: int) -> bool:
    """Whether ``text[start:]`` follows a path's ``/`` (``/etc/x.conf:/y``), not ``//``."""
    return text[start - 1 : start] == "/" and text[start - 2 : start] != "//"


def scriptlet_words(scripts: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """`Package.scriptlets` of ``scripts`` (each a scriptlet's label, ``%post``, and text): each
    URL or host word of each once (`words_in_script`), the label and word interned, since every
    package of a distribution repeats a few (``%post``, a host of its own)."""
    found: dict[tuple[str, str], None] = {}
    for label, text in scripts:
        for word in words_in_script(text):
            found.setdefault((sys.intern(label), sys.intern(word)), None)
    return tuple(found)
