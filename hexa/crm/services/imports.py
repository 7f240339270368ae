"""Importing clients and employees from CSV or XLSX files.

The same steps serve the web pages and `hexa import`:

1. `read_table`: the file's header and rows as text. CSV in UTF-8 (with or without BOM) or
   Windows-1252, separated by `;`, `,` or tabs; XLSX (its first sheet).
2. `map_columns`: which column fills which field, by header names in Spanish or English
   (case, accents, spaces and punctuation ignored).
3. `plan_import`: for each row, create, update, unchanged or wrong and why, by the rules of
   `records` (`new_client`, `change_client`, ...) and the uniqueness of codes, tax ids and
   login users across the file and the database. It writes nothing; `save_plan` keeps the
   plan as an ImportJob with one ImportRow per row, so that it can be paged and confirmed.
4. `confirm_import`, then `apply_next_chunk` until the job is done: each call applies the next
   rows of the plan in one transaction, checking each row again against the data as it is
   then (it may have changed since the preview).

Rows find their client by code or tax id, their employee by code. An empty cell leaves the
current value as it is: a file of codes and emails changes only emails.
"""

from __future__ import annotations

import codecs
import copy
import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hexa.crm.errors import Conflict, Forbidden, InvalidInput, NotFound
from hexa.crm.models import (
    CLIENT_CODE_MAX,
    Client,
    Employee,
    ImportAction,
    ImportJob,
    ImportKind,
    ImportRow,
    ImportStatus,
    Via,
)
from hexa.crm.services.common import normalize_code
from hexa.crm.services.permissions import Actor, is_manager, require_manager
from hexa.crm.services.records import (
    change_client,
    change_employee,
    new_client,
    new_employee,
    normalize_tax_id,
)

# Rows applied per transaction: a chunk holds its locks for a fraction of a second, and the
# page's progress bar moves every chunk.
CHUNK_ROWS = 250
MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 100
# An XLSX is a zip: a small file can unpack to gigabytes (and openpyxl keeps a workbook's
# shared strings in memory), so what it would unpack to is checked before it is opened.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Plans and their rows are kept this long, then forgotten when a new file is uploaded.
KEEP_DAYS = 30
# Values per `IN (...)` and rows per INSERT: well below SQLite's and PostgreSQL's limits on
# parameters, and the number of queries grows with the rows divided by this, not with rows.
BATCH = 900
# A title or a blank line may come above the header: it is searched among the first rows.
HEADER_SEARCH = 10
SEPARATORS = (";", ",", "\t")


# --- Columns ------------------------------------------------------------------------------------


