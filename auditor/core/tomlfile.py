"""Read one of the user's TOML files (policy, project, waivers): any fault is a usage error."""

from __future__ import annotations

import tomllib
from typing import Any

from auditor.core.errors import PolicyError


def read_toml(path: str, what: str) -> dict[str, Any]:
    """The document at ``path``; ``what`` names the file in the error ("policy file")."""
    try:
        with open(path, "rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError:
        raise PolicyError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise PolicyError(f"{path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
