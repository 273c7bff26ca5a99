"""Typed reading of configuration files: one declared shape per file, one-line errors.

Each configuration file (project, policy, waiver, baseline) is declared once, as msgspec
`Struct` types beside its loader; `convert` checks a parsed document against that
declaration and turns the first fault into a `PolicyError` naming the file and the key:

    auditor.toml: audit.default-policy: expected a boolean (true or false), got the string "false"

Why msgspec, and not cattrs (both were tried on these files): ``msgspec.convert`` is strict
by default (the string ``"false"`` is not a boolean, ``1.5`` and ``true`` are not integers),
refuses unknown keys per Struct, maps fields to TOML's kebab-case keys in one declaration,
checks bounds, lengths and patterns (``Meta``), dispatches a tagged union on a rule's
``kind``, and names the path of the fault (``$.rule[3].severity``); it is one compiled wheel
without dependencies, and converts the shipped policy in 0.12 ms (after 1.7 ms building its
decoder once; tomllib takes 5.7 ms to parse it). cattrs
structures ``bool("false")`` to True unless every scalar type gets a strict hook, needs a
per-field override for each kebab-case key and ``forbid_extra_keys``, reports faults as
exception groups that need ``transform_error`` to become paths, and brings attrs with it.
What msgspec's message lacks (the offending value, the choices of an enum, the key of a
table entry, which it shows as ``[...]``) `explain` adds from the document and the declared
type.
"""

from __future__ import annotations

import datetime
import enum
import json
import re
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import msgspec

from auditor.core.errors import PolicyError

T = TypeVar("T")

MAX_NESTING = 16
"""Tables and arrays inside one another in a configuration file (and parts of a dotted TOML
key); the deepest real one (a component of a rule of an auditor.toml's [policy]) has 5."""

_DESCRIBED: dict[str, str] = {}


def described(pattern: str, description: str) -> str:
    """``pattern``, for ``Meta(pattern=…)``; an error calls a string that fails it ``description``."""
    _DESCRIBED[pattern] = description
    return pattern