def normalize_header(text: str) -> str:
    """`Teléfono`, ` TELEFONO ` and `Tele-fono` are one header: no case, accents, spaces or
    punctuation."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if ch.isalnum()).lower()


@dataclass(frozen=True)
class Column:
    field: str
    label: Promise | str
    headers: tuple[str, ...]  # accepted header names, as people write them


@dataclass(frozen=True)
class ImportSpec:
    kind: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...]  # fields that find an existing record: the file needs one of them

    def __post_init__(self) -> None:
        names: dict[str, str] = {}
        for column in self.columns:
            for header in column.headers:
                clash = names.setdefault(normalize_header(header), column.field)
                assert clash == column.field, f"{header} is both {clash} and {column.field}"
        object.__setattr__(self, "_names", names)

    def field_of(self, header: str) -> str:
        """The field a header names, or ""."""
        return self._names.get(normalize_header(header), "")  # type: ignore[attr-defined]

    def label(self, field_name: str) -> str:
        for column in self.columns:
            if column.field == field_name:
                return str(column.label)
        return ""

    def is_header(self, text: str) -> bool:
        return bool(self.field_of(text))


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split("|"))


_CODE = "código | code | referencia | reference | cód. | ref."
_EMAIL = "email | e-mail | correo | correo electrónico | mail | email address"
_ACTIVE = "activo | active | activa"

CLIENTS = ImportSpec(
    kind=ImportKind.CLIENTS,
    columns=(
        Column(
            "code",
            gettext_lazy("Code"),
            _names(f"{_CODE} | código de cliente | código cliente | client code | customer code"),
        ),
        Column(
            "name",
            gettext_lazy("Name"),
            _names(
                "nombre | name | razón social | company name | nombre fiscal | denominación | "
                "empresa | company | nombre del cliente | nombre cliente | client name | "
                "customer name"
            ),
        ),
        Column(
            "tax_id",
            gettext_lazy("Tax id"),
            _names(
                "NIF | CIF | tax id | VAT number | NIF/CIF | CIF/NIF | NIE | DNI | DNI/NIF | "
                "NIF/DNI | NIF-IVA | identificación fiscal | tax number | tax code | VAT | VAT id"
            ),
        ),
        Column("email", gettext_lazy("Email"), _names(_EMAIL)),
        Column(
            "phone",
            gettext_lazy("Phone"),
            _names(
                "teléfono | phone | móvil | mobile | tel. | tlf. | tfno. | teléfono móvil | "
                "phone number | telephone"
            ),
        ),
        Column(
            "notes",
            gettext_lazy("Notes"),
            _names("notas | notes | observaciones | comments | nota | note | comentarios"),
        ),
        Column("active", gettext_lazy("Active"), _names(_ACTIVE)),
    ),
    keys=("code", "tax_id"),
)

EMPLOYEES = ImportSpec(
    kind=ImportKind.EMPLOYEES,
    columns=(
        Column(
            "code",
            gettext_lazy("Code"),
            _names(f"{_CODE} | código de empleado | código empleado | employee code"),
        ),
        Column(
            "name",
            gettext_lazy("Name"),
            _names("nombre | name | nombre completo | full name | nombre y apellidos"),
        ),
        Column("email", gettext_lazy("Email"), _names(_EMAIL)),
        Column(
            "user",
            gettext_lazy("Login user"),
            _names("usuario | user | username | login | nombre de usuario | user name"),
        ),
        Column("active", gettext_lazy("Active"), _names(_ACTIVE)),
    ),
    keys=("code",),
)

SPECS = {spec.kind: spec for spec in (CLIENTS, EMPLOYEES)}


def spec_for(kind: str) -> ImportSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise NotFound(_("There is no import of %(kind)s.") % {"kind": kind}) from None


def _bad_file(message: str) -> InvalidInput:
    return InvalidInput.on("file", message)


# --- Reading ------------------------------------------------------------------------------------


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
        raise _bad_file(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _bad_file(
            _("The file is larger than %(size)d MB: split it.") % {"size": MAX_BYTES >> 20}
        )
    if data.startswith(b"PK\x03\x04"):
        records, file_format = _xlsx_records(data)
        strict = False
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _bad_file(
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
    raise _bad_file(
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
        raise _bad_file(
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
        raise _bad_file(_("This workbook is too large once unpacked: save it as CSV, or split it."))
    try:
        # read_only streams the sheet instead of building every cell in memory.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # The size the sheet claims can be far larger than its cells (one stray cell in
        # XFD200000): read the rows that are there, each as wide as its own cells.
        sheet.reset_dimensions()
    except Exception as error:  # any failure to parse an uploaded file is a bad file
        raise _bad_file(
            _(
                "This file cannot be read as an Excel workbook (.xlsx): open it in a "
                "spreadsheet and save it again as .xlsx or CSV."
            )
        ) from error

    def records() -> Iterator[list[str]]:
        try:
            for row in sheet.iter_rows(values_only=True):
                yield [_cell_text(value) for value in row]
        except Exception as error:  # a damaged sheet fails while it is read
            raise _bad_file(
                _(
                    "This file cannot be read as an Excel workbook (.xlsx): open it in a "
                    "spreadsheet and save it again as .xlsx or CSV."
                )
            ) from error
        finally:
            book.close()

    return records(), _("Excel workbook (.xlsx), sheet “%(sheet)s”") % {"sheet": sheet.title}


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
    return _bad_file(
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
                raise _bad_file(
                    _("Row %(row)d has more than %(max)d columns: Hexa reads up to %(max)d.")
                    % {"row": number, "max": MAX_COLUMNS}
                )
            cells = cells[:MAX_COLUMNS]
        if any(cell.strip() for cell in cells):
            filled.append((number, cells))
            if len(filled) > MAX_ROWS + HEADER_SEARCH:
                raise _too_many_rows()
    if not filled:
        raise _bad_file(_("The file is empty."))
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


@dataclass(frozen=True)
class Columns:
    headers: list[tuple[str, str]]  # (header as in the file, the field it fills or "")
    index: dict[str, int]  # field -> position of its column

    @property
    def ignored(self) -> list[str]:
        return [header for header, field_name in self.headers if header and not field_name]


def map_columns(headers: Sequence[str], *, kind: str) -> Columns:
    """Which column fills which field. InvalidInput on `file` when two columns fill the same
    field, or when no column can find the records (no code, nor tax id for clients)."""
    spec = spec_for(kind)
    found: dict[str, list[str]] = defaultdict(list)
    pairs = []
    index = {}
    for position, header in enumerate(headers):
        field_name = spec.field_of(header)
        pairs.append((header, field_name))
        if field_name:
            found[field_name].append(header)
            index.setdefault(field_name, position)
    for field_name, names in found.items():
        if len(names) > 1:
            raise _bad_file(
                _("The columns %(columns)s are all the same field (%(field)s): keep one of them.")
                % {
                    "columns": ", ".join(f"“{name}”" for name in names),
                    "field": spec.label(field_name),
                }
            )
    if not any(key in index for key in spec.keys):
        accepted = ", ".join(
            f"“{header}”"
            for column in spec.columns
            if column.field in spec.keys
            for header in column.headers[:3]
        )
        message = (
            _("The file has no column for the code or the tax id, which find the clients.")
            if spec is CLIENTS
            else _("The file has no column for the code, which finds the employees.")
        )
        raise _bad_file(
            message
            + " "
            + _("Columns found: %(found)s. Accepted, for instance: %(accepted)s.")
            % {"found": ", ".join(f"“{h}”" for h in headers if h) or "—", "accepted": accepted}
        )
    return Columns(headers=pairs, index=index)


# --- Planning -----------------------------------------------------------------------------------


@dataclass
class RowPlan:
    """What importing one row would do. `record` is the new or changed object to write
    (in memory only); `keys` are what identify the row within the file."""

    number: int
    values: dict[str, str]
    code: str = ""
    name: str = ""
    record_id: int | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    reasons: list[list[str]] = field(default_factory=list)  # [field or "", message]
    keys: list[tuple[str, str]] = field(default_factory=list)
    record: models.Model | None = None
    changed: list[str] = field(default_factory=list)
    would: str = ImportAction.UNCHANGED

    @property
    def action(self) -> str:
        return ImportAction.ERROR if self.reasons else self.would

    def refuse(self, field_name: str, message: str) -> None:
        self.reasons.append([field_name, str(message)])

    def refuse_all(self, error: InvalidInput) -> None:
        for field_name, messages in error.fields.items():
            for message in messages:
                self.refuse(field_name, message)


def _batches(values: Iterable[str]) -> Iterator[list[str]]:
    values = sorted(values)
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


def _findable(values: Iterable[str], max_length: int) -> set[str]:
    """Values some record could hold: not empty, not too long, no NUL (which PostgreSQL
    refuses in a query)."""
    return {value for value in values if value and len(value) <= max_length and "\x00" not in value}


def _yes_no(plan: RowPlan) -> bool | None:
    """The `active` cell: yes/no in Spanish or English (or 1/0, true/false); None if empty."""
    text = normalize_header(plan.values.get("active", ""))
    if not text:
        return None
    if text in {"si", "s", "yes", "y", "true", "verdadero", "1", "x", "activo", "activa", "active"}:
        return True
    if text in {"no", "n", "false", "falso", "0", "inactivo", "inactiva", "inactive", "archivado"}:
        return False
    plan.refuse("active", _("Write yes or no (sí/no)."))
    return None


def _rows_text(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(number) for number in numbers[:5]) + (", …" if len(numbers) > 5 else "")
    return ngettext("row %(rows)s", "rows %(rows)s", len(numbers)) % {"rows": shown}


class _Importer:
    """Plans rows of one kind against the database and writes planned rows."""

    spec: ClassVar[ImportSpec]
    model: ClassVar[type[models.Model]]
    changeable: ClassVar[tuple[str, ...]]  # fields an update takes from non-empty cells
    change: ClassVar[Callable[..., list[str]]]  # the domain's checks of a change, never saving

    def plan_rows(
        self, rows: Sequence[tuple[int, dict[str, str]]], *, lock: bool = False
    ) -> list[RowPlan]:
        """Plan each row against the records as they are (locked with `lock`, inside a
        transaction). Queries: a few per BATCH rows, whatever the number of rows."""
        plans = [RowPlan(number, values) for number, values in rows]
        known = self.known(plans, lock=lock)
        for plan in plans:
            self.plan_row(plan, known)
            if plan.reasons:
                plan.record = None
        return plans

    def known(self, plans: list[RowPlan], *, lock: bool) -> Any:
        raise NotImplementedError

    def plan_row(self, plan: RowPlan, known: Any) -> None:
        raise NotImplementedError

    def write(self, plans: list[RowPlan]) -> None:
        """Insert the new records and save the changed ones, a statement per batch."""
        new = [plan.record for plan in plans if plan.action == ImportAction.CREATE]
        self.model.objects.bulk_create(new, batch_size=BATCH)
        # One UPDATE per set of changed fields (a file usually changes the same columns in
        # every row): it writes only what changed, and its CASE has no cell to spare.
        changed: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
        for plan in plans:
            if plan.action == ImportAction.UPDATE and plan.record is not None:
                changed[tuple(sorted(plan.changed))].append(plan.record)
        for fields, records in changed.items():
            self.model.objects.bulk_update(records, fields, batch_size=BATCH)

    def _plan_change(self, plan: RowPlan, record: Any, **fixed: Any) -> None:
        """An update: the row's non-empty changeable cells, and the `fixed` values that are not
        None, put on a copy of `record` by the domain's checks; the plan keeps the copy and what
        differs, or is wrong with the domain's reasons."""
        plan.would = ImportAction.UPDATE
        plan.code, plan.record_id = record.code, record.pk
        changes: dict[str, Any] = {
            name: value
            for name, value in plan.values.items()
            if name in self.changeable and value.strip()
        }
        changes.update((name, value) for name, value in fixed.items() if value is not None)
        changed = copy.copy(record)
        try:
            plan.changed = type(self).change(changed, **changes)
        except InvalidInput as error:
            plan.refuse_all(error)
            return
        plan.name, plan.record = changed.name, changed
        plan.changes = self._changes(record, changed, plan.changed)
        if not plan.changed:
            plan.would = ImportAction.UNCHANGED

    def _base(self, lock: bool) -> models.QuerySet:
        objects = self.model.objects.all()
        # of=self: PostgreSQL cannot lock the empty side of an outer join (employees' users).
        return objects.select_for_update(of=("self",)) if lock else objects

    @staticmethod
    def _changes(before: models.Model, after: models.Model, changed: list[str]) -> dict:
        def shown(value: Any) -> Any:
            return value.get_username() if isinstance(value, AbstractBaseUser) else value

        return {
            name: [shown(getattr(before, name)), shown(getattr(after, name))] for name in changed
        }

    @staticmethod
    def _new_values(record: models.Model, names: Iterable[str]) -> dict:
        """What a new record will have, for the preview: the non-empty fields of `names`."""
        shown = {}
        for name in names:
            value = getattr(record, name)
            if isinstance(value, AbstractBaseUser):
                value = value.get_username()
            if value not in ("", None, True):
                shown[name] = [None, value]
        return shown


