"""rpm's dependency fields (``Requires:``, ``BuildRequires:``...) as its spec parser splits them."""

from __future__ import annotations

from auditor.rpm.model import EVR, Dependency, Op

_OPERATORS = ("<=", ">=", "=<", "=>", "==", "<", ">", "=")


def parse_dependency_list(text: str, qualifiers: frozenset[str] = frozenset()) -> list[Dependency]:
    """Split a dependency field as rpm's ``parseRCPOT`` does.

    Entries are separated by whitespace or commas; an entry is a name, optionally
    followed by an operator and an EVR, or a parenthesised rich dependency kept whole.
    """
    dependencies: list[Dependency] = []
    i = 0
    length = len(text)

    def skip_white(position: int) -> int:
        while position < length and (text[position].isspace() or text[position] == ","):
            position += 1
        return position

    def token_end(position: int) -> int:
        while position < length and not (text[position].isspace() or text[position] == ","):
            position += 1
        return position

    while True:
        i = skip_white(i)
        if i >= length:
            break
        if text[i] == "(":
            depth = 0
            j = i
            while j < length:
                if text[j] == "(":
                    depth += 1
                elif text[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            dependencies.append(Dependency(text[i : j + 1], qualifiers=qualifiers))
            i = j + 1
            continue
        end = token_end(i)
        name = text[i:end]
        after = skip_white(end)
        op_end = token_end(after)
        symbol = text[after:op_end]
        if symbol in _OPERATORS:
            evr_start = skip_white(op_end)
            evr_end = token_end(evr_start)
            evr = text[evr_start:evr_end]
            dependencies.append(Dependency(name, Op.from_symbol(symbol), EVR.parse(evr), qualifiers))
            i = evr_end
        else:
            dependencies.append(Dependency(name, qualifiers=qualifiers))
            i = end
    return dependencies
