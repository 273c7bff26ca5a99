"""A repository section's options as yum 3 parses them (yum 3.4.3's ``yum/config.py``, the yum
of XCP-ng 8.x): whether it enables the section, and whether it skips it.

yum's ``readRepoConfig`` fills a ``RepoConf`` from every option a section sets, each through its
``Option.parse``; one that raises ``ValueError`` ("Error parsing config") makes
``getReposFromConfigFile`` skip the section whole, and no yum host reads its repository. dnf
warns about such a value and reads the repository all the same. So a section with
``cost=abc``, ``gpgcheck=2`` or a ``gpgkey`` that is a bare path is on some hosts only.

Each option is parsed here as yum's Python 2 does it (``int`` and ``float`` take ASCII digits
and no ``_``; ``str.lower`` and ``isalpha`` are ASCII-only on the bytes yum reads), from the
value yum's ``iniparse`` gives (`yum_value`).
"""

from __future__ import annotations

import configparser
import math
import re
import string
from collections.abc import Callable, Mapping

YUM_TRUE_WORDS = ("1", "yes", "true")
"""What yum 3's ``BoolOption`` reads as true (lower-cased). It takes ``0``, ``no`` and ``false``
for false and refuses any other value (``on``, ``off``, none)."""
_FALSE_WORDS = ("0", "no", "false")

_PY2_SPACE = " \t\n\r\v\f"
_PY2_INT = re.compile(r"[ \t\n\r\v\f]*[+-]?[0-9]+[ \t\n\r\v\f]*")
_PY2_FLOAT = re.compile(
    r"[ \t\n\r\v\f]*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:inf|infinity|nan))"
    r"[ \t\n\r\v\f]*"
)
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
_URL_SCHEMES = ("http", "ftp", "file", "https")
_PROXY_SCHEMES = ("http", "ftp", "https", "socks4", "socks4a", "socks5", "socks5h")

_SHOWN = 100
"""Characters of a refused value a warning quotes (`_quoted`)."""


def _quoted(text: str) -> str:
    """``text`` as a warning quotes it: its repr (what is not printable escaped, up to ten
    characters each), cut at `_SHOWN` characters, so that a hostile value cannot make a warning
    of any length."""
    quoted = repr(text)
    return quoted if len(quoted) <= _SHOWN else f"{quoted[:_SHOWN]}..."


Refusal = Callable[[str], str | None]
"""One option's parser: why yum refuses a value, or None when it takes it."""


YUM_DEFAULTS = "DEFAULT"
"""The section whose options iniparse's ``ConfigParser``, yum 3's, gives every other section
that does not set them (only so written): no repository to yum, one more section to dnf."""


def yum_section(parser: configparser.ConfigParser, name: str) -> dict[str, str]:
    """Section ``name``'s options as yum 3 reads them: its own, over those of `YUM_DEFAULTS`."""
    defaults = dict(parser[YUM_DEFAULTS]) if parser.has_section(YUM_DEFAULTS) else {}
    return defaults | dict(parser[name])


def read_as_yum(parser: configparser.ConfigParser, text: str, shown: str) -> None:
    """``text`` read into ``parser`` (configparser, comments ``#`` and ``;``) with what iniparse
    keeps and configparser drops: an indented comment line inside a value, which iniparse reads
    as a line of it (``enabled=1`` then ``  # why`` is ``1\n# why``, which yum refuses). Each
    such line is marked so that configparser takes it for text, then unmarked in the values."""
    written = set(text)
    mark = next((chr(code) for code in range(0xE000, 0xF900) if chr(code) not in written), None)
    if mark is None:  # each private use character written: read as configparser reads it
        parser.read_string(text, source=shown)
        return
    parser.read_string(_marked(text, mark), source=shown)
    for section in parser.sections():
        for key, value in parser.items(section, raw=True):
            if mark in value:
                parser.set(section, key, value.replace(mark, ""))


_CONFIGPARSER_HEADER = re.compile(r"\[(?P<header>.+)\]")
_CONFIGPARSER_OPTION = re.compile(r"(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$")


def _marked(text: str, mark: str) -> str:
    """``text`` with ``mark`` before each comment line that configparser would read as a line of
    a value if it were not a comment: indented past the option line, after one in its section
    (the state configparser's ``_read`` keeps: its option, and that line's indent)."""
    lines = text.split("\n")
    option = False
    indent = 0
    for number, line in enumerate(lines):
        content = line.strip()
        if not content:
            continue
        here = len(line) - len(line.lstrip())
        if option and here > indent:
            if content.startswith(("#", ";")):
                lines[number] = f"{line[:here]}{mark}{line[here:]}"
            continue
        if content.startswith(("#", ";")):
            continue
        indent = here
        option = not _CONFIGPARSER_HEADER.match(content) and bool(_CONFIGPARSER_OPTION.match(content))
    return "\n".join(lines)


