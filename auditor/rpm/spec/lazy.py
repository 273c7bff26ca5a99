"""The macro expander as `auditor.rpm.spec.expression.evaluate_lazy` sees it: a ``%[...]``
token is expanded only when its branch is taken, and counts only when exact. Apart from
`auditor.rpm.spec.macros` so that module stays under 400 lines."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from auditor.rpm.spec.table import Expansion


class _Expander(Protocol):
    """What of `auditor.rpm.spec.macros.MacroContext` a `LazyExpander` reads."""

    def _expand_aside(self, text: str, result: Expansion, depth: int) -> tuple[str, Expansion]: ...

    def uncertain(self) -> AbstractContextManager[None]: ...


class LazyExpander:
    """The expander as `evaluate_lazy` sees it: a token's expansion counts only when exact."""

    def __init__(self, context: _Expander, result: Expansion, depth: int) -> None:
        self._context = context
        self._result = result
        self._depth = depth

    def expand_exact(self, text: str) -> str | None:
        expanded, scratch = self._context._expand_aside(text, self._result, self._depth + 1)
        return expanded if scratch.exact else None

    def uncertain(self) -> AbstractContextManager[None]:
        return self._context.uncertain()
