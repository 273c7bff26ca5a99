"""Licence expressions as the policy reads them: where a term stands, and which choice is free.

An expression joins licences with ``and`` (all of them apply) and ``or`` (the user picks one),
in parentheses as deep as they go, SPDX's upper-case words or a packager's lower-case ones. A
package is not free when every choice it offers holds a licence that is not:
``GPL-2.0-only OR LicenseRef-Qt-Commercial`` is free (take the GPL), ``MIT AND Proprietary``
is not. A reviewer found dual-licensed free packages flagged once terms were found across
hyphens.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

_TERM_GAP = re.compile(r"[\s_-]+")


def license_term_pattern(term: str, *, glued: bool = False) -> re.Pattern[str]:
    """Where ``term`` is in a licence expression, whatever joins it to the rest.

    A term stands anywhere a letter or digit does not carry it on: ``-``, ``+``, ``_``, ``.``,
    ``/`` or a space part it from its neighbours, so ``LicenseRef-Citrix-EULA``,
    ``BSD+Proprietary`` and ``Proprietary_License`` hold their terms, while ``Proprietaryish``
    and ``NonCommercial`` do not. Inside a term, a space or a hyphen is any run of
    whitespace, hyphens and underscores: ``Not redistributable`` is also
    ``Not-redistributable`` and ``Not  redistributable``. A capital after a small letter also
    ends a term, as camel case starts a word: ``LicenseRef-CitrixHypervisor-EULA`` and
    ``LicenseRef-CitrixEULA`` hold ``LicenseRef-Citrix`` (a name glued to the product or the
    licence it names), while ``LicenseRef-Citrine`` and ``LicenseRef-Citrixish`` do not. Digits
    glued to a term that ends on a letter are a version of it: ``LicenseRef-XenServer8-EULA``.
    ``glued``: the term starts where camel case starts a word instead, a capital after a small
    letter (not after a glued ``non`` or ``not``): XenServer 8.2's kernel.spec has ``License:
    GPLv2 and CitrixCommercial``, which holds ``Commercial``; ``NonProprietary`` holds nothing
    (`first_term` reads it after the terms that stand alone).
    """
    words = [word for word in _TERM_GAP.split(term.strip()) if word]
    body = r"[\s_-]+".join(re.escape(word) for word in words)
    # [^\W_] is a letter or a digit (Unicode's): the one thing that continues a term. A term
    # that does not say "non" itself is negated by one before it: "BSD (non-proprietary)" is
    # free, while "Non-commercial" is its own term.
    negated = "" if words and words[0].lower() in ("non", "not") else r"(?<!non-)(?<!non )(?<!non_)(?<!not )"
    # The camel-case end is read in the text's own case (the rest ignores case): a small
    # letter the term ends on, then a capital.
    camel_case_end = r"|(?-i:(?<=[a-z])(?=[A-Z]))"
    end = r"(?:(?![^\W_])" + camel_case_end + ")"
    # A version glued to a name is still the name, as citrix-vendor reads it: XenServer8,
    # Citrix7. Only after a letter, so a term that ends on a digit keeps its own number.
    version = r"\d*" if words and words[-1][-1:].isalpha() else ""
    start = r"(?-i:(?<=[a-z])(?=[A-Z]))(?<!non)(?<!not)" if glued else r"(?<![^\W_])"
    return re.compile(negated + start + body + version + end, re.IGNORECASE)


TermPatterns = tuple[tuple[re.Pattern[str], ...], ...]
"""Each term's pattern standing alone, then glued on by camel case (`license_term_pattern`)."""


def license_term_patterns(terms: tuple[str, ...]) -> TermPatterns:
    return (
        tuple(license_term_pattern(term) for term in terms),
        tuple(license_term_pattern(term, glued=True) for term in terms),
    )


def first_term(text: str, terms: tuple[str, ...], patterns: TermPatterns) -> str | None:
    """The first of ``terms`` that stands in ``text``; else the first glued to a word before it
    by camel case (``CitrixCommercial``). Every term standing alone is tried first, so a licence
    the terms found before they were read glued keeps the term, and the fingerprint, it had:
    ``LicenseRef-CitrixEULA`` is still ``LicenseRef-Citrix``, not ``EULA``."""
    for reading in patterns:
        for term, pattern in zip(terms, reading, strict=True):
            if pattern.search(text):
                return term
    return None


_LATER = r"(?!\s+(?:any\s+)?(?:later|newer|higher|greater|above)(?![\w-]))"
"""What follows an ``or`` that offers no other licence: ``GPLv2 or later``, ``LGPL v2.1 or any
later version`` are one licence, the version they name or a later one."""
_LICENSE_SEPARATORS = re.compile(rf"\s+(?:and|or{_LATER}|with)\s+|[(),;]", re.IGNORECASE)


