"""Read the user's configuration files (policy, project, waivers, baseline, provenance table).

Any fault is a `PolicyError` of one line naming the file: a file that is not a regular
file, larger than `MAX_TOML_BYTES` (TOML) or `MAX_CONFIG_BYTES` (JSON, CSV), empty, not
UTF-8, starting with a byte-order mark, holding a NUL, not valid TOML (with tomllib's line
and column), or nested past `schema.MAX_NESTING` (a dotted key included). Its shape is then
checked by `auditor.core.schema.convert`.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from typing import Any

from auditor.core.errors import InputError, PolicyError
from auditor.core.files import read_regular
from auditor.core.readlog import config_read
from auditor.core.schema import MAX_NESTING, check_nesting

MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""A baseline file or provenance table larger than this is not one (a baseline of 50,000
accepted findings is about 10 MiB, with few origin packages reached by each taint: each entry
lists those, and ``auditor baseline`` refuses to write a file past this)."""

MAX_TOML_BYTES = 2 * 1024 * 1024
"""A policy, project or waiver file larger than this is not one: the shipped policy is 20 KiB,
10,000 waivers are 2 MiB. tomllib holds 100 to 200 bytes per byte of a file of nested
tables (measured: 3.2 GB and a minute for 16 MiB of 31-part dotted keys), so the cap is what
bounds the memory and time of reading one."""


def read_config(path: str, what: str, limit: int = MAX_CONFIG_BYTES) -> bytes:
    """The bytes of a configuration file, read without blocking: a named pipe, a device or a
    directory is a `PolicyError` naming it, as is a missing or unreadable file."""
    try:
        data = read_regular(path, path, f"a {what}", limit)
    except InputError as exc:
        if exc.reason == "no such file or directory":
            raise PolicyError(f"{path}: no such {what}") from None
        if exc.reason.startswith("larger than"):
            raise PolicyError(f"{path}: larger than {limit // 2**20} MiB; not a {what}") from None
        raise PolicyError(str(exc)) from None
    config_read(path, data)  # a stored report is keyed on these bytes, not on a second reading
    return data


def read_text(path: str, what: str, limit: int = MAX_CONFIG_BYTES) -> str:
    """The text of a configuration file: UTF-8 without a byte-order mark or NUL, not empty.

    An empty file is refused rather than read as "no settings": a policy or waiver file
    truncated by a failed write would otherwise pass silently (a file meant to be empty
    can say so in a comment).
    """
    data = read_config(path, what, limit)
    if not data.strip():
        raise PolicyError(f"{path}: empty; not a {what} (a comment is enough to keep it on purpose)")
    if data.startswith(codecs.BOM_UTF8):
        raise PolicyError(f"{path}: starts with a UTF-8 byte-order mark; save it as UTF-8 without one")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PolicyError(f"{path}: not UTF-8 text (line {line}, byte {exc.start})") from None
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise PolicyError(f"{path}: holds a NUL character (line {line}); not a {what}")
    return text


def read_toml(path: str, what: str) -> dict[str, Any]:
    """The document at ``path``; ``what`` names the file in the error ("policy file")."""
    text = read_text(path, what, MAX_TOML_BYTES)
    line = _overlong_dotted_key(text)
    if line is not None:
        raise PolicyError(f"{path}: line {line}: a dotted key of more than {MAX_NESTING} parts")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib descends one Python frame per nested array or inline table
        raise PolicyError(f"{path}: nested deeper than {MAX_NESTING} tables or arrays") from None
    except ValueError:  # an integer literal past Python's 4300-digit limit on int("…")
        raise PolicyError(f"{path}: not valid TOML: an integer with more than 4300 digits") from None
    check_nesting(document, path)
    return document


# Strings (each kind as TOML 1.0 defines it; one left open runs to the end of its line, or
# of the text) and comments. Possessive quantifiers: no backtracking, linear time.
_STRING_OR_COMMENT = re.compile(
    r'"""(?:[^"\\]++|\\.|"(?!""))*+(?:"{3,5}|\Z)'
    r"|'''(?:[^']++|'(?!''))*+(?:'{3,5}|\Z)"
    r'|"(?:[^"\\\n]++|\\.)*+(?:"|$)'
    r"|'[^'\n]*+(?:'|$)"
    r"|#[^\n]*+",
    re.DOTALL | re.MULTILINE,
)
_DOTTED = re.compile(r"[A-Za-z0-9_\-. \t]+")
"""What a dotted key is made of, once its quoted parts are a placeholder."""


def _overlong_dotted_key(text: str) -> int | None:
    """The line of a key (``a.b.c = 1``, ``[a.b.c]``) of more than `MAX_NESTING` parts, if any.

    tomllib keeps, for a key of n dotted parts, n tuples of up to n parts until the next
    table header: a 200 KB line ``a.a.a…a = 1`` takes tens of gigabytes and minutes before
    any check could run on the parsed document. A key never spans lines, and its quoted
    parts are strings: counting the dots of each run of key characters outside strings and
    comments finds it in linear time (a float's one dot never comes near the limit).
    """

    def placeholder(match: re.Match[str]) -> str:
        found = match.group()
        return "\n" * found.count("\n") if found.startswith("#") else "s" + "\n" * found.count("\n")

    outside = _STRING_OR_COMMENT.sub(placeholder, text)
    for run in _DOTTED.finditer(outside):
        if run.group().count(".") >= MAX_NESTING:
            return outside.count("\n", 0, run.start()) + 1
    return None