_INVISIBLE = (
    r"\s\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    r"\u200b-\u200f\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0"
    r"\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
"""What no report shows: white space, control characters, Unicode's default-ignorable code
points (zero-width spaces and joiners, a soft hyphen, bidirectional marks, variation selectors,
the byte-order mark, Hangul fillers) and the blank Braille pattern."""
NonEmpty = typing.Annotated[str, msgspec.Meta(pattern=described(f"[^{_INVISIBLE}]", "a non-empty string"))]
"""A string with something a reader sees in it: a waiver's reason or owner of zero-width spaces
alone was taken, and every report showed it as nothing."""
FileName = typing.Annotated[
    str, msgspec.Meta(pattern=described(r"^[^\x00]+$", "a file name (not empty, no NUL)"))
]
"""A path in a configuration file, relative to that file."""


def _decode_hook(shape: type, value: Any) -> Any:
    # A value type of a configuration file (`auditor.core.expiry.Expiry`) reads itself.
    from_config = getattr(shape, "from_config", None)
    if from_config is not None:
        return from_config(value)
    raise TypeError(f"cannot read {shape.__name__}")  # a schema declared a type nothing reads


def check_nesting(data: object, file: str) -> None:
    """Refuse a document nested deeper than `MAX_NESTING` (walked without recursion)."""
    pending: list[tuple[object, int]] = [(data, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_NESTING:
                raise PolicyError(f"{file}: nested deeper than {MAX_NESTING} tables or arrays")
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def convert(data: object, shape: type[T], file: str, *, at: str = "", json_document: bool = False) -> T:
    """``data`` (a parsed document) as ``shape``, or a one-line `PolicyError`.

    ``at`` is where ``data`` sits in its file (``waiver[2]``) when it is not the whole file;
    ``json_document`` words the errors for JSON (object, null) instead of TOML (table).
    """
    check_nesting(data, file)
    try:
        return msgspec.convert(data, shape, strict=True, dec_hook=_decode_hook)
    except msgspec.ValidationError as exc:
        raise PolicyError(explain(str(exc), data, shape, file, at, json_document)) from None
    except UnicodeEncodeError:  # msgspec encodes a string it reads as another type (an entry, a key)
        raise PolicyError(
            f"{file}: {_joined(at, [])}holds a lone surrogate (a JSON \\ud800 escape), which names no "
            "character"
        ) from None


# --- turning msgspec's message into the auditor's ---------------------------------------

_AT = re.compile(r"^(?P<message>.*) - at `(?P<path>\$(?:\.[A-Za-z0-9_-]+|\[\d+\]|\[\.\.\.\])*)`$", re.DOTALL)
_SEGMENT = re.compile(r"\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[(\.\.\.)\]")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ANY_KEY = object()
"""A ``[...]`` in msgspec's path: the entry of a table whose key it does not say."""


def explain(message: str, data: object, shape: Any, file: str, at: str, json_document: bool) -> str:
    """``file: key.path: what is wrong``, from msgspec's ``message`` about ``data`` as ``shape``."""
    matched = _AT.match(message)
    segments: list[Any] = []
    if matched is not None:
        message = matched["message"]
        for name, index, _unnamed in _SEGMENT.findall(matched["path"]):
            segments.append(name or (int(index) if index else _ANY_KEY))
    node = _walk(data, shape, segments)
    if node is None:  # a path that does not lead anywhere in the document: say what msgspec says
        return f"{file}: {_joined(at, [])}{message[:1].lower()}{message[1:]}"
    keys, value, value_shape, parent = node
    what = _reason(message, value, value_shape, parent, json_document)
    if what.startswith("unknown key") and not keys and not at:
        what = "unknown top-level key" + what[len("unknown key") :]
    return f"{file}: {_joined(at, keys)}{what}"


def _reason(message: str, value: Any, shape: Any, parent: Any, json_document: bool) -> str:
    expected = re.fullmatch(r"Expected `([^`]+)`, got `[^`]+`", message)
    if expected is not None:
        choices = _choices(shape)
        wanted = f"one of {', '.join(choices)}" if choices else _kinds(expected[1], json_document)
        return f"expected {wanted}, got {shown(value, json_document)}"
    bounded = re.fullmatch(r"Expected `(\w+)` (.+)", message, re.DOTALL)
    if bounded is not None:
        return (
            f"expected {_bounded(bounded[1], bounded[2], json_document)}, got {shown(value, json_document)}"
        )
    if message.startswith("Object contains unknown field"):
        known = _keys(shape, value)
        unknown = next((key for key in value if key not in known), "?") if isinstance(value, dict) else "?"
        return f"unknown key {_quoted(unknown)} (known: {', '.join(sorted(known))})"
    missing = re.fullmatch(r"Object missing required field `([^`]+)`", message)
    if missing is not None:
        required = [*_tag_fields(shape, value), *(f.encode_name for f in _fields(shape, value) if f.required)]
        return f"missing {_quoted(missing[1])} (required: {', '.join(required)})"
    if message.startswith(("Invalid enum value", "Invalid value")):
        choices = _choices(shape) or _tags(parent)
        return f"{shown(value, json_document, plain=True)} is not one of {', '.join(choices)}"
    return message[:1].lower() + message[1:]


def _joined(at: str, keys: list[str | int]) -> str:
    path = at
    for key in keys:
        if isinstance(key, int):
            path += f"[{key}]"
        else:
            name = key if _BARE_KEY.match(key) else json.dumps(_cut(key))
            path += f".{name}" if path else name
    return f"{path}: " if path else ""


# --- walking the document and its declared type together --------------------------------


def _walk(data: Any, shape: Any, segments: list[Any]) -> tuple[list[str | int], Any, Any, Any] | None:
    """The keys, value, declared type and parent type at msgspec's path (``[...]`` resolved)."""
    keys: list[str | int] = []
    parent: Any = None
    for segment in segments:
        if segment is _ANY_KEY:
            if not isinstance(data, dict):
                return None
            entry_shape = _child(shape, _ANY_KEY, data)
            segment = next((key for key, item in data.items() if not _fits(item, entry_shape)), None)
            if segment is None:
                return None
        listed = isinstance(segment, int) and isinstance(data, list) and segment < len(data)
        if not (listed or (isinstance(data, dict) and segment in data)):
            return None
        parent, shape, data = shape, _child(shape, segment, data), data[segment]
        keys.append(segment)
    return keys, data, shape, parent


def _fits(value: Any, shape: Any) -> bool:
    try:
        msgspec.convert(value, shape, strict=True, dec_hook=_decode_hook)
    except (msgspec.ValidationError, TypeError):
        return False
    return True


def _members(shape: Any) -> Iterator[Any]:
    """The types a value of ``shape`` may have: the members of a union, without Annotated."""
    while typing.get_origin(shape) is typing.Annotated:
        shape = typing.get_args(shape)[0]
    if typing.get_origin(shape) in (typing.Union, types.UnionType):
        for member in typing.get_args(shape):
            yield from _members(member)
    elif shape is not type(None):
        yield shape


def _structs(shape: Any, value: Any) -> list[Any]:
    """The Struct types ``shape`` allows for ``value``: for a tagged union, the one its tag names."""
    found = [
        member
        for member in _members(shape)
        if isinstance(member, type) and issubclass(member, msgspec.Struct)
    ]
    tagged = [member for member in found if member.__struct_config__.tag_field is not None]
    if tagged and isinstance(value, dict):
        chosen = [m for m in tagged if value.get(m.__struct_config__.tag_field) == m.__struct_config__.tag]
        return chosen or found[:1]
    return found


def _fields(shape: Any, value: Any) -> tuple[msgspec.structs.FieldInfo, ...]:
    structs = _structs(shape, value)
    return msgspec.structs.fields(structs[0]) if structs else ()


def _tag_fields(shape: Any, value: Any) -> list[str]:
    """The key naming which Struct of a tagged union a table is (a rule's ``kind``)."""
    structs = _structs(shape, value)[:1]
    return [s.__struct_config__.tag_field for s in structs if s.__struct_config__.tag_field is not None]


def _keys(shape: Any, value: Any) -> set[str]:
    return {field.encode_name for field in _fields(shape, value)} | set(_tag_fields(shape, value))


def _child(shape: Any, segment: Any, value: Any) -> Any:
    for member in _members(shape):
        origin = typing.get_origin(member) or member
        arguments = typing.get_args(member)
        if isinstance(segment, int) and origin in (list, tuple, set, frozenset) and arguments:
            return arguments[0]
        if segment is _ANY_KEY and origin is dict and len(arguments) == 2:
            return arguments[1]
        if isinstance(segment, str) and origin is dict and len(arguments) == 2:
            return arguments[1]
    if isinstance(segment, str):
        for field in _fields(shape, value):
            if field.encode_name == segment:
                return field.type
    return Any


def _choices(shape: Any) -> list[str]:
    found: list[str] = []
    for member in _members(shape):
        if typing.get_origin(member) is typing.Literal:
            found.extend(str(choice) for choice in typing.get_args(member))
        elif isinstance(member, type) and issubclass(member, enum.Enum):
            found.extend(str(item.value) for item in member)
    return found


def _tags(shape: Any) -> list[str]:
    return sorted(
        str(struct.__struct_config__.tag) for struct in _structs(shape, None) if struct.__struct_config__.tag
    )


# --- words ------------------------------------------------------------------------------

_KIND_WORDS = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean (true or false)",
    "array": "an array",
    "date": "a date",
    "datetime": "a date-time",
    "time": "a time",
}


def _kinds(text: str, json_document: bool) -> str:
    words = []
    for name in text.split(" | "):
        if name == "null":
            if json_document:
                words.append("null")
        elif name == "object":
            words.append("an object" if json_document else "a table")
        else:
            words.append(_KIND_WORDS.get(name, name))
    return " or ".join(words)


def _bounded(kind: str, condition: str, json_document: bool) -> str:
    regex = re.fullmatch(r"matching regex '(.*)'", condition, re.DOTALL)
    if regex is not None:
        pattern = regex[1].replace("\\\\", "\\")
        return _DESCRIBED.get(pattern, f"a string matching {pattern}")
    if condition == "of length >= 1":
        return f"a non-empty {_kinds(kind, json_document).split(' ', 1)[1]}"
    return f"{_kinds(kind, json_document)} {condition}"


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quoted(key: str) -> str:
    return repr(_cut(key))


def shown(value: Any, json_document: bool = False, *, plain: bool = False) -> str:
    """A value as an error shows it: ``the string "false"``, or just ``"false"`` when ``plain``."""
    phrase: Callable[[str, str], str] = (
        (lambda _kind, text: text) if plain else (lambda kind, text: f"{kind} {text}")
    )
    if isinstance(value, str):
        return phrase("the string", json.dumps(_cut(value), ensure_ascii=False))
    if isinstance(value, bool):
        return phrase("the boolean", str(value).lower())
    if isinstance(value, int):
        if value.bit_length() > 64:  # printing it would not help, and past 4300 digits raises
            return f"an integer of {value.bit_length()} bits"
        return phrase("the integer", str(value))
    if isinstance(value, float):
        return phrase("the number", repr(value))
    if isinstance(value, datetime.datetime):
        return phrase("the date-time", value.isoformat())
    if isinstance(value, datetime.date):
        return phrase("the date", value.isoformat())
    if isinstance(value, datetime.time):
        return phrase("the time", value.isoformat())
    if isinstance(value, list):
        return "an array" if value else "an empty array"
    if isinstance(value, dict):
        noun = "an object" if json_document else "a table"
        return noun if value else f"an empty {noun.split()[1]}"
    if value is None:
        return "null"
    return type(value).__name__
