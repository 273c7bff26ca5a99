"""XCP-ng's provenance table (``packages_provenance.csv``) as a provenance rule reads it."""

from __future__ import annotations

import csv
import io

from auditor.core.errors import PolicyError
from auditor.core.schema import shown
from auditor.core.tomlfile import read_text


def read_provenance_csv(path: str) -> dict[str, tuple[str, str]]:
    """``SRPM_name;added_by;import_reason;...`` rows, keyed by source package name.

    Each row that is not blank needs a source name and an ``added_by``, and names a package
    no other row does: a row the table cannot be read from is an error naming its line,
    never skipped (it may be the one that records an import from XenServer).
    """
    table: dict[str, tuple[str, str]] = {}
    first_line: dict[str, int] = {}
    text = read_text(path, "provenance table")  # a named pipe or a directory is refused, not waited on
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        header = next(reader, None)
        if header is None or [cell.strip() for cell in header[:2]] != ["SRPM_name", "added_by"]:
            raise PolicyError(f"{path}: not a provenance table (expected a 'SRPM_name;added_by;…' header)")
        for row in reader:
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            where = f"{path}: line {reader.line_num}"
            if len(cells) < 2 or not cells[0] or not cells[1]:
                raise PolicyError(f"{where}: expected 'SRPM_name;added_by;…' with both filled in")
            if cells[0] in table:
                first = first_line[cells[0]]
                raise PolicyError(
                    f"{where}: {shown(cells[0], plain=True)} is listed again (first on line {first})"
                )
            table[cells[0]] = (cells[1], cells[2] if len(cells) > 2 else "")
            first_line[cells[0]] = reader.line_num
    except csv.Error as exc:
        raise PolicyError(f"{path}: line {reader.line_num}: not a provenance table: {exc}") from None
    return table