def yum_value(written: str) -> str:
    """A value as yum's ``iniparse`` gives it, from configparser's (the yum reading,
    `auditor.sources.repofile`): its first line ends at a ``;`` after white space (an inline
    comment), and its continuation lines stay part of it, blank ones dropped. (An indented
    ``# comment`` line is part of it to iniparse too, but configparser has already dropped it.)"""
    first, _, rest = written.partition("\n")
    semicolon = first.find(";")
    if semicolon > 0 and first[semicolon - 1].isspace():
        first = first[:semicolon].rstrip()
    return "\n".join([first, *(line for line in rest.split("\n") if line.strip())])


def yum_enabled(values: Mapping[str, str], main: Mapping[str, str]) -> bool:
    """Whether yum 3 enables a section with these options (names lower-cased), under a
    ``[main]`` with ``main``'s: ``RepoConf.enabled`` is an ``Inherit`` of ``[main]``'s, so a
    section with no ``enabled=`` takes it (``[main] enabled=0`` disables it). A value
    ``BoolOption`` refuses skips the section (`yum_refusal`)."""
    value = yum_value((values if "enabled" in values else main).get("enabled", "1"))
    return _ascii_lower(value) in YUM_TRUE_WORDS


def yum_refusal(values: Mapping[str, str]) -> str | None:
    """Why yum 3 skips a section with these options (names lower-cased, as iniparse reads
    them), naming the first option it cannot parse; None when it parses them all."""
    for name in sorted(values):
        parse = _OPTIONS.get(name)
        if parse is None:  # text, or no option of yum's: taken as written
            continue
        value = yum_value(values[name])
        why = parse(value)
        if why:
            return f"yum 3 cannot parse {name} = {_quoted(value)}: {why}; it skips the section"
    return None


def _ascii_lower(text: str) -> str:
    return "".join(char.lower() if "A" <= char <= "Z" else char for char in text)


def _boolean(value: str) -> str | None:
    return None if _ascii_lower(value) in YUM_TRUE_WORDS + _FALSE_WORDS else "invalid boolean value"


def _integer(low: int | None = None, high: int | None = None, zero: str | None = None) -> Refusal:
    """``IntOption(range_min=low, range_max=high)``; ``zero``: ``PositiveIntOption``'s name of 0."""

    def parse(value: str) -> str | None:
        if zero is not None and value == zero:
            return None
        if not _PY2_INT.fullmatch(value):
            return "invalid integer value"
        number = int(value.strip(_PY2_SPACE))
        if (high is not None and number > high) or (low is not None and number < low):
            return "out of range integer value"
        return None

    return parse


def _float(value: str) -> str | None:
    return None if _PY2_FLOAT.fullmatch(value) else "invalid float value"


def _scaled(units: str, what: str, never: bool) -> Refusal:
    """``SecondsOption`` (``never``: it takes ``-1`` and ``never``) or ``BytesOption``: a
    number, perhaps with one letter of ``units`` after it, never negative; yum makes an
    integer of it, which NaN and infinity cannot be (the latter is an ``OverflowError`` that
    stops yum whole)."""

    def parse(value: str) -> str | None:
        if not value:
            return "no value specified"
        if never and value in ("-1", "never"):
            return None
        number = value
        if value[-1] in string.ascii_letters:
            if _ascii_lower(value[-1]) not in units:
                return f"unknown unit {_quoted(_ascii_lower(value[-1]))}"
            number = value[:-1]
        if not _PY2_FLOAT.fullmatch(number):
            return "invalid value" if never else f"couldn't convert {_quoted(number)} to number"
        amount = float(number)
        if amount < 0:
            return f"{what} value may not be negative"
        if not math.isfinite(amount):
            return "not a finite number"
        return None

    return parse


def _throttle(value: str) -> str | None:
    if value.endswith("%"):
        if not _PY2_FLOAT.fullmatch(value[:-1]):
            return f"couldn't convert {_quoted(value[:-1])} to number"
        percent = float(value[:-1])
        return "percentage is out of range" if percent < 0 or percent > 100 else None
    return _scaled("kmg", "bytes", never=False)(value)


def _selection(
    allowed: tuple[str, ...], caseless: bool = False, mapper: Mapping[str, str] | None = None
) -> Refusal:
    """``SelectionOption`` (``caseless``: ``CaselessSelectionOption``): one of ``allowed``, or a
    key of ``mapper`` naming one."""
    mapper = mapper or {}

    def parse(value: str) -> str | None:
        value = _ascii_lower(value) if caseless else value
        value = mapper.get(value, value)
        return None if value in allowed else f"{_quoted(value)} is not an allowed value"

    return parse


def _scheme(url: str) -> str:
    """The scheme Python 2.7's ``urlparse.urlsplit`` finds in ``url`` (lower-cased): the
    characters before its first ``:`` when they are scheme characters and what follows is no
    port number (``int`` refuses it)."""
    colon = url.find(":")
    if colon <= 0:
        return ""
    if url[:colon] == "http":
        return "http"
    if any(char not in _SCHEME_CHARS for char in url[:colon]):
        return ""
    return "" if _PY2_INT.fullmatch(url[colon + 1 :]) else _ascii_lower(url[:colon])