@dataclass
class _KnownClients:
    by_code: dict[str, Client]
    by_tax_id: dict[str, Client]


class _ClientImporter(_Importer):
    spec = CLIENTS
    model = Client
    changeable = ("name", "tax_id", "email", "phone", "notes")
    change = staticmethod(change_client)

    def known(self, plans: list[RowPlan], *, lock: bool) -> _KnownClients:
        codes = _findable(
            (normalize_code(plan.values.get("code", "")) for plan in plans), CLIENT_CODE_MAX
        )
        tax_ids = _findable(
            (normalize_tax_id(plan.values.get("tax_id", "")) for plan in plans),
            Client._meta.get_field("tax_id").max_length or 20,
        )
        base = self._base(lock)
        by_code = {
            client.code: client
            for batch in _batches(codes)
            for client in base.filter(code__in=batch)
        }
        by_tax_id = {
            client.tax_id: client
            for batch in _batches(tax_ids)
            for client in base.filter(tax_id__in=batch)
        }
        return _KnownClients(by_code, by_tax_id)

    def plan_row(self, plan: RowPlan, known: _KnownClients) -> None:
        values = plan.values
        code = normalize_code(values.get("code", ""))
        tax_id = normalize_tax_id(values.get("tax_id", ""))
        plan.code, plan.name = code, values.get("name", "").strip()
        if values.get("tax_id", "").strip() and not tax_id:
            # "-" or "n/a" is not a tax id, and must not clear the client's.
            plan.refuse(
                "tax_id", _("“%(value)s” is not a tax id.") % {"value": values["tax_id"].strip()}
            )
            return
        plan.keys = [("code", code)] if code else []
        if tax_id:
            plan.keys.append(("tax_id", tax_id))
        active = _yes_no(plan)
        by_code = known.by_code.get(code) if code else None
        by_tax_id = known.by_tax_id.get(tax_id) if tax_id else None
        if by_tax_id is not None and (code or by_code) and by_tax_id != by_code:
            plan.refuse(
                "tax_id",
                _("%(tax_id)s is client %(client)s's.")
                % {"tax_id": tax_id, "client": by_tax_id.code},
            )
            return
        client = by_code or by_tax_id
        if client is None:
            self._plan_new(plan, code=code, tax_id=tax_id, active=active)
        else:
            # Two rows that find this client (one by code, one by tax id) are both wrong.
            plan.keys.append(("record", client.code))
            self._plan_change(plan, client, active=active)

    def _plan_new(self, plan: RowPlan, *, code: str, tax_id: str, active: bool | None) -> None:
        plan.would = ImportAction.CREATE
        if not code:
            plan.refuse(
                "code",
                _("A new client needs a code.") if tax_id else _("A row needs a code or a tax id."),
            )
            return
        try:
            client = new_client(
                **{name: plan.values.get(name, "") for name in ("code", "name", *self.changeable)}
            )
            if active is False:
                change_client(client, active=False)
        except InvalidInput as error:
            plan.refuse_all(error)
            return
        plan.code, plan.name, plan.record = client.code, client.name, client
        plan.changes = self._new_values(client, ("tax_id", "email", "phone", "notes", "active"))


