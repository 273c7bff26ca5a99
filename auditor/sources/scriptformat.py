"""What rpm makes of a scriptlet's text before it runs it: the readings `headerscripts` adds.

rpm (``lib/rpmscript.c``) rewrites a script on the installing host by its flags (``PREINFLAGS``
...): ``%post -q`` (``RPMSCRIPT_FLAG_QFORMAT``) has ``headerFormat`` put the package's own tags in
place of ``%{SUMMARY}`` and the other query format references, ``%post -e``
(``RPMSCRIPT_FLAG_EXPAND``) has ``rpmExpand`` expand its macros. A ``-q`` script writing
``baseurl=https://%{GROUP}/`` of a package whose Group is ``citrix.com`` points its hosts at Citrix
though no host is in its text: the text read with each reference replaced by the tag's value,
as ``headerFormat`` does, is read too (an array's values and an I18NSTRING's translations, which
rpm picks by the installing host's ``LANGUAGE``, joined by blanks; a ``%|TAG?{}|``
conditional left). A ``-e`` script's macros are the installing host's, unknown here; the text
with each of them removed (``updates%{?x}.xensource.com``) is read too
(`auditor.rpm.scriptlets.without_macros`).
"""

from __future__ import annotations

import re

from auditor.core.errors import InputError
from auditor.formats.header import Header, Tag, decode_text
from auditor.formats.rpmtagnames import TAG_NUMBERS

QFORMAT = 1 << 1
"""RPMSCRIPT_FLAG_QFORMAT (``%post -q``)."""
EXPAND = 1 << 0
"""RPMSCRIPT_FLAG_EXPAND (``%post -e``)."""
_REFERENCE = re.compile(
    r"%%|%-?+[0-9]*+\{=?+(?:RPMTAG_)?+([A-Za-z0-9_]++)(?::[A-Za-z0-9_]*+)?+\}", re.IGNORECASE
)
"""A query format's reference to a tag: ``%{NAME}``, ``%-20{SUMMARY}``, ``%{=GROUP}``, ``%{URL:shescape}``;
or ``%%``, a ``%``."""
MAX_FORMATTED = 64 << 20
"""The most characters a ``-q`` scriptlet's text is read as, formatted (rpm's own scripts are
kilobytes; a header is at most 256 MiB, its scripts' text read as written within it)."""
_STRING_TYPES = frozenset({6, 8, 9})
_INT_TYPES = frozenset({3, 4, 5})
_COMPOSED = {
    "EVR": "{e}{v}-{r}",
    "NVR": "{n}-{v}-{r}",
    "NEVR": "{n}-{e}{v}-{r}",
    "NVRA": "{n}-{v}-{r}.{a}",
    "NEVRA": "{n}-{e}{v}-{r}.{a}",
}
"""The extension tags rpm composes of the package's name, epoch, version, release and arch."""


def _value(header: Header, name: str) -> str | None:
    name = name.upper()
    if name in _COMPOSED:
        epoch = header.ints(Tag.EPOCH)
        return _COMPOSED[name].format(
            n=header.string(Tag.NAME) or "",
            e=f"{epoch[0]}:" if epoch else "",
            v=header.string(Tag.VERSION) or "",
            r=header.string(Tag.RELEASE) or "",
            a=header.string(Tag.ARCH) or "",
        )
    if name == "FILENAMES":
        return " ".join(header.file_paths())
    tag = TAG_NUMBERS.get(name)
    if tag is None or tag not in header.present:
        return None
    type_ = header.index_entry(tag)[0]  # as the header holds it: rpm refused another type before
    if type_ in _STRING_TYPES:  # an I18NSTRING's every translation: rpm takes the installing host's
        return " ".join(decode_text(raw) for raw in header.raw_strings(tag))
    return " ".join(str(number) for number in header.ints(tag)) if type_ in _INT_TYPES else None


def formatted(header: Header, text: str) -> str:
    """``text`` as ``headerFormat`` makes it of ``header``: each reference to a tag the header holds
    replaced by its value (a reference left as written when the header lacks it). A text that
    grows past `MAX_FORMATTED` (a megabyte of ``%{FILENAMES}``) is an input error: read so, a
    few kilobytes of header would make gigabytes."""
    values: dict[str, str | None] = {}
    budget = [MAX_FORMATTED]

    def replace(found: re.Match[str]) -> str:
        if found.group(1) is None:
            return "%"
        name = found.group(1).upper()
        if name not in values:
            values[name] = _value(header, name)
        value = values[name]
        budget[0] -= len(found.group()) if value is None else len(value)
        if budget[0] < 0:
            raise InputError(
                header.source, f"a -q scriptlet's query format makes more than {MAX_FORMATTED} characters"
            )
        return found.group() if value is None else value

    return _REFERENCE.sub(replace, text)
