"""A URL's host name as a fetcher looks it up (`normalise_host`), for `auditor.origin.urls`."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from auditor.rpm.scriptlets import HOST_FULL_STOPS, HOST_IGNORED

_IGNORED = re.compile(f"[{HOST_IGNORED}]")
"""What IDNA's UTS-46 mapping drops from a host name (soft hyphen, zero-width joiners,
variation selectors...): ``citrix.com`` with a soft hyphen inside is still ``citrix.com``."""
_DOTS = str.maketrans(dict.fromkeys(HOST_FULL_STOPS, "."))
"""The full stops UTS-46 maps to a dot (ideographic, fullwidth, halfwidth ideographic)."""


def normalise_host(text: str) -> str:
    """A host name as a fetcher looks it up: percent-decoded, mapped as IDNA's UTS-46 does
    (compatibility forms such as fullwidth letters folded, case folded, the ideographic
    full stops read as dots, ignored characters dropped), without a trailing dot."""
    return fold(unquote(text)).rstrip(".")


def fold(text: str) -> str:
    """``text`` mapped as IDNA's UTS-46 maps a host name, but for percent escapes and a trailing dot."""
    if text.isascii():
        return text.lower()
    # NFKC on both sides of the case fold, as UTS-46's NFKC_Casefold: a fold can undo NFKC.
    folded = unicodedata.normalize("NFKC", _IGNORED.sub("", text)).casefold()
    return unicodedata.normalize("NFKC", folded).translate(_DOTS)