@dataclass
class _KnownEmployees:
    by_code: dict[str, Employee]
    users: dict[str, AbstractBaseUser]
    linked: dict[int, Employee]  # login user's id -> the employee linked to it


class _EmployeeImporter(_Importer):
    spec = EMPLOYEES
    model = Employee
    changeable = ("name", "email")
    change = staticmethod(change_employee)

    def known(self, plans: list[RowPlan], *, lock: bool) -> _KnownEmployees:
        codes = _findable(
            (normalize_code(plan.values.get("code", "")) for plan in plans), CLIENT_CODE_MAX
        )
        usernames = _findable((plan.values.get("user", "").strip() for plan in plans), 150)
        base = self._base(lock).select_related("user")
        by_code = {
            employee.code: employee
            for batch in _batches(codes)
            for employee in base.filter(code__in=batch)
        }
        User = get_user_model()
        users = {
            user.get_username(): user
            for batch in _batches(usernames)
            for user in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": batch})
        }
        ids = [user.pk for user in users.values()]
        linked = {
            employee.user_id: employee
            for start in range(0, len(ids), BATCH)
            for employee in base.filter(user__in=ids[start : start + BATCH])
        }
        return _KnownEmployees(by_code, users, linked)

    def plan_row(self, plan: RowPlan, known: _KnownEmployees) -> None:
        values = plan.values
        code = normalize_code(values.get("code", ""))
        plan.code, plan.name = code, values.get("name", "").strip()
        plan.keys = [("code", code)] if code else []
        active = _yes_no(plan)
        employee = known.by_code.get(code) if code else None
        username = values.get("user", "").strip()
        user = known.users.get(username) if username else None
        if username and user is None:
            plan.refuse("user", _("There is no user %(username)s.") % {"username": username})
        if user is not None:
            plan.keys.append(("user", username))
            other = known.linked.get(user.pk)
            if other is not None and other != employee:
                plan.refuse(
                    "user",
                    _("That login user is already linked to %(employee)s.") % {"employee": other},
                )
        if employee is None:
            self._plan_new(plan, code=code, user=user, active=active)
        else:
            self._plan_change(plan, employee, user=user, active=active)

    def _plan_new(
        self, plan: RowPlan, *, code: str, user: AbstractBaseUser | None, active: bool | None
    ) -> None:
        plan.would = ImportAction.CREATE
        if not code:
            plan.refuse("code", _("A row needs a code."))
            return
        try:
            employee = new_employee(
                code=plan.values.get("code", ""),
                name=plan.values.get("name", ""),
                email=plan.values.get("email", ""),
                user=user,
            )
            if active is False:
                change_employee(employee, active=False)
        except InvalidInput as error:
            plan.refuse_all(error)
            return
        plan.code, plan.name, plan.record = employee.code, employee.name, employee
        plan.changes = self._new_values(employee, ("email", "user", "active"))


