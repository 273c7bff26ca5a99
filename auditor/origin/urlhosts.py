"""A URL's host name as a fetcher looks it up (`normalise_host`), for `auditor.origin.urls`."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

_IGNORED = re.compile(
    "[\u00ad\u034f\u180b-\u180f\u200b-\u200d\u2060\u2064\ufe00-\ufe0f\ufeff"
    "\U0001bca0-\U0001bca3\U000e0100-\U000e01ef]"
)
"""What IDNA's UTS-46 mapping drops from a host name (soft hyphen, zero-width joiners,
variation selectors...): ``citrix.com`` with a soft hyphen inside is still ``citrix.com``."""
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
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
