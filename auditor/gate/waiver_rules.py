"""What a waiver file may say: refusals of waivers that would load and accept nothing.

A waiver that can match no fact is loaded, accepts nothing, and is reported stale at the end of
a run whose author believed it eased something; where that is visible from the file and the
policy alone, before any package is read, it is a usage error (exit 2) naming the waiver.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from auditor.audit.facts import FactKind
from auditor.core.errors import PolicyError
from auditor.gate.waivers import Waiver
from auditor.origin.findings import Category
from auditor.origin.policy import Policy
from auditor.rpm.gaps import INPUT_GAP_KINDS, GapKind


def check_ids(items: Sequence[Waiver]) -> None:
    """Every output names a waiver by its id alone ("waived by a", "expired waiver a", a SARIF
    suppression, the JSON's ``waiver``): two waivers of one id made one report say that ``a``
    accepted a fact and that ``a`` had expired, or was stale (a file given twice: each second
    copy accepts nothing an earlier one does not), so an id two waivers have is a usage error."""
    first: dict[str, Waiver] = {}
    for waiver in items:
        earlier = first.setdefault(waiver.id, waiver)
        if earlier is waiver:
            continue
        again = (
            " (the file is read twice)"
            if (earlier.source, earlier.entry) == (waiver.source, waiver.entry)
            else ""
        )
        raise PolicyError(
            f"{waiver.source}: waiver {waiver.id} ({waiver.package}) at {waiver.entry}: its id is the id of "
            f"{earlier.source} {earlier.entry} too{again}; every report names a waiver by its id alone: "
            "give each waiver its own id"
        )


_ORIGIN_STATUS_RULE = f"status:{FactKind.ORIGIN.value}"


def check_rules(items: Sequence[Waiver], policy: Policy) -> None:
    """A waiver whose ``rule`` names nothing the audit can report is a typo: a usage error. So
    is one that names only gaps of an input or of the run (`INPUT_GAP_KINDS`): a waiver accepts
    facts about a package, so it would be loaded, accept nothing, and be reported stale at the
    end of a run its author believed it eased. So is ``status:origin``: origin evidence carries
    its policy rule's id (``citrix-vendor``); ``status = "origin"`` is what accepts it."""
    facts = _facts_by_rule(policy)
    known = sorted({rule for rule, _, _ in facts})
    for waiver in items:
        if waiver.rule is not None and not any(fnmatch.fnmatchcase(rule, waiver.rule) for rule in known):
            if fnmatch.fnmatchcase(_ORIGIN_STATUS_RULE, waiver.rule):
                raise PolicyError(
                    f"{waiver.source}: waiver {waiver.id}: rule {waiver.rule!r} is no fact's rule: origin "
                    'evidence carries its policy rule\'s id (citrix-vendor...); write status = "origin" '
                    "to accept a package's origin evidence"
                )
            of_inputs = sorted(
                kind.value
                for kind in INPUT_GAP_KINDS
                if fnmatch.fnmatchcase(f"gap:{kind.value}", waiver.rule)
            )
            if of_inputs:
                raise PolicyError(
                    f"{waiver.source}: waiver {waiver.id}: rule {waiver.rule!r} names a gap of an input or "
                    f"of the run ({', '.join(of_inputs)}), which no waiver can accept: give the auditor "
                    "the missing evidence"
                )
            raise PolicyError(
                f"{waiver.source}: waiver {waiver.id}: rule {waiver.rule!r} matches no rule of the policy "
                f"(known: {', '.join(known)})"
            )
        _check_scope(waiver, facts)


_EVERY_CATEGORY = frozenset(Category)


def _facts_by_rule(policy: Policy) -> list[tuple[str, str | None, frozenset[Category]]]:
    """Every rule a fact can carry, with the status it gives its package and the categories it
    can have: origin evidence its policy rule's category, a taint any category (that of the origin
    package its chain ends at), an unmet requirement and a gap none (and a gap no status)."""
    facts: list[tuple[str, str | None, frozenset[Category]]] = [
        (rule.id, FactKind.ORIGIN.value, frozenset({rule.category})) for rule in policy.rules
    ]
    for kind in (FactKind.DEPENDS, FactKind.MAY_DEPEND, FactKind.BUILD_DEPENDS):
        facts.append((f"status:{kind.value}", kind.value, _EVERY_CATEGORY))
    facts.append((f"status:{FactKind.UNRESOLVED.value}", FactKind.UNRESOLVED.value, frozenset()))
    facts += [(f"gap:{kind.value}", None, frozenset()) for kind in GapKind if kind not in INPUT_GAP_KINDS]
    return facts


def _check_scope(waiver: Waiver, facts: Sequence[tuple[str, str | None, frozenset[Category]]]) -> None:
    """A waiver's ``status`` and ``category`` narrow the facts its ``rule`` names; narrowed to
    none (``rule = "gap:*"`` with a status, which no gap gives; ``status = "unresolved"`` with a
    category, which an unmet requirement has not; ``rule = "citrix-vendor"`` with ``category =
    "proprietary"``), it would accept nothing and be reported stale after a run its author believed
    it eased: a usage error, said as the facts its rule does name."""
    if waiver.status is None and waiver.category is None:
        return
    named = [
        fact
        for fact in facts
        # No rule: every fact but a gap, which only a waiver naming it accepts (`Waiver.matches`).
        if (fnmatch.fnmatchcase(fact[0], waiver.rule) if waiver.rule is not None else fact[1] is not None)
    ]
    if any(
        (waiver.status is None or status == waiver.status)
        and (waiver.category is None or waiver.category in categories)
        for _, status, categories in named
    ):
        return
    scope = ", ".join(
        f"{label} = {value!r}"
        for label, value in (
            ("rule", waiver.rule),
            ("status", waiver.status),
            ("category", waiver.category.value if waiver.category else None),
        )
        if value is not None
    )
    said = sorted({_said(status, categories) for _, status, categories in named})
    raise PolicyError(
        f"{waiver.source}: waiver {waiver.id}: no fact has {scope}, so it would accept nothing; "
        f"the facts it names are {'; '.join(said)}"
    )


def _said(status: str | None, categories: frozenset[Category]) -> str:
    if status is None:
        return "gaps (no status, no category)"
    kinds = "/".join(sorted(category.value for category in categories)) or "no category"
    return f"{status} ({kinds})"
