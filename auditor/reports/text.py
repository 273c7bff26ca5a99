"""Text for people, from data nobody vouches for.

Package metadata comes from the packages under audit: a summary, a vendor or a URL can hold
terminal escape sequences, Markdown, HTML or characters XML cannot carry. Each output makes
it inert its own way, with the helpers here:

- `terminal_text`: no control character, escape sequence, bidirectional override, invisible
  character or CI log command reaches a terminal or a CI log (table, ``why``);
- `code_span`: one Markdown code span, nothing in it read as Markdown, HTML, link or mention
  (nor reordered, hidden, or run as a CI command);
- `clean_text`: what XML 1.0 and UTF-8 cannot carry becomes U+FFFD (XML, JSON, HTML), and a
  file name's byte that is not UTF-8 ``\\xff``, as `utf8_text` writes it;
- `sarif_text`: the same, and no embedded link planted in a SARIF message;
- `simple_table`: a table for people, each cell as given (no cell read as a number);
- `utf8_text`: a file name's byte that is not UTF-8 written ``\\xff`` (`auditor.core.pathtext`;
  every format's output, last; `json_utf8_text` for JSON text).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from auditor.audit.facttext import hop_text as hop_text  # the formats' too (`auditor.audit.facttext`)
from auditor.core.errors import BIDI_CONTROLS, ci_inert
from auditor.core.pathtext import json_path_text, path_text
from auditor.deps.hops import Hop
from auditor.reports.chains import shown
from auditor.rpm.model import Package

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # XML 1.0 Char, complemented
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_INVISIBLE = "\u200b\u2060-\u2064\ufeff"
"""Characters that print as nothing (zero width space, word joiner, invisible operators, BOM):
``xs\u200b-tool`` would show as ``xs-tool``. The zero width (non-)joiners stay: scripts such as
Persian need them."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029" + BIDI_CONTROLS + _INVISIBLE + "]")
_READER_CONTROL = re.compile("[\x7f-\x9f" + BIDI_CONTROLS + _INVISIBLE + "]")
"""What XML carries but a reader must not get: C1 controls (U+009B is a terminal's CSI, and a
Markdown summary is printed to CI logs too), bidirectional controls, invisible characters."""
_BACKTICKS = re.compile("`+")
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
"""What ends a line (`str.splitlines`'s set): a value's line breaks, each run made one blank."""


def clean_text(text: str) -> str:
    """``text`` with what XML 1.0 and UTF-8 cannot carry (controls) made U+FFFD, and a file
    name's bytes that are not UTF-8 (lone surrogates) written ``\\xff`` (`path_text`)."""
    if text.isascii() and text.isprintable():  # none of them; checked in C, 4 times faster
        return text
    return _NOT_XML.sub("\ufffd", path_text(text))


def sarif_text(text: str) -> str:
    """`clean_text` for a SARIF message's ``text``. There, ``[text](target)`` is an embedded link
    (SARIF 2.1.0, 3.11.6), which a viewer may show as a link to ``target``: a package's value
    must not plant one. Where one could form, each bracket is escaped with a backslash, as the
    standard writes literal brackets; any other text is left as it is."""
    text = clean_text(text)
    if "](" not in text:
        return text
    return text.replace("[", "\\[").replace("]", "\\]")


def utf8_text(text: str) -> str:
    """``text`` with lone surrogates written ``\\xff`` (`path_text`): a file name that is not
    UTF-8 arrives with its bad bytes as surrogates (``os.fsdecode``), which no UTF-8 output can
    carry, and as U+FFFD two such names read alike."""
    return path_text(text)


def json_utf8_text(text: str) -> str:
    """`utf8_text` for JSON text written with ``ensure_ascii`` off: the strings hold the escape."""
    return json_path_text(text)


