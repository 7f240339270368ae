"""Reading an uploaded file: its header and rows as text, or why it cannot be read. CSV in
UTF-8 (with or without BOM) or Windows-1252, separated by `;`, `,` or tabs; XLSX (its first
sheet). No database: only the columns the import knows, to find the header and separator."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from hexa.crm.errors import InvalidInput
from hexa.crm.services.imports.columns import ImportSpec, bad_file, spec_for

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 100
# An XLSX is a zip: a small file can unpack to gigabytes (and openpyxl keeps a workbook's
# shared strings in memory), so what it would unpack to is checked before it is opened.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# A title or a blank line may come above the header: it is searched among the first rows.
HEADER_SEARCH = 10
SEPARATORS = (";", ",", "\t")


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells)
    file_format: str
    # CSV: more cells than headers means a value with the separator in it and no quotes.
    strict_width: bool


def read_table(data: bytes, *, kind: str) -> Table:
    """The header and rows of a CSV or XLSX file, or InvalidInput on `file` saying what is
    wrong with it. The header is the first row that names a known column (a title may come
    above it); blank rows are left out, the others keep their spreadsheet number."""
    spec = spec_for(kind)
    if not data:
        raise bad_file(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise bad_file(
            _("The file is larger than %(size)d MB: split it.") % {"size": MAX_BYTES >> 20}
        )
    if data.startswith(b"PK\x03\x04"):
        records, file_format = _xlsx_records(data)
        strict = False
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise bad_file(
            _("This is an old Excel file (.xls): save it as .xlsx or as CSV and try again.")
        )
    else:
        text, encoding = _decode(data)
        separator = _separator(text, spec)
        records = _csv_records(text, separator)
        file_format = _("CSV, %(encoding)s, separated by %(separator)s") % {
            "encoding": encoding,
            "separator": {"\t": _("tabs")}.get(separator, f"“{separator}”"),
        }
        strict = True
    return _table(records, spec, file_format=file_format, strict_width=strict)


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of its encoding: UTF-8 (with or without BOM), else
    Windows-1252, what Excel in Spanish or English saves as "CSV" on Windows."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", _("UTF-8 with BOM"))]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252")]
    for codec, name in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # binary, or UTF-16 without its BOM
        return text, name
    raise bad_file(
        _(
            "This file is not text in UTF-8 or Windows-1252: save it from your spreadsheet as "
            "“CSV UTF-8” or as .xlsx and try again."
        )
    )


def _separator(text: str, spec: ImportSpec) -> str:
    """The separator that splits the header into the most known column names. csv.Sniffer
    alone guesses wrong on short files and on names with commas in them (`Pérez, S.L.`), but
    breaks ties (a header of one column)."""
    head = [line for line in text[:65_536].splitlines() if line.strip()][:HEADER_SEARCH]
    if not head:
        return ","

    def known(line: str, separator: str) -> int:
        cells = next(csv.reader([line], delimiter=separator), [])
        return sum(1 for cell in cells if spec.is_header(cell))

    scores = {sep: max(known(line, sep) for line in head) for sep in SEPARATORS}
    best = max(scores.values())
    tied = [sep for sep in SEPARATORS if scores[sep] == best]
    if len(tied) == 1:
        return tied[0]
    try:
        return csv.Sniffer().sniff("\n".join(head), delimiters="".join(tied)).delimiter
    except csv.Error:
        return max(tied, key=head[0].count)


def _csv_records(text: str, separator: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        yield from reader
    except csv.Error as error:
        raise bad_file(
            _("The file cannot be read as CSV near line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None


def _xlsx_records(data: bytes) -> tuple[Iterator[list[str]], str]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        unpacked = 0  # openpyxl says what is wrong below
    if unpacked > MAX_UNPACKED_BYTES:
        raise bad_file(_("This workbook is too large once unpacked: save it as CSV, or split it."))
    try:
        # read_only streams the sheet instead of building every cell in memory.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # The size the sheet claims can be far larger than its cells (one stray cell in
        # XFD200000): read the rows that are there, each as wide as its own cells.
        sheet.reset_dimensions()
    except Exception as error:  # any failure to parse an uploaded file is a bad file
        raise _not_a_workbook() from error

    def records() -> Iterator[list[str]]:
        try:
            for row in sheet.iter_rows(values_only=True):
                yield [_cell_text(value) for value in row]
        except Exception as error:  # a damaged sheet fails while it is read
            raise _not_a_workbook() from error
        finally:
            book.close()

    return records(), _("Excel workbook (.xlsx), sheet “%(sheet)s”") % {"sheet": sheet.title}


def _not_a_workbook() -> InvalidInput:
    return bad_file(
        _(
            "This file cannot be read as an Excel workbook (.xlsx): open it in a spreadsheet "
            "and save it again as .xlsx or CSV."
        )
    )


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text it shows: 1001 (stored as 1001.0) is "1001"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _too_many_rows() -> InvalidInput:
    return bad_file(
        _("The file has more than %(max)s rows: split it.")
        % {"max": number_format(MAX_ROWS, force_grouping=True)}
    )


def _table(
    records: Iterable[list[str]], spec: ImportSpec, *, file_format: str, strict_width: bool
) -> Table:
    filled: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(records, start=1):
        if number > 2 * (MAX_ROWS + HEADER_SEARCH):  # empty rows too: the reading must end
            raise _too_many_rows()
        if len(cells) > MAX_COLUMNS:
            if any(cell.strip() for cell in cells[MAX_COLUMNS:]):
                raise bad_file(
                    _("Row %(row)d has more than %(max)d columns: Hexa reads up to %(max)d.")
                    % {"row": number, "max": MAX_COLUMNS}
                )
            cells = cells[:MAX_COLUMNS]
        if any(cell.strip() for cell in cells):
            filled.append((number, cells))
            if len(filled) > MAX_ROWS + HEADER_SEARCH:
                raise _too_many_rows()
    if not filled:
        raise bad_file(_("The file is empty."))
    # The header: the first row naming a known column (a title may come above it); when
    # none does, the first row, so that the error can say which columns it has.
    at = next(
        (
            position
            for position, (_number, cells) in enumerate(filled[:HEADER_SEARCH])
            if any(spec.is_header(cell) for cell in cells)
        ),
        0,
    )
    rows = filled[at + 1 :]
    if len(rows) > MAX_ROWS:
        raise _too_many_rows()
    return Table(
        headers=[cell.strip() for cell in filled[at][1]],
        rows=rows,
        file_format=file_format,
        strict_width=strict_width,
    )
