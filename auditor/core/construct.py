"""Frozen dataclasses made without their ``__init__``, where a distribution makes one per package.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (its own
``__setattr__`` refuses): a `auditor.audit.facts.Fact`'s fifteen fields took 3.4 us, set
through their slots' descriptors 1.5 us, and a distribution has ninety thousand facts, as many
rulings and rows. This is the one place the project makes objects another way than their class
does; tests/reports/test_direct_construction.py holds each use to the class's own objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def direct_constructor(
    cls: Callable[P, T], name: str | None = None, module: str | None = None
) -> Callable[P, T]:
    """A constructor of ``cls``, a frozen dataclass with slots, that sets each slot directly:
    the same object as ``cls(...)`` makes, with the same fields and defaults, still frozen.
    Only for a class without ``__post_init__`` or default factories (asserted). ``name`` and
    ``module``: what it is called where it is assigned, for pickle to find it by name there
    (a class's ``__reduce__`` may name it)."""
    assert isinstance(cls, type) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert "__slots__" in cls.__dict__ and not hasattr(cls, "__post_init__")
    namespace: dict[str, object] = {"_new": object.__new__, "_cls": cls}
    parameters, body = [], []
    for number, item in enumerate(fields(cls)):
        assert item.default_factory is MISSING and not item.name.startswith("_")
        namespace[f"_set{number}"] = cls.__dict__[item.name].__set__
        if item.default is MISSING:
            parameters.append(item.name)
        else:
            namespace[f"_default{number}"] = item.default
            parameters.append(f"{item.name}=_default{number}")
        body.append(f"    _set{number}(_made, {item.name})\n")
    source = f"def make({', '.join(parameters)}):\n    _made = _new(_cls)\n{''.join(body)}    return _made\n"
    exec(source, namespace)  # as `dataclasses` makes ``__init__``
    made = namespace["make"]
    made.__qualname__ = made.__name__ = name or f"{cls.__qualname__}.direct"  # type: ignore[attr-defined]
    made.__module__ = module or cls.__module__
    return made  # type: ignore[return-value]