def license_elements(expression: str) -> list[str]:
    """The licences a compound expression names: ``GPLv2 and (MIT or BSD)`` gives GPLv2, MIT, BSD."""
    return [part.strip() for part in _LICENSE_SEPARATORS.split(expression) if part.strip()]


_JOINERS = re.compile(rf"\(|\)|\s+(or{_LATER}|and)\s+", re.IGNORECASE)


def not_free(expression: str, leaf: Callable[[str], str | None]) -> tuple[str, ...]:
    """What makes ``expression`` not free by ``leaf`` (which judges one licence, ``with`` its
    exception): what it says of each licence the expression imposes, in the expression's
    order, each once; empty when some choice it offers is free. Each licence, not the first:
    a baseline accepts a finding a term, and ``LicenseRef-Citrix-EULA and Commercial`` must
    not pass as accepted when only the Citrix licence was. Unbalanced parentheses are read as
    far as they go: a closing one too many ends nothing, one missing closes at the end."""
    return tuple(dict.fromkeys(_judge(_parse(expression), leaf)))


_Node = str | tuple[str, list["_Node"]]
"""A licence's text, or (``or`` | ``and``, the choices or the parts)."""


class _Joiner(enum.Enum):
    OR = "or"
    AND = "and"


def _parse(expression: str) -> _Node:
    """``expression`` as a tree; parentheses left open close at the end, a closing one too many
    closes nothing."""
    stack: list[list[_Node | _Joiner]] = [[]]
    position = 0
    for match in _JOINERS.finditer(expression):
        stack[-1].append(expression[position : match.start()])
        position = match.end()
        token = match.group(0).strip().lower()
        if token == "(":
            stack.append([])
        elif token == ")":
            if len(stack) > 1:
                inner = stack.pop()
                stack[-1].append(_group(inner))
        else:
            stack[-1].append(_Joiner(token))
    stack[-1].append(expression[position:])
    while len(stack) > 1:
        inner = stack.pop()
        stack[-1].append(_group(inner))
    return _group(stack[0])


def _group(items: list[_Node | _Joiner]) -> _Node:
    """Texts, subtrees and joiners, read left to right, as one node: ``or`` binds loosest, as
    in SPDX."""
    choices: list[list[_Node]] = [[]]
    for item in items:
        if item is _Joiner.OR:
            choices.append([])
        elif isinstance(item, _Joiner):
            continue  # and: the parts of one choice
        elif not isinstance(item, str):
            choices[-1].append(item)
        elif item.strip():
            choices[-1].append(item.strip())
    alternatives: list[_Node] = [
        ("and", parts) if len(parts) != 1 else parts[0] for parts in choices if parts
    ]
    if len(alternatives) == 1:
        return alternatives[0]
    return ("or", alternatives)


_NO_LICENCE = frozenset({"none", "noassertion", "or", "and", "with"})
"""Choices that name no licence: SPDX's NONE (no licence at all) and NOASSERTION (unknown),
and a joiner word left over by a doubled one (``EULA OR OR``)."""


def _names_a_licence(text: str) -> bool:
    """Whether ``text`` names some licence: ``Proprietary OR -``, ``Proprietary OR ()`` and
    ``Proprietary OR NONE`` offer no free choice, only a Proprietary one."""
    return any(char.isalnum() for char in text) and text.strip().casefold() not in _NO_LICENCE


def _judge(root: _Node, leaf: Callable[[str], str | None]) -> list[str]:
    """What ``leaf`` says of each licence ``root`` imposes, in order. Walked with a stack, not
    by recursion, and each node's licences kept as the nodes holding them until the end: a
    hostile License of 10,000 nested parentheses was an internal error (RecursionError)."""
    # Each node's (names a licence, imposes something, what it imposes: texts judged and nodes).
    judged: dict[int, tuple[bool, bool, list[_Node]]] = {}
    terms: dict[int, str] = {}
    stack: list[tuple[_Node, bool]] = [(root, False)]
    while stack:
        node, opened = stack.pop()
        if isinstance(node, str):
            term = leaf(node)
            if term is not None:
                terms[id(node)] = term
            judged[id(node)] = (_names_a_licence(node), term is not None, [])
        elif not opened:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node[1]))
        else:
            kind, children = node
            names = any(judged[id(child)][0] for child in children)
            if kind == "or":
                children = [child for child in children if judged[id(child)][0]]
                if not (children and all(judged[id(child)][1] for child in children)):
                    judged[id(node)] = (names, False, [])  # a free choice: the others are imposed on nobody
                    continue
            parts = [child for child in children if judged[id(child)][1]]
            judged[id(node)] = (names, bool(parts), parts)
    found: list[str] = []
    pending: list[_Node] = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, str):
            found.extend(term for term in [terms.get(id(node))] if term is not None)
        else:
            pending.extend(reversed(judged[id(node)][2]))
    return found
