"""How spec files are read: the macros and conditionals rpmbuild would be given (``--define``,
``--undefine``, ``--bcond-with``, ``--bcond-without``, and the project file's ``define`` and
``undefine``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from auditor.cli.project import MACRO_NAME, ProjectConfig
from auditor.core.errors import UsageError


def add_spec_options(command: argparse.ArgumentParser) -> None:
    """The options `spec_macros` reads, shared by every command that reads spec files."""
    command.add_argument(
        "--define",
        action="append",
        default=[],
        metavar="'MACRO VALUE'",
        help="define a macro for reading spec files, as rpmbuild --define (repeatable)",
    )
    command.add_argument(
        "--undefine",
        action="append",
        default=[],
        metavar="MACRO",
        help="read spec files as on a build host that does not define MACRO, as rpmbuild --undefine: "
        "a conditional testing it (%%if 0%%{?xenserver}) is decided, not read both ways (repeatable)",
    )
    # rpmbuild's --with/--without (--with here names context inputs).
    command.add_argument(
        "--bcond-with",
        dest="bcond_with",
        action="append",
        default=[],
        metavar="NAME",
        help="turn a spec's %%bcond NAME on, as rpmbuild --with NAME (repeatable)",
    )
    command.add_argument(
        "--bcond-without",
        dest="bcond_without",
        action="append",
        default=[],
        metavar="NAME",
        help="turn a spec's %%bcond NAME off, as rpmbuild --without NAME (repeatable)",
    )


def spec_macros(args: argparse.Namespace, project: ProjectConfig) -> tuple[tuple[str, str | None], ...]:
    """The macros the run's spec files are read with (None: undefined)."""
    return _defines(args.define, args.undefine, project) + _bconds(args.bcond_with, args.bcond_without)


def _defines(
    items: Sequence[str], undefined: Sequence[str], project: ProjectConfig
) -> tuple[tuple[str, str | None], ...]:
    """The macros spec files are read with: the project file's ``define`` and ``undefine``,
    then the command line's, which win over them (None: undefined)."""
    given = [_define(item) for item in items]
    taken: list[str] = []
    for item in undefined:
        name = item.strip().lstrip("%")
        if not name or any(char.isspace() for char in name):
            raise UsageError(f"--undefine {item!r}: expected one macro name")
        taken.append(name)
    where = project.path or "auditor.toml"
    # rpmbuild applies --define and --undefine in their order; two lists have none.
    _check_undefines(dict(project.defines), project.undefines, f"{where}: audit.undefine")
    _check_undefines(dict(given), taken, "--undefine")
    macros: dict[str, str | None] = {**dict(project.defines), **dict.fromkeys(project.undefines)}
    macros.update({**dict(given), **dict.fromkeys(taken)})
    return tuple(macros.items())


def _define(item: str) -> tuple[str, str]:
    """``--define 'NAME VALUE'`` read as rpm reads it (the name ends at the first character
    that cannot be in one, white space of any kind parts it from the body), or a usage error
    where rpm's reading is not what was meant: ``dist=.x`` (rpm defines ``%dist`` as ``=.x``,
    with a warning), ``dist`` alone (rpm: empty body), a parametric ``f() body``. Split at the
    first space alone, ``'dist<TAB>.x'`` defined a macro nobody reads, and the Sources it held
    were gaps instead of rpm's values."""
    text = item.strip()
    text = text[1:] if text.startswith("%") else text
    found = MACRO_NAME.match(text)  # up to the first character that cannot be in a name
    name = found.group() if found else ""
    body = text[len(name) :]
    if not name:
        raise UsageError(f"--define {item!r}: expected 'NAME VALUE' (a macro name first)")
    if body.startswith("("):
        raise UsageError(f"--define {item!r}: a parametric macro is not read from the command line")
    if body and not body[0].isspace():
        raise UsageError(f"--define {item!r}: expected 'NAME VALUE', a space between them")
    if not body.strip():
        raise UsageError(f"--define {item!r}: no value (rpm refuses an empty body)")
    return name, body.strip()


def _check_undefines(defined: dict[str, str], undefined: Sequence[str], where: str) -> None:
    for name in undefined:
        if name in defined:
            raise UsageError(f"{where}: {name}: also defined")
        if _rpm_defines(name):
            # rpm sets some of its own again after the command line (%_target): the reading
            # would then differ from rpm's, on the clean side. Undefining is for a machine's
            # macros (%xenserver, %rhel) and a spec's options.
            raise UsageError(f"{where}: {name}: rpm itself defines it; define it instead")


def _rpm_defines(name: str) -> bool:
    from auditor.rpm.spec.builtins import RPM_BUILTIN_NAMES
    from auditor.rpm.spec.rpmmacros import RPM_MACRO_NAMES

    return name in RPM_MACRO_NAMES or name in RPM_BUILTIN_NAMES


def _bconds(with_: Sequence[str], without: Sequence[str]) -> tuple[tuple[str, str], ...]:
    if not (with_ or without):
        return ()
    from auditor.rpm.spec.builtins import bcond_defines  # the spec reader's, imported when used

    try:
        return bcond_defines(with_, without)
    except ValueError as exc:
        # rpm's words name rpmbuild's --with/--without; here --with names context inputs.
        raise UsageError(f"--bcond-{str(exc).removeprefix('--')}") from None
