"""The requirement each scriptlet of a spec gives its package: its interpreter.

rpmbuild (rpm 4.18's ``build/parseScript.c``) adds ``Requires(<when>,interp): PROG`` for every
scriptlet section, ``PROG`` being its ``-p`` program or ``/bin/sh``, whatever the section holds
(an empty ``%post`` too) and whatever ``AutoReq`` says; a built-in interpreter (``-p <lua>``)
adds none. A trigger's requirement is ``Requires(interp)``. ``tests/differential`` builds each
shape with rpmbuild and compares with ``rpm -qp --requires``.

A section header's words are rpm's options: ``-p PROG``, ``-n NAME`` (the package), ``-f FILE``,
``-P PRIORITY`` (file triggers), ``-e``, ``-q``; the first other word is a subpackage's suffix;
a trigger's conditions follow ``--``.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from auditor.rpm.model import Dependency
from auditor.rpm.package_fields import DependencyKind

if TYPE_CHECKING:
    from auditor.rpm.spec.result import PackageDraft

WHEN: dict[str, str | None] = {
    **{name: name for name in ("pre", "post", "preun", "postun", "pretrans", "posttrans",
                               "preuntrans", "postuntrans")},
    "verifyscript": "verify",
    **dict.fromkeys(
        ("triggerin", "triggerun", "triggerpostun", "triggerprein", "filetriggerin", "filetriggerun",
         "filetriggerpostun", "transfiletriggerin", "transfiletriggerun", "transfiletriggerpostun",
         "trigger", "filetrigger", "transfiletrigger"),
    ),
}  # fmt: skip
"""Each scriptlet section, and the qualifier its interpreter's requirement carries beside ``interp``.
rpm's ``%trigger``, ``%filetrigger`` and ``%transfiletrigger`` are its ``...triggerin``."""

DEFAULT_INTERPRETER = "/bin/sh"
_WITH_VALUE = frozenset({"-p", "-n", "-f", "-P"})


class ScriptletHeader(NamedTuple):
    requirement: Dependency | None
    """``Requires(when,interp): PROG``; None for a built-in interpreter (``<lua>``) or a program
    rpmbuild refuses (not an absolute path)."""
    name: str | None
    """The package ``-n`` names, whole."""
    suffix: str | None
    """The subpackage's suffix (``%post devel``); neither: the main package."""

    def package(self, main: str) -> str:
        """The name of the package the scriptlet is of, the main package being ``main``."""
        return self.name or (f"{main}-{self.suffix}" if self.suffix else main)


def scriptlet_header(section: str, argument: str) -> ScriptletHeader:
    """What the header ``%<section> <argument>`` of a scriptlet section says (`WHEN` names them)."""
    try:
        words = shlex.split(argument)  # rpm reads the options with poptParseArgvString: quotes count
    except ValueError:
        words = argument.split()
    if "--" in words:
        words = words[: words.index("--")]
    options: dict[str, str] = {}
    rest: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        if word in _WITH_VALUE and position + 1 < len(words):
            options[word] = words[position + 1]
            position += 2
            continue
        if not word.startswith("-"):
            rest.append(word)
        position += 1
    program = options.get("-p", DEFAULT_INTERPRETER).split()
    interpreter = program[0] if program else DEFAULT_INTERPRETER
    requirement = None
    if interpreter.startswith("/"):
        when = WHEN[section]
        qualifiers = frozenset({"interp"} if when is None else {when, "interp"})
        requirement = Dependency(interpreter, qualifiers=qualifiers)
    return ScriptletHeader(requirement, options.get("-n"), rest[0] if rest else None)


def add_interpreter(
    main: PackageDraft, subpackages: Sequence[PackageDraft], section: str, argument: str
) -> None:
    """Add the requirement on its interpreter that the scriptlet header ``%<section> <argument>``
    gives its package (``main`` or one of ``subpackages``), if any."""
    if (script := scriptlet_header(section, argument)).requirement is None:
        return
    target = script.package(name := main.tags.get("name", ""))
    drafts = [main] if target == name else [draft for draft in subpackages if draft.name == target]
    for draft in drafts:  # rpm refuses a scriptlet of a package not declared before it
        draft.deps.setdefault(DependencyKind.REQUIRES, []).append(script.requirement)