IMPORTERS: dict[str, _Importer] = {
    ImportKind.CLIENTS: _ClientImporter(),
    ImportKind.EMPLOYEES: _EmployeeImporter(),
}


def _mark_clashes(plans: list[RowPlan]) -> None:
    """Rows of one file that name the same code, tax id, record or login user are all wrong:
    which of them is right is for the user to say."""
    holders: dict[tuple[str, str], list[RowPlan]] = defaultdict(list)
    for plan in plans:
        for key in dict.fromkeys(plan.keys):
            holders[key].append(plan)
    reported: dict[int, set[int]] = defaultdict(set)
    for (key, value), group in holders.items():
        if len(group) < 2:
            continue
        for plan in group:
            others = [other.number for other in group if other is not plan]
            if reported[plan.number].issuperset(others):
                continue  # the same rows already clash on another key
            reported[plan.number].update(others)
            rows = _rows_text(others)
            if key == "code":
                plan.refuse(
                    "code", _("%(code)s is also on %(rows)s.") % {"code": value, "rows": rows}
                )
            elif key == "tax_id":
                plan.refuse(
                    "tax_id",
                    _("%(tax_id)s is also on %(rows)s.") % {"tax_id": value, "rows": rows},
                )
            elif key == "user":
                plan.refuse(
                    "user",
                    _("%(user)s is also on %(rows)s.") % {"user": value, "rows": rows},
                )
            else:  # two rows find one client: by its code, and by its tax id
                plan.refuse(
                    "",
                    _("The client %(code)s is also found by %(rows)s.")
                    % {"code": value, "rows": rows},
                )
    for plan in plans:
        if plan.reasons:
            plan.record = None


