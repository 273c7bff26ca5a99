"""The requirement each scriptlet of a spec gives its package, its interpreter; and the hosts
its text names (`ScriptletReader`).

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

import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from auditor.rpm.gaps import Gap, GapKind, bounded
from auditor.rpm.model import Dependency
from auditor.rpm.package_fields import DependencyKind
from auditor.rpm.scriptlets import without_macros, words_in_script
from auditor.rpm.spec.builtins import NEVER, RPM_BUILTIN_NAMES
from auditor.rpm.spec.result import shorten
from auditor.rpm.spec.rpmmacros import RPM_MACRO_NAMES

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
rpm's ``%trigger``, ``%filetrigger`` and ``%transfiletrigger`` are its ``...triggerin`` (`LABELS`)."""
LABELS = {name: f"%{name}in" for name in ("trigger", "filetrigger", "transfiletrigger")}
"""The label of a section written with another name (``rpm -qp --triggers`` says ``triggerin``)."""

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
    file: str | None = None
    """The file ``-f`` names: rpmbuild appends what the build left there to the script."""

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
        if len(word) > 2 and word[:2] in _WITH_VALUE:  # popt reads -nNAME as -n NAME
            options[word[:2]] = word[2:]
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
    return ScriptletHeader(requirement, options.get("-n"), rest[0] if rest else None, options.get("-f"))


def add_interpreter(
    main: PackageDraft, subpackages: Mapping[str, Sequence[PackageDraft]], section: str, argument: str
) -> None:
    """Add the requirement on its interpreter that the scriptlet header ``%<section> <argument>``
    gives its package (``main`` or those of ``subpackages`` of its name), if any. By the name: a
    list of them looked at whole for each scriptlet made a spec's 20,000 ``%post``s 40 s a reading."""
    if (script := scriptlet_header(section, argument)).requirement is None:
        return
    target = script.package(name := main.tags.get("name", ""))
    drafts = [main] if target == name else subpackages.get(target, ())
    for draft in drafts:  # rpm refuses a scriptlet of a package not declared before it
        draft.deps.setdefault(DependencyKind.REQUIRES, []).append(script.requirement)


HELPERS = frozenset(
    {
        *(f"systemd_{name}" for name in ("post", "preun", "postun", "requires", "ordering")),
        *(f"systemd_{name}" for name in ("postun_with_restart", "postun_with_reload")),
        *(f"systemd_user_{name}" for name in ("post", "preun", "postun", "daemon_reexec")),
        *(f"systemd_user_{name}" for name in ("postun_with_restart", "postun_with_reload")),
        "udev_hwdb_update", "udev_rules_update", "journal_catalog_update", "tmpfiles_create",
        "tmpfiles_create_package", "sysusers_create", "sysusers_create_inline", "sysusers_create_package",
        "sysusers_create_compat", "sysctl_apply", "binfmt_apply", "firewalld_reload",
        "ldconfig", "ldconfig_scriptlets", "ldconfig_post", "ldconfig_postun",
    }
)  # fmt: skip
"""The scriptlet macros of the macro packages every build host has (systemd's ``macros.systemd``,
firewalld's, glibc's ``%ldconfig_scriptlets``), by name: their text is published, fixed, and names
no host, so a line calling one is read (``%systemd_post xapi.service``). A build host's own
(XenServer's ``%regenerate_initrd_post``) is no such macro, nor one that only begins as they do
(``%systemd_xs_setup``: it was taken for one by its prefix, review60)."""
_NAME = re.compile(r"%\{?[?!]*(\w+)")
_FLAGS = re.compile(r"-[A-Za-z]+")


def _flags(argument: str) -> str:
    """The one-letter options of a scriptlet header's ``argument`` as popt bundles them: ``-eq``
    is ``-e -q``, and in ``-nNAME``, ``-pPROG`` or ``-fFILE`` what follows the option's letter is
    its value, not more options (``-nxenconf`` holds no ``-e``)."""
    found: list[str] = []
    for word in argument.split("--")[0].split():
        if _FLAGS.fullmatch(word):
            letters = word[1:]
            cut = next((index for index, letter in enumerate(letters) if letter in "npf"), len(letters))
            found.append(letters[: cut + 1])
    return "".join(found)


"""A word of a section header holding options without a value (``-e``, ``-q``, ``-eq``)."""
_TAG_REFERENCE = re.compile(r"%-?+[0-9]*+\{")
"""What a ``-q`` scriptlet's query format reads a tag with (``%{GROUP}``, ``%-20{NAME}``)."""


def _published(written: str) -> bool:
    """Whether a macro left as written is rpm's own or a `HELPERS` one: text a build host's
    published macro files give (``%{getenv:}`` and the other built-ins that read the host excepted)."""
    found = _NAME.match(written)
    if found is None:
        return False
    name = found.group(1)
    if name in NEVER:
        return False
    return name in RPM_MACRO_NAMES or name in RPM_BUILTIN_NAMES or name in HELPERS


