"""Which files the run's requirements name: what the repositories' filelists.xml must give.

primary.xml lists only the files createrepo_c calls primary (``/etc``, ``*bin/``); a
requirement on another path is met by filelists.xml alone, which is large: a run reads a
repository's only when its primary files do not answer for every path some package requires,
plainly or inside a rich dependency (`auditor.sources.filelists.complete_file_lists`).
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.core.errors import DependencySyntaxError
from auditor.deps.provides import file_path
from auditor.rpm.deps import Node, Simple, parse
from auditor.rpm.model import Package


def leaves_text(node: Node) -> set[str]:
    if isinstance(node, Simple):
        return {str(node.dep)}
    found: set[str] = set()
    for operand in node.operands:
        found |= leaves_text(operand)
    return found


def required_files(packages: Sequence[Package]) -> frozenset[str]:
    """Every file path some package requires (plainly or inside a rich dependency)."""
    wanted: set[str] = set()
    rich: set[str] = set()
    for package in packages:
        # The kinds whose file paths a package must find in another's files (not its own
        # Provides, nor Obsoletes, which name packages), read as attributes: `getattr` by
        # name, six calls a package, took a fifth of this pass.
        for deps in (
            package.requires,
            package.conflicts,
            package.recommends,
            package.suggests,
            package.supplements,
            package.enhances,
        ):
            for dep in deps:
                name = dep.name
                if "/" not in name:  # most requirements: one test, no call
                    continue
                if name.startswith("/"):
                    wanted.add(file_path(name))
                elif name.startswith("(") and name not in rich:
                    rich.add(name)
                    try:
                        node = parse(name)
                    except DependencySyntaxError:
                        continue
                    wanted.update(
                        file_path(text.split(" ", 1)[0]) for text in leaves_text(node) if text.startswith("/")
                    )
    return frozenset(wanted)