@dataclass
class Plan:
    kind: str
    file_name: str
    file_format: str
    columns: Columns
    rows: list[RowPlan]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


def can_import(user: Actor | None, kind: str) -> bool:
    """Everyone signed in manages clients; only managers manage employees."""
    if kind == ImportKind.EMPLOYEES:
        return is_manager(user)
    return user is not None and (is_manager(user) or bool(getattr(user, "is_active", False)))


def require_import(user: Actor | None, kind: str) -> None:
    spec_for(kind)
    if kind == ImportKind.EMPLOYEES:
        require_manager(user)
    if not can_import(user, kind):
        raise Forbidden(_("Only active users may import clients."))


def plan_import(data: bytes, *, kind: str, by: Actor, file_name: str = "") -> Plan:
    """Read a file and plan each of its rows. Writes nothing. InvalidInput on `file` when the
    file cannot be imported at all (see `read_table` and `map_columns`); Forbidden when `by`
    may not import this kind."""
    require_import(by, kind)
    table = read_table(data, kind=kind)
    columns = map_columns(table.headers, kind=kind)
    if not table.rows:
        raise _bad_file(_("The file has a header but no rows below it."))
    width = len(table.headers)
    rows = [
        (
            number,
            {
                name: cells[at].strip() if at < len(cells) else ""
                for name, at in columns.index.items()
            },
        )
        for number, cells in table.rows
    ]
    plans = IMPORTERS[kind].plan_rows(rows)
    if table.strict_width:
        for plan, (_number, cells) in zip(plans, table.rows, strict=True):
            if any(cell.strip() for cell in cells[width:]):
                # The values are shifted: what they would say about each field misleads.
                plan.reasons.clear()
                plan.record = None
                plan.refuse(
                    "",
                    _(
                        "This row has %(cells)d cells and the header %(header)d: a value with "
                        "the separator in it needs quotes."
                    )
                    % {"cells": len(cells), "header": width},
                )
    _mark_clashes(plans)
    return Plan(
        kind=kind,
        file_name=file_name,
        file_format=table.file_format,
        columns=columns,
        rows=plans,
    )