def terminal_text(text: str) -> str:
    """``text`` safe to print on a terminal: escape sequences removed, other controls and
    bidirectional overrides and invisible characters shown as U+FFFD (a hostile summary cannot
    move the cursor, rewrite earlier lines, reorder or hide what the reader sees), and no CI
    command left (`ci_inert`). A newline becomes a blank: every caller
    prints a line or a cell, and a value that started a line of its own could pass for a row
    (``ok-9.9-9.noarch  clean``) in the table or in ``why``. Tabs stay."""
    text = _CONTROL.sub("\ufffd", clean_text(_ESCAPE_SEQUENCE.sub("\ufffd", text)))
    return ci_inert(text.replace("\n", " ") if "\n" in text else text, _replaced)


def _replaced(_character: str) -> str:
    return "\ufffd"


def reader_line(text: str) -> str:
    """``text`` on one line for a person reading Markdown or a CI log: each run of line breaks
    a blank, the other white space as the text has it (a vendor ``a  b`` or ``a<TAB>b`` is
    not ``a b``), no control character, nothing reordered or hidden. CI commands are the
    caller's to make inert, its own way."""
    return _READER_CONTROL.sub("\ufffd", clean_text(_LINE_BREAKS.sub(" ", text)))


def code_span(text: str, *, table: bool = False) -> str:
    """``text`` as one inline Markdown code span: nothing in it is read as Markdown, HTML,
    link or mention. The fence is one backtick longer than the longest run inside; in a
    table cell a ``|`` is escaped, as GitHub's table syntax requires even in a code span."""
    # Read by people (a pull-request comment) and maybe printed to a CI log: nothing reordered
    # or hidden, no command (`ci_inert`).
    text = ci_inert(reader_line(text), _replaced)
    if table:
        text = text.replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    padding = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def markdown_text(text: str) -> str:
    """Plain text made inert in Markdown: every ASCII punctuation mark Markdown reads is escaped."""
    return "".join("\\" + char if char in "\\`*_{}[]()<>#+-!|~&" else char for char in clean_text(text))


def simple_table(rows: Sequence[Sequence[str]], headers: Sequence[str], right: Collection[int] = ()) -> str:
    """``rows`` under ``headers`` in tabulate's "simple" format, each cell shown as it is given.
    Left to itself, tabulate reads a column whose every cell looks like a number as numbers and
    prints them its own way: a licence "2.10" as 2.1, a vendor "1e5" as 100000. The columns in
    ``right`` (counts) are aligned right, as tabulate aligns numbers (and their headers, when
    there are rows). That reading was also most
    of the time of a large table: 1.34 s, against 0.60 s without it, for 10,000 rows of ten
    columns (an inventory of distro-10k)."""
    from tabulate import tabulate  # on first use: 11 ms (importlib.metadata, for its version)

    align = ["right" if rows and column in right else "left" for column in range(len(headers))]
    return str(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True, colalign=align))


def plural(count: int, word: str, words: str | None = None) -> str:
    """``count`` and the word for that many (``1 package``, ``2 packages``)."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


MIN_SHORTENED = 24
"""The fewest characters `shorten_keeping` leaves of the text it cuts."""


def shorten_keeping(text: str, kept: str, width: int) -> str:
    """``text + kept`` in ``width`` characters by cutting ``text`` alone: ``kept`` (what else
    blocks) stays whole, and the line overruns ``width`` rather than lose it."""
    if len(text) + len(kept) <= width:
        return text + kept
    return shorten(text, max(width - len(kept), MIN_SHORTENED)) + kept


def chain_text(start: Package, chain: Sequence[Hop], packages: Sequence[Package], arrow: str = " -> ") -> str:
    """The chain from ``start``, shortened as every format shortens it (`auditor.reports.chains`)."""
    if not chain:
        return ""
    part = shown(chain)
    steps = [start.nevra, *(hop_text(hop, packages) for hop in part.head)]
    if part.shortened:
        steps += [part.note, *(hop_text(hop, packages) for hop in part.end)]
    return arrow.join(steps)
