"""Downloads of tables as CSV and XLSX, shared by the web pages and the API.

Both take rows one at a time, so an export of any size holds little in memory: the CSV is
streamed to the client as it is written (StreamingHttpResponse), the XLSX is written by
openpyxl's write-only workbook into a temporary file that is then sent (FileResponse) and
deleted when closed.

Two kinds of CSV (CsvStyle): for programs (the API), `,` between cells and a decimal point,
plain UTF-8, codes as stored; for people, who open it in a spreadsheet (the pages' downloads),
the conventions of their language, as a spreadsheet set to it expects them: in Spanish `;`
between cells and a decimal comma (Excel in Spanish splits cells on `;`, since `,` is its
decimal separator, and reads 1.50 as text), in English `,` and a decimal point; both start
with a byte order mark, so that accents show right. Dates are ISO (2026-11-29) in both:
every spreadsheet reads that as a date, whatever its language.

A cell that starts like a formula (`=`, `+`, `-`, `@`) would be run by a spreadsheet that
opens the file ("CSV injection"): in a CSV it gets a leading apostrophe, which spreadsheets
take as "this is text"; in an XLSX it is written as a text cell.

Every download is `Cache-Control: private, no-store` (`private_download`): it holds the
business's data, which no proxy, shared cache or browser cache should keep.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A streamed CSV goes out in pieces of about this many characters, not one per row: each
# piece is a write to the socket.
CSV_PIECE = 64 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets open a UTF-8 CSV as UTF-8 (and show "Peña" right) only if it starts with this.
BOM = "\ufeff"


@dataclass(frozen=True)
class CsvStyle:
    """How a CSV separates its cells and writes decimals, and whether it starts with a BOM."""

    delimiter: str = ","
    decimal: str = "."
    bom: bool = False

    @classmethod
    def for_spreadsheets(cls, decimal: str) -> CsvStyle:
        """For people, in a language whose decimal separator is `decimal`: where it is a
        comma, cells are separated by `;` (what spreadsheets in that language expect)."""
        return cls(delimiter=";" if decimal == "," else ",", decimal=decimal, bom=True)


# For programs: what the API answers and documents.
PROGRAMS = CsvStyle()


def private_download[R: HttpResponseBase](response: R) -> R:
    """Mark a download (a file, a calendar feed) as never to be stored by any cache."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def _csv_cell(value: Any, style: CsvStyle) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, Decimal | float) and style.decimal != ".":
        return str(value).replace(".", style.decimal)
    return value


def csv_pieces(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, style: CsvStyle = PROGRAMS
) -> Iterator[bytes]:
    """The CSV text of `header` and `rows`, UTF-8, in pieces of about CSV_PIECE characters."""
    buffer = io.StringIO()
    if style.bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=style.delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value, style) for value in row])
        if buffer.tell() >= CSV_PIECE:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def csv_response(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    style: CsvStyle = PROGRAMS,
) -> StreamingHttpResponse:
    """A CSV download, streamed: `rows` is read only as the client receives the file."""
    response = StreamingHttpResponse(csv_pieces(header, rows, style=style), content_type=CSV_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return private_download(response)


class XlsxSheet:
    """One sheet of a write-only workbook: a bold header row that stays in view, then rows."""

    def __init__(
        self, workbook: Workbook, title: str, header: Sequence[str], *, widths: Sequence[int] = ()
    ) -> None:
        self.sheet: WriteOnlyWorksheet = workbook.create_sheet(title=title[:31])
        # Widths and the frozen header must be set before the first row is written.
        for index, width in enumerate(widths):
            self.sheet.column_dimensions[get_column_letter(index + 1)].width = width
        self.sheet.freeze_panes = "A2"
        self.bold = Font(bold=True)
        self.append(header, bold=True)

    def append(self, row: Sequence[Any], *, bold: bool = False) -> None:
        self.sheet.append([self._cell(value, bold=bold) for value in row])

    def _cell(self, value: Any, *, bold: bool) -> Any:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XLSX cannot hold
        formula_like = isinstance(value, str) and value.startswith("=")
        if not bold and not formula_like:
            return value  # openpyxl makes the cell (dates get a yyyy-mm-dd format)
        cell = WriteOnlyCell(self.sheet, value)
        if formula_like:
            cell.data_type = "s"  # text, not a formula
        if bold:
            cell.font = self.bold
        return cell


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def xlsx_response(workbook: Workbook, *, filename: str) -> FileResponse:
    """Save `workbook` into a temporary file and answer it as a download; the file goes away
    when the response is closed."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(file)
    file.seek(0)
    return private_download(
        FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    )


def xlsx_table_response(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    widths: Sequence[int] = (),
) -> FileResponse:
    """A one-sheet XLSX download of `header` and `rows`."""
    workbook = new_workbook()
    sheet = XlsxSheet(workbook, title, header, widths=widths)
    for row in rows:
        sheet.append(row)
    return xlsx_response(workbook, filename=filename)