# --- Keeping the plan ---------------------------------------------------------------------------


def _user(by: Actor | None) -> AbstractBaseUser | None:
    return by if isinstance(by, AbstractBaseUser) and by.is_authenticated else None


def save_plan(plan: Plan, *, by: Actor, via: str = Via.WEB) -> ImportJob:
    """Keep `plan` as an ImportJob waiting for confirmation. Imports older than KEEP_DAYS
    are forgotten meanwhile."""
    require_import(by, plan.kind)
    with transaction.atomic():
        ImportJob.objects.filter(
            created_at__lt=timezone.now() - dt.timedelta(days=KEEP_DAYS)
        ).delete()
        job = ImportJob.objects.create(
            kind=plan.kind,
            file_name=plan.file_name[:255],
            file_format=plan.file_format[:120],
            columns=[list(pair) for pair in plan.columns.headers],
            created_by=_user(by),
            via=via,
            rows=len(plan.rows),
            to_create=plan.count(ImportAction.CREATE),
            to_update=plan.count(ImportAction.UPDATE),
            unchanged=plan.count(ImportAction.UNCHANGED),
            wrong=plan.count(ImportAction.ERROR),
        )
        ImportRow.objects.bulk_create(
            (
                ImportRow(
                    job=job,
                    number=row.number,
                    values=row.values,
                    action=row.action,
                    code=row.code[:40],
                    name=row.name[:200],
                    record_id=row.record_id,
                    changes=row.changes if row.action != ImportAction.ERROR else {},
                    reasons=row.reasons,
                )
                for row in plan.rows
            ),
            batch_size=BATCH,
        )
    return job


def can_see_import(user: Actor | None, job: ImportJob) -> bool:
    """An import is its uploader's; managers see them all."""
    if not can_import(user, job.kind):
        return False
    return is_manager(user) or (
        job.created_by_id is not None and job.created_by_id == getattr(user, "pk", None)
    )


def import_by_id(pk: int, *, by: Actor) -> ImportJob:
    """The import `pk` if `by` may see it; NotFound otherwise (someone else's is not shown)."""
    job = ImportJob.objects.select_related("created_by__employee").filter(pk=pk).first()
    if job is None or not can_see_import(by, job):
        raise NotFound(_("There is no import %(id)s.") % {"id": pk})
    return job


def recent_imports(
    *, by: Actor, kind: str | None = None, limit: int = 10
) -> models.QuerySet[ImportJob]:
    """The latest imports `by` may see, of one kind or both."""
    jobs = ImportJob.objects.select_related("created_by__employee").order_by("-created_at", "-id")
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    if not is_manager(by):
        user = _user(by)
        if user is None:
            return ImportJob.objects.none()
        jobs = jobs.filter(created_by=user, kind=ImportKind.CLIENTS)
    return jobs[:limit]


def cancel_import(job: ImportJob, *, by: Actor) -> None:
    """Forget a plan that was not confirmed. Conflict once it is being applied."""
    job = import_by_id(job.pk, by=by)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None:
            return
        if locked.status != ImportStatus.PLANNED:
            raise Conflict(
                _("This import has been confirmed: it can no longer be cancelled."),
                code="import_confirmed",
            )
        locked.delete()


def confirm_import(job: ImportJob, *, by: Actor) -> ImportJob:
    """Start applying the plan (apply_next_chunk does it). Confirming twice is harmless."""
    job = import_by_id(job.pk, by=by)
    require_import(by, job.kind)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status == ImportStatus.PLANNED:
            if not (job.to_create or job.to_update):
                raise Conflict(_("No row of this file can be imported."), code="nothing_to_import")
            job.status = ImportStatus.APPLYING
            job.confirmed_by = _user(by)
            job.confirmed_at = timezone.now()
            job.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return job


# --- Applying -----------------------------------------------------------------------------------