def _url(schemes: tuple[str, ...] = _URL_SCHEMES, none: bool = False) -> Refusal:
    """``UrlOption``: a URL of one of ``schemes``, or (``none``) ``_none_``."""

    def parse(value: str) -> str | None:
        url = value.strip(_PY2_SPACE)
        if _ascii_lower(url) == "_none_":
            return None if none else '"_none_" is not a valid value'
        scheme = _scheme(url)
        if scheme not in schemes:
            return f'URL must be {", ".join(schemes[:-1])} or {schemes[-1]} not "{scheme}"'
        return None

    return parse


_URL = _url()
"""``UrlOption`` as ``baseurl``, ``gpgkey``, ``mirrorlist`` and ``metalink`` have it."""


def _proxy(value: str) -> str | None:
    if _ascii_lower(value.strip(_PY2_SPACE)) == "libproxy":
        return None
    return _url(_PROXY_SCHEMES, none=True)(value)


def _urls(value: str) -> str | None:
    """``UrlListOption``: URLs separated by white space and commas, read by ``shlex`` first
    (an unclosed quote is an error); ``glob:`` items name files of a directory on the host,
    which the auditor does not read, and are taken as yum takes them when they parse."""
    try:
        items = shell_words(value.replace("\n", " ").replace(",", " "))
    except ValueError as exc:
        return str(exc)
    joined = " ".join(item.replace(" ", "%20") for item in items if not item.startswith("glob:"))
    return next(filter(None, map(_URL, joined.split())), None)


_SHELL_BLANKS = " \t\r\n"


def shell_words(text: str) -> list[str]:
    """``shlex.split(text)`` (POSIX, no comments) in one pass: the standard library's takes
    minutes on a few megabytes in one quoted word. Raises ValueError with shlex's messages."""
    words: list[str] = []
    word: list[str] = []
    quoted = False
    state = " "  # " " between words, "a" in one, a quote inside it, "\\" after a backslash
    escaped_in = "a"
    for char in text:
        if state == "\\":
            if escaped_in == '"' and char not in ('"', "\\"):
                word.append("\\")  # inside double quotes only a quote or a backslash is escaped
            word.append(char)
            state = escaped_in
        elif state in ("'", '"'):
            quoted = True
            if char == state:
                state = "a"
            elif char == "\\" and state == '"':
                escaped_in, state = state, "\\"
            else:
                word.append(char)
        elif char in _SHELL_BLANKS:
            if word or quoted:
                words.append("".join(word))
            word, quoted, state = [], False, " "
        elif char in ("'", '"'):
            state = char
        elif char == "\\":
            escaped_in, state = "a", "\\"
        else:
            word.append(char)
            state = "a"
    if state in ("'", '"'):
        raise ValueError("No closing quotation")
    if state == "\\":
        raise ValueError("No escaped character")
    if word or quoted:
        words.append("".join(word))
    return words


_OPTIONS: dict[str, Refusal] = {
    **dict.fromkeys(
        (
            "enabled",
            "keepcache",
            "gpgcheck",
            "repo_gpgcheck",
            "keepalive",
            "enablegroups",
            "ftp_disable_epsv",
            "sslverify",
            "ssl_check_cert_permissions",
            "skip_if_unavailable",
            "async",
            "check_config_file_age",
        ),
        _boolean,
    ),
    "baseurl": _urls,
    "gpgkey": _urls,
    "gpgcakey": _urls,
    "mirrorlist": _URL,
    "metalink": _URL,
    "proxy": _proxy,
    "retries": _integer(low=0, zero="<forever>"),
    "minrate": _integer(),
    "cost": _integer(),
    # yum-plugin-priorities registers it as an IntOption: on hosts with the plugin, a section
    # whose priority is no integer is skipped.
    "priority": _integer(),
    "deltarpm_percentage": _integer(0, 100),
    "deltarpm_metadata_percentage": _integer(low=0),
    "compare_providers_priority": _integer(1, 99),
    "bandwidth": _scaled("kmg", "bytes", never=False),
    "throttle": _throttle,
    "timeout": _float,
    "metadata_expire": _scaled("dhms", "seconds", never=True),
    "mirrorlist_expire": _scaled("dhms", "seconds", never=True),
    "ip_resolve": _selection(("ipv4", "ipv6", "whatever"), caseless=True, mapper={"4": "ipv4", "6": "ipv6"}),
    "http_caching": _selection(("none", "packages", "all", "lazy:packages")),
    "metadata_expire_filter": _selection(
        ("never", "read-only:future", "read-only:present", "read-only:past")
    ),
    "mddownloadpolicy": _selection(("sqlite", "xml")),
}
"""The options of yum 3's ``RepoConf`` whose parser can refuse a value (the others are text or
lists of words), each with that parser."""
