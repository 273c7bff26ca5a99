"""The baseline: findings accepted when the auditor was adopted, so only new ones block.

As detect-secrets' ``.secrets.baseline``: ``auditor baseline`` writes
``.auditor-baseline.json`` in the current directory (or ``--baseline FILE``), and later
runs there pick it up by themselves. The gate is a ratchet: new findings block, fixed
ones are reported as progress, and rewriting the baseline only ever drops entries unless
``--rewrite`` says it may grow.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

from auditor.core.errors import PolicyError
from auditor.core.tomlfile import read_config

BASELINE_FILE = ".auditor-baseline.json"
VERSION = 1


class BaselineEntry(TypedDict):
    """One accepted fact: its fingerprint, and what it was (for people reading the file)."""

    fingerprint: str
    kind: str
    """The fact's rule: a policy rule id, or ``status:<status>``."""
    package: str
    capability: str
    ends_at: NotRequired[str]
    """For a taint: the origin package its chain ended at, so that an entry that went away with
    that package is reported as gone, not fixed."""


@dataclass
class Baseline:
    entries: list[BaselineEntry] = field(default_factory=list)
    path: str | None = None

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(entry["fingerprint"] for entry in self.entries)

    def to_json(self) -> str:
        entries = sorted(
            self.entries, key=lambda e: (e["package"], e["kind"], e["capability"], e["fingerprint"])
        )
        document = {"version": VERSION, "tool": "auditor", "entries": entries}
        return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def load_baseline(path: str | None, *, required: bool = False) -> Baseline | None:
    """Read ``path``, or ``./.auditor-baseline.json`` when it exists and no path is given."""
    if path is None:
        if not os.path.lexists(BASELINE_FILE):  # whatever is there is read, or refused: never skipped
            return None
        path = BASELINE_FILE
    if not required and not os.path.lexists(path):
        return Baseline(path=path)
    text = read_config(path, "baseline file")  # a named pipe or a directory is refused, not waited on
    try:
        data: Any = json.loads(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: cannot read the baseline: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{path}: not a baseline (invalid JSON at line {exc.lineno})") from None
    if (
        not isinstance(data, dict)
        or data.get("tool") != "auditor"
        or not isinstance(data.get("entries"), list)
    ):
        raise PolicyError(f"{path}: not an auditor baseline")
    if data.get("version") != VERSION:
        raise PolicyError(
            f"{path}: baseline version {data.get('version')!r} is not supported (this reads {VERSION})"
        )
    entries = []
    for position, entry in enumerate(data["entries"]):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(key), str) for key in ("fingerprint", "kind", "package", "capability")
        ):
            raise PolicyError(f"{path}: entries[{position}] needs fingerprint, kind, package and capability")
        item = BaselineEntry(
            fingerprint=entry["fingerprint"],
            kind=entry["kind"],
            package=entry["package"],
            capability=entry["capability"],
        )
        if isinstance(entry.get("ends_at"), str):
            item["ends_at"] = entry["ends_at"]
        entries.append(item)
    return Baseline(entries, path)