def apply_next_chunk(job: ImportJob, *, by: Actor, rows: int | None = None) -> ImportJob:
    """Apply the next `rows` rows of a confirmed plan in one transaction, and return the job
    as it then is. Each row is planned again against the records as they are now, locked:
    a row whose record appeared or went away since the preview is not applied, and says so.
    Rows found wrong in the preview are skipped. Concurrent calls for one job queue on its
    row and apply different chunks. `rows` defaults to CHUNK_ROWS."""
    require_import(by, job.kind)
    rows = rows or CHUNK_ROWS
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _apply_chunk(job.pk, rows=rows)
        except IntegrityError:
            # Someone created a record with a code (or took a tax id or login user) between
            # the check and the insert: the next attempt plans those rows again and sees it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _apply_chunk(pk: int, *, rows: int) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=pk)
    if job.status != ImportStatus.APPLYING:
        return job
    chunk = list(job.plan_rows.filter(number__gt=job.applied_through).order_by("number")[:rows])
    todo = [row for row in chunk if row.action != ImportAction.ERROR]
    importer = IMPORTERS[job.kind]
    plans = importer.plan_rows([(row.number, row.values) for row in todo], lock=True)
    what = _("client") if job.kind == ImportKind.CLIENTS else _("employee")
    for row, plan in zip(todo, plans, strict=True):
        if plan.action != ImportAction.ERROR:
            if row.action == ImportAction.CREATE and plan.action != ImportAction.CREATE:
                plan.refuse(
                    "code",
                    _(
                        "The %(what)s %(code)s was created after the preview: import the file "
                        "again to update it."
                    )
                    % {"what": what, "code": plan.code},
                )
            elif row.action != ImportAction.CREATE and plan.record_id != row.record_id:
                plan.refuse(
                    "",
                    _(
                        "The %(what)s %(code)s of the preview is no longer the one this row "
                        "finds: import the file again."
                    )
                    % {"what": what, "code": row.code},
                )
        if plan.reasons:
            plan.record = None
    importer.write(plans)
    _record_outcomes(job, chunk, todo, plans)
    outcomes = [plan.action for plan in plans]
    job.created += outcomes.count(ImportAction.CREATE)
    job.updated += outcomes.count(ImportAction.UPDATE)
    job.kept += outcomes.count(ImportAction.UNCHANGED)
    job.failed += outcomes.count(ImportAction.ERROR)
    job.processed += len(chunk)
    if chunk:
        job.applied_through = chunk[-1].number
    if len(chunk) < rows or job.processed >= job.rows:
        job.status = ImportStatus.DONE
        job.finished_at = timezone.now()
    job.save()
    return job


def _record_outcomes(
    job: ImportJob, chunk: list[ImportRow], todo: list[ImportRow], plans: list[RowPlan]
) -> None:
    """Say what was done with each row. Most rows went as planned: one UPDATE says so for
    all of them (bulk_update builds a CASE per row and field, slow for a few hundred rows);
    the others, usually none, are saved with their reasons or their changes of now."""
    differing = []
    for row, plan in zip(todo, plans, strict=True):
        row.outcome = plan.action
        if plan.reasons:
            row.reasons = plan.reasons
        elif plan.action == ImportAction.UPDATE and plan.changes != row.changes:
            row.changes = plan.changes
        elif plan.action == row.action:
            continue
        differing.append(row)
    if not chunk:
        return
    (
        job.plan_rows.filter(number__gt=job.applied_through, number__lte=chunk[-1].number)
        .exclude(action=ImportAction.ERROR)
        .exclude(pk__in=[row.pk for row in differing])
        .update(outcome=F("action"))
    )
    ImportRow.objects.bulk_update(differing, ["outcome", "reasons", "changes"], batch_size=BATCH)


def apply_import(
    job: ImportJob,
    *,
    by: Actor,
    rows: int | None = None,
    keep_going: Callable[[ImportJob], bool] = lambda job: True,
) -> ImportJob:
    """Apply chunk after chunk until the job is done or `keep_going(job)` says stop (it is
    called after each chunk: a progress bar, a time limit)."""
    while True:
        job = apply_next_chunk(job, by=by, rows=rows)
        going = keep_going(job)  # told of the last chunk too: a progress bar reaches 100 %
        if job.status != ImportStatus.APPLYING or not going:
            return job
