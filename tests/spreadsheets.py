"""Files to import, made by the tests themselves: CSV in any encoding and separator, XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

Rows = Sequence[Sequence[object]]


def csv_bytes(
    rows: Rows, *, separator: str = ";", encoding: str = "utf-8", bom: bool = False
) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=separator, lineterminator="\r\n").writerows(rows)
    data = text.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: Rows, *, title: str = "Clientes") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def many_clients(count: int, *, start: int = 1) -> list[list[str]]:
    """A header and `count` good rows of new clients, C00001..."""
    rows: list[list[str]] = [["Código", "Nombre", "NIF", "Email", "Teléfono", "Notas"]]
    for number in range(start, start + count):
        rows.append(
            [
                f"C{number:05d}",
                f"Cliente número {number}, S.L.",
                f"B{number:08d}",
                f"cliente{number}@ejemplo.es",
                f"9{number:08d}",
                "Importado",
            ]
        )
    return rows
