"""Read one of the user's TOML files (policy, project, waivers): any fault is a usage error."""

from __future__ import annotations

import tomllib
from typing import Any

from auditor.core.errors import InputError, PolicyError
from auditor.core.files import read_regular

MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""A policy, project, waiver or baseline file larger than this is not one (the shipped policy is 20 KiB)."""


def read_config(path: str, what: str) -> bytes:
    """The bytes of a configuration file, read without blocking: a named pipe, a device or a
    directory is a `PolicyError` naming it, as is a missing or unreadable file."""
    try:
        return read_regular(path, path, f"a {what}", MAX_CONFIG_BYTES)
    except InputError as exc:
        if exc.reason == "no such file or directory":
            raise PolicyError(f"{path}: no such {what}") from None
        raise PolicyError(str(exc)) from None


def read_toml(path: str, what: str) -> dict[str, Any]:
    """The document at ``path``; ``what`` names the file in the error ("policy file")."""
    data = read_config(path, what)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
