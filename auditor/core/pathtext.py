"""How the name of a file that is not UTF-8 is written: in every report and every message.

Python reads such a name (a command-line argument, a directory's entry) with each byte that
is not UTF-8 as a lone surrogate (``os.fsdecode``, PEP 383): ``a<0xff>.rpm`` is ``a\\udcff.rpm``.
No UTF-8 text can carry that character. Written as U+FFFD, ``a<0xff>.rpm`` and ``a<0xfe>.rpm``
read alike, and a reader could not tell which file an error or a finding is about: each byte
is written as Python writes it (``a\\xff.rpm``, surrogateescape then backslashreplace), the
same in every format and on standard error. `path_text` is the one place that says so; the
formats call it, or `json_path_text` on JSON text, wherever such a name may reach their text.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def path_text(text: str) -> str:
    """``text`` with each byte of a file name that was not UTF-8 written ``\\xNN`` (``\\xff``):
    a lone surrogate U+DC80..U+DCFF is such a byte. Any other lone surrogate (none comes from a
    file name) is written ``\\uNNNN``, as Python writes it."""
    if text.isascii():  # the common case, checked in C without a scan by the pattern
        return text
    return _SURROGATE.sub(_escaped, text)


def json_path_text(text: str) -> str:
    """JSON text (written with ``ensure_ascii`` off, so a lone surrogate can only be inside a
    string) with each one written as the JSON string of its `path_text`: the string a reader
    decodes is ``a\\xff.rpm``, as the other formats print it."""
    if text.isascii():
        return text
    return _SURROGATE.sub(lambda found: _escaped(found).replace("\\", "\\\\"), text)


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