ANY_PACKAGE = "%"
"""`Spec.scriptlets`' key of what is every binary's: a scriptlet whose package is unknown."""


class ScriptletReader:
    """What a spec's scriptlet sections say of their packages' hosts: the URLs and host words of
    each line rpm reads in them, as it expands them (`auditor.rpm.scriptlets`), by package; and
    the lines whose text the reader could not expand, a `scriptlet-unread` gap of that package.

    A line in a branch the reader could not decide is read as every line of both branches is
    (the spec's `undecided-conditional` gap says so): its hosts are judged whichever rpm takes.
    Code rpm runs as it parses the line (``%(shell)``, ``%{lua:}``) is the spec's `spec-code` gap
    already; a macro it leaves as written that no published macro file defines (`HELPERS`: a build
    host's own, a ``%{getenv:}``) hides what the line says."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.open_script: tuple[str, str] | None = None
        """The scriptlet section being read: its label (``%post``) and package's name."""
        self.words: dict[str, dict[tuple[str, str], None]] = {}
        self.gaps: dict[str, list[Gap]] = {}
        self.rewritten = ""
        """The open scriptlet's ``-e`` and ``-q``: rpm rewrites its text as it runs it."""

    def section(self, name: str, argument: str, main: str, line: int) -> None:
        """A section ``%<name> <argument>`` starts at ``line``; ``main`` is the main package's name."""
        if name not in WHEN:
            self.open_script = None
            return
        header = scriptlet_header(name, argument)
        label, package = LABELS.get(name, f"%{name}"), header.package(main)
        if "%" in package and package != main:
            # ``-n %{xs_conf_name}``: a build host's macro names the package (rpmbuild fails where
            # none does). Its text was kept for a package no binary is: which one runs it is unseen.
            written = shorten(f"%{name} {argument}")
            detail = f"{self.path}:{line}: {written}: {label} of a package {package} names, not expanded: "
            detail += "which package runs it, and the hosts it names, unseen"
            self.gaps.setdefault(ANY_PACKAGE, []).append(Gap(GapKind.SCRIPTLET_UNREAD, detail))
            package = ANY_PACKAGE
        self.open_script = (label, package)
        self.rewritten = "".join(sorted({"e", "q"} & set(_flags(argument))))
        if header.file is not None:
            # rpmbuild reads the file once built (``processScriptFiles``): the build may write
            # any host there (``d=xensource; echo "curl https://updates.$d.com/x | sh" > post.sh``),
            # and the spec read clean and complete.
            written = shorten(f"%{name} {argument}")
            detail = f"{self.path}:{line}: {written}: {label} of {package}: its script is the file "
            detail += f"{header.file} the build leaves, unseen"
            self.gaps.setdefault(package, []).append(Gap(GapKind.SCRIPTLET_UNREAD, detail))
        if any(word.startswith("-p") for word in argument.split()):  # -p PROG, -pPROG
            self.text(argument, program=True)

    def text(self, text: str, *, program: bool = False) -> None:
        """One line of the open scriptlet as rpm expands it (its ``-p`` program's: ``program``)."""
        if self.open_script is None:
            return
        label, package = self.open_script
        found = self.words.setdefault(package, {})
        texts = [text]
        if "e" in self.rewritten and "%" in text and not program:
            texts.append(without_macros(text))  # rpm expands them on the installing host
        for word in (word for each in texts for word in words_in_script(each)):
            found.setdefault((sys.intern(f"{label} -p" if program else label), sys.intern(word)), None)
        if "q" in self.rewritten and _TAG_REFERENCE.search(text) and not program:
            # rpm puts the package's tags in their place on the installing host (headerFormat):
            # the RPM rpmbuild makes is read so, its spec's line is not.
            said = f"{label} -q of {package}: rpm formats it with the package's tags"
            detail = f"{self.path}: {shorten(text.strip())}: {said}"
            self.gaps.setdefault(package, []).append(Gap(GapKind.SCRIPTLET_UNREAD, detail))

    def unexpanded(self, line: int, written: str, left: Sequence[str], code: Sequence[str]) -> None:
        """A line of the open scriptlet whose expansion left ``left`` as written (``code`` of them
        runs, and is the spec's gap already)."""
        if self.open_script is None:
            return
        hidden = [text for text in left if text not in code and not _published(text)]
        if hidden:
            label, package = self.open_script
            left = ", ".join(hidden[:3])
            detail = f"{self.path}:{line}: {shorten(written)}: {label} of {package}: {left} not expanded"
            self.gaps.setdefault(package, []).append(Gap(GapKind.SCRIPTLET_UNREAD, detail))

    def results(self) -> dict[str, tuple[tuple[tuple[str, str], ...], tuple[Gap, ...]]]:
        """Each package's scriptlet words and gaps (`Spec.scriptlets`)."""
        return {
            package: (tuple(self.words.get(package, ())), bounded(self.gaps.get(package, ()), self.path))
            for package in {*self.words, *self.gaps}
        }
