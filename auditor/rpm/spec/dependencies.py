"""rpm's dependency fields (``Requires:``, ``BuildRequires:``...) as its spec parser splits them.

Grammar (``parseRCPOT`` in ``build/parseReqs.c``), over the shared `Tokenizer`::

    list   = { separator } [ entry { separator+ entry } ] { separator }
    entry  = group | NAME [ COMPARISON-TOKEN TOKEN ]
    group  = "(" … ")"        a rich dependency, kept whole for `auditor.rpm.deps`
    separator = whitespace | ","

The comparison must be a whole token: ``a >=1`` is two names, as rpm reads it.
"""

from __future__ import annotations

from auditor.rpm.model import EVR, Dependency
from auditor.rpm.tokenizer import Tokenizer


def parse_dependency_list(text: str, qualifiers: frozenset[str] = frozenset()) -> list[Dependency]:
    """Split a dependency field into its entries, as rpm's ``parseRCPOT`` does."""
    dependencies: list[Dependency] = []
    tokens = Tokenizer(text)
    while True:
        tokens.skip_space(commas=True)
        if tokens.at_end:
            return dependencies
        if tokens.peek() == "(":
            dependencies.append(Dependency(tokens.balanced(), qualifiers=qualifiers))
            continue
        name = tokens.token()
        after_name = tokens.position
        tokens.skip_space(commas=True)
        op = tokens.comparison_token()
        if op is None:
            tokens.position = after_name
            dependencies.append(Dependency(name, qualifiers=qualifiers))
            continue
        tokens.skip_space(commas=True)
        dependencies.append(Dependency(name, op, EVR.parse(tokens.token()), qualifiers))
