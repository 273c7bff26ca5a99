"""The scriptlets an RPM header carries, as rpm runs them: every script tag and its ``-p`` program.

rpm's tags (``rpmtag.h``): each scriptlet's text (``PREIN`` ... ``POSTUNTRANS``, ``VERIFYSCRIPT``,
one STRING each) and its program (``PREINPROG`` ...: the interpreter and its arguments, an array
since rpm 4.4, a STRING before), and the triggers' scripts and programs, one of each per trigger
script (``TRIGGERSCRIPTS``, ``FILETRIGGERSCRIPTS``, ``TRANSFILETRIGGERSCRIPTS``), whose kind
(``%triggerin``, ``%filetriggerun``...) the flags of the first condition naming the script say.
rpm accepts any string type for them (``hdrchkTagType``), so every string of the tag is read
(an I18NSTRING's translations too); any other type is refused with the header, as rpm refuses it.
Held to ``rpm -qp --scripts --triggers --filetriggers`` in
``tests/differential/test_scriptlet_tags.py``; only what the policy judges is kept
(`auditor.rpm.scriptlets.scriptlet_words`).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.formats.header import Header, decode_text
from auditor.rpm.scriptlets import scriptlet_words, without_macros
from auditor.sources.scriptformat import EXPAND, QFORMAT, formatted

SCRIPTS = (
    ("%pre", 1023, 1085, 5020),
    ("%post", 1024, 1086, 5021),
    ("%preun", 1025, 1087, 5022),
    ("%postun", 1026, 1088, 5023),
    ("%pretrans", 1151, 1153, 5024),
    ("%posttrans", 1152, 1154, 5025),
    ("%preuntrans", 5103, 5105, 5107),
    ("%postuntrans", 5104, 5106, 5108),
    ("%verifyscript", 1079, 1091, 5026),
)
"""Each scriptlet rpm runs once: its label (the spec's section), its script tag, its program's tag,
its flags' tag (`scriptformat`: ``-q``, ``-e``)."""
TRIGGERS = (
    ("%trigger", 1065, 1092, 1069, 1068, 5027),
    ("%filetrigger", 5066, 5067, 5070, 5072, 5068),
    ("%transfiletrigger", 5076, 5077, 5080, 5082, 5078),
)
"""Each kind of trigger: its label's stem, its scripts', programs', indexes', flags' and script
flags' tags."""
_WHEN = ((1 << 16, "in"), (1 << 17, "un"), (1 << 18, "postun"), (1 << 25, "prein"))
"""RPMSENSE_TRIGGERIN, _TRIGGERUN, _TRIGGERPOSTUN, _TRIGGERPREIN: a trigger's kind in its flags."""


def _texts(header: Header, tag: int) -> list[str]:
    return [_decoded(raw) for raw in header.raw_strings(tag)]


def _decoded(raw: bytes) -> str:
    """A script's text as the programs it runs read its bytes: UTF-8 (curl's IDNA reads a host of
    fullwidth letters so) even where another byte of it is not, a comment's Latin-1 ``é``
    (rpmbuild --define '_invalid_encoding_terminates_build 0' writes it); read as Latin-1 whole,
    as `decode_text` reads header text, its hosts were not read. Both readings are the text."""
    text = decode_text(raw)
    if text.isascii() or raw.isascii():
        return text
    utf8 = raw.decode("utf-8", "replace")
    return text if utf8 == text else f"{text}\n{utf8}"


def script_texts(header: Header) -> Iterator[tuple[str, str]]:
    """Every scriptlet of ``header`` as (label, text): ``%post`` and its script, ``%post -p`` and
    its program with its arguments, ``%triggerin`` and one trigger's script... A tag's other
    strings (an array's, an I18NSTRING's translations) are texts of the same label, and so is
    what rpm makes of a script its flags have it rewrite (`scriptformat`)."""
    present = header.present
    for label, script, program, flags in SCRIPTS:
        if script in present:
            rewrite = header.ints(flags)[:1] if flags in present else ()
            for text in _texts(header, script):
                yield from ((label, reading) for reading in _readings(header, text, rewrite))
        if program in present:
            yield f"{label} -p", " ".join(_texts(header, program))
    for stem, scripts, programs, indexes, flags, script_flags in TRIGGERS:
        if scripts not in present:
            continue
        kinds: dict[int, str] = {}
        where, when = header.ints(indexes), header.ints(flags)
        for index, flag in zip(where, when, strict=False):
            kind = next((name for bit, name in _WHEN if flag & bit), "in")
            kinds.setdefault(index, kind)
        run = _texts(header, programs) if programs in present else []
        rewrites = header.ints(script_flags) if script_flags in present else ()
        for number, text in enumerate(_texts(header, scripts)):
            label = f"{stem}{kinds.get(number, '')}"
            yield from (
                (label, reading) for reading in _readings(header, text, rewrites[number : number + 1])
            )
            if number < len(run):
                yield f"{label} -p", run[number]


def _readings(header: Header, text: str, flags: tuple[int, ...]) -> Iterator[str]:
    """``text``, and what rpm makes of it by ``flags`` (a script's flags, or none): it expands the
    macros first (an undefined ``%{x}`` left as written, so both readings), then formats the
    result (``%%%%{GROUP}`` of a ``-e -q`` script is ``%%{GROUP}``, then the package's Group)."""
    flag = flags[0] if flags else 0
    readings = [text]
    if flag & EXPAND and "%" in text:
        readings.append(without_macros(text))
    if flag & QFORMAT:
        readings.extend([formatted(header, reading) for reading in readings if "%" in reading])
    yield from readings


def header_scriptlets(header: Header) -> tuple[tuple[str, str], ...]:
    """`auditor.rpm.model.Package.scriptlets` of a main header: the URLs and host words of its
    scriptlets, each with the scriptlet's label. Nothing is read from a source package's, which
    has none (rpmbuild writes a binary's alone)."""
    if not any(tag in header.present for tag in _ALL_SCRIPT_TAGS):
        return ()  # most headers: asked once, answered by a few lookups
    return scriptlet_words(script_texts(header))


_ALL_SCRIPT_TAGS = (
    *(tag for _, script, program, _ in SCRIPTS for tag in (script, program)),
    *(tag for _, scripts, programs, _, _, _ in TRIGGERS for tag in (scripts, programs)),
)
