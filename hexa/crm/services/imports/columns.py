"""Which column of a file fills which field: the columns each import knows, by the header
names people write in Spanish or English (case, accents, spaces and punctuation ignored)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hexa.crm.errors import InvalidInput, NotFound
from hexa.crm.models import ImportKind


def bad_file(message: str) -> InvalidInput:
    """The error of a file that cannot be imported at all."""
    return InvalidInput.on("file", message)


def normalize_header(text: str) -> str:
    """`Teléfono`, ` TELEFONO ` and `Tele-fono` are one header: no case, accents, spaces or
    punctuation."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if ch.isalnum()).lower()


@dataclass(frozen=True)
class ImportColumn:
    field: str
    label: Promise | str
    headers: tuple[str, ...]  # accepted header names, as people write them


def _column(field_name: str, label: Promise, headers: str) -> ImportColumn:
    """A column whose accepted headers are written `name | other name | ...`."""
    return ImportColumn(field_name, label, tuple(name.strip() for name in headers.split("|")))


@dataclass(frozen=True)
class ImportSpec:
    kind: str
    columns: tuple[ImportColumn, ...]
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
        return self._names.get(normalize_header(header), "")  # type: ignore[attr-defined]  # __post_init__

    def label(self, field_name: str) -> str:
        for column in self.columns:
            if column.field == field_name:
                return str(column.label)
        return ""

    def is_header(self, text: str) -> bool:
        return bool(self.field_of(text))


_CODE = "código | code | referencia | reference | cód. | ref."
_EMAIL = _column(
    "email",
    gettext_lazy("Email"),
    "email | e-mail | correo | correo electrónico | mail | email address",
)
_ACTIVE = _column("active", gettext_lazy("Active"), "activo | active | activa")

CLIENTS = ImportSpec(
    kind=ImportKind.CLIENTS,
    columns=(
        _column(
            "code",
            gettext_lazy("Code"),
            f"{_CODE} | código de cliente | código cliente | client code | customer code",
        ),
        _column(
            "name",
            gettext_lazy("Name"),
            "nombre | name | razón social | company name | nombre fiscal | denominación | "
            "empresa | company | nombre del cliente | nombre cliente | client name | "
            "customer name",
        ),
        _column(
            "tax_id",
            gettext_lazy("Tax id"),
            "NIF | CIF | tax id | VAT number | NIF/CIF | CIF/NIF | NIE | DNI | DNI/NIF | "
            "NIF/DNI | NIF-IVA | identificación fiscal | tax number | tax code | VAT | VAT id",
        ),
        _EMAIL,
        _column(
            "phone",
            gettext_lazy("Phone"),
            "teléfono | phone | móvil | mobile | tel. | tlf. | tfno. | teléfono móvil | "
            "phone number | telephone",
        ),
        _column(
            "notes",
            gettext_lazy("Notes"),
            "notas | notes | observaciones | comments | nota | note | comentarios",
        ),
        _ACTIVE,
    ),
    keys=("code", "tax_id"),
)

EMPLOYEES = ImportSpec(
    kind=ImportKind.EMPLOYEES,
    columns=(
        _column(
            "code",
            gettext_lazy("Code"),
            f"{_CODE} | código de empleado | código empleado | employee code",
        ),
        _column(
            "name",
            gettext_lazy("Name"),
            "nombre | name | nombre completo | full name | nombre y apellidos",
        ),
        _EMAIL,
        _column(
            "user",
            gettext_lazy("Login user"),
            "usuario | user | username | login | nombre de usuario | user name",
        ),
        _ACTIVE,
    ),
    keys=("code",),
)

SPECS = {spec.kind: spec for spec in (CLIENTS, EMPLOYEES)}


def spec_for(kind: str) -> ImportSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise NotFound(_("There is no import of %(kind)s.") % {"kind": kind}) from None


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
    index: dict[str, int] = {}
    for position, header in enumerate(headers):
        field_name = spec.field_of(header)
        pairs.append((header, field_name))
        if field_name:
            found[field_name].append(header)
            index.setdefault(field_name, position)
    for field_name, names in found.items():
        if len(names) > 1:
            raise bad_file(
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
        raise bad_file(
            message
            + " "
            + _("Columns found: %(found)s. Accepted, for instance: %(accepted)s.")
            % {"found": ", ".join(f"“{h}”" for h in headers if h) or "—", "accepted": accepted}
        )
    return Columns(headers=pairs, index=index)
