"""Planning an import: for each row of a file, create, update, unchanged or wrong and why, by
the rules of `records` (`new_client`, `change_client`, ...) and the uniqueness of codes, tax
ids and login users across the file and the database. Planning writes nothing; an importer
also writes the rows it planned, when `applying` asks it to."""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hexa.crm.errors import InvalidInput
from hexa.crm.models import CLIENT_CODE_MAX, Client, Employee, ImportAction, ImportKind
from hexa.crm.services.codes import normalize_code
from hexa.crm.services.imports.columns import (
    Columns,
    bad_file,
    map_columns,
    normalize_header,
    spec_for,
)
from hexa.crm.services.imports.reading import read_table
from hexa.crm.services.permissions import Actor, require_import
from hexa.crm.services.records import (
    change_client,
    change_employee,
    new_client,
    new_employee,
    normalize_tax_id,
)

# Values per `IN (...)` and rows per INSERT: well below SQLite's and PostgreSQL's limits on
# parameters, and the number of queries grows with the rows divided by this, not with rows.
BATCH = 900


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


def _batches[V: (str, int)](values: Iterable[V]) -> Iterator[list[V]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def _worth_looking_up(values: Iterable[str], max_length: int) -> set[str]:
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


class Importer[Known](ABC):
    """Plans rows of one kind against the database and writes planned rows. `Known` is what
    `known` finds in the database for a set of rows, for `plan_row` to plan each of them."""

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

    @abstractmethod
    def known(self, plans: list[RowPlan], *, lock: bool) -> Known:
        """The records the rows name, in a few queries per BATCH rows."""

    @abstractmethod
    def plan_row(self, plan: RowPlan, known: Known) -> None:
        """Plan one row: set `would`, `code`, `name`, `keys`, `record` and `changes`, or
        refuse it with reasons."""

    def write(self, plans: list[RowPlan]) -> None:
        """Insert the new records and save the changed ones, a statement per batch."""
        new = [
            plan.record
            for plan in plans
            if plan.action == ImportAction.CREATE and plan.record is not None
        ]
        self.model._default_manager.bulk_create(new, batch_size=BATCH)
        # One UPDATE per set of changed fields (a file usually changes the same columns in
        # every row): it writes only what changed, and its CASE has no cell to spare.
        changed: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
        for plan in plans:
            if plan.action == ImportAction.UPDATE and plan.record is not None:
                changed[tuple(sorted(plan.changed))].append(plan.record)
        for fields, records in changed.items():
            self.model._default_manager.bulk_update(records, fields, batch_size=BATCH)

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

    def _plan_creation(
        self,
        plan: RowPlan,
        create: Callable[[], Any],
        *,
        active: bool | None,
        shown: tuple[str, ...],
    ) -> None:
        """A creation: the record `create` builds by the domain's checks (never saving),
        inactive if the row says so; the plan keeps it and its `shown` fields, or is wrong
        with the domain's reasons."""
        try:
            record = create()
            if active is False:
                type(self).change(record, active=False)
        except InvalidInput as error:
            plan.refuse_all(error)
            return
        plan.code, plan.name, plan.record = record.code, record.name, record
        plan.changes = self._new_values(record, shown)

    def _base(self, lock: bool) -> models.QuerySet:
        objects = self.model._default_manager.all()
        # of=self: PostgreSQL cannot lock the empty side of an outer join (employees' users).
        return objects.select_for_update(of=("self",)) if lock else objects

    @staticmethod
    def _by_code(plans: list[RowPlan], base: models.QuerySet) -> dict[str, Any]:
        """The records of `base` whose code a row names."""
        codes = _worth_looking_up(
            (normalize_code(plan.values.get("code", "")) for plan in plans), CLIENT_CODE_MAX
        )
        return {
            record.code: record
            for batch in _batches(codes)
            for record in base.filter(code__in=batch)
        }

    @staticmethod
    def _changes(before: models.Model, after: models.Model, changed: list[str]) -> dict:
        return {
            name: [_shown(getattr(before, name)), _shown(getattr(after, name))] for name in changed
        }

    @staticmethod
    def _new_values(record: models.Model, names: Iterable[str]) -> dict:
        """What a new record will have, for the preview: the non-empty fields of `names`."""
        shown = {}
        for name in names:
            value = _shown(getattr(record, name))
            if value not in ("", None, True):
                shown[name] = [None, value]
        return shown


def _shown(value: Any) -> Any:
    """A value as the preview shows it: a login user by its username."""
    return value.get_username() if isinstance(value, AbstractBaseUser) else value


@dataclass
class _KnownClients:
    by_code: dict[str, Client]
    by_tax_id: dict[str, Client]


class _ClientImporter(Importer[_KnownClients]):
    model = Client
    changeable = ("name", "tax_id", "email", "phone", "notes")
    change = staticmethod(change_client)

    def known(self, plans: list[RowPlan], *, lock: bool) -> _KnownClients:
        tax_ids = _worth_looking_up(
            (normalize_tax_id(plan.values.get("tax_id", "")) for plan in plans),
            Client._meta.get_field("tax_id").max_length or 20,
        )
        base = self._base(lock)
        by_code = self._by_code(plans, base)
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
        self._plan_creation(
            plan,
            lambda: new_client(
                **{name: plan.values.get(name, "") for name in ("code", "name", *self.changeable)}
            ),
            active=active,
            shown=("tax_id", "email", "phone", "notes", "active"),
        )


@dataclass
class _KnownEmployees:
    by_code: dict[str, Employee]
    users: dict[str, User]
    linked: dict[int, Employee]  # login user's id -> the employee linked to it


class _EmployeeImporter(Importer[_KnownEmployees]):
    model = Employee
    changeable = ("name", "email")
    change = staticmethod(change_employee)

    def known(self, plans: list[RowPlan], *, lock: bool) -> _KnownEmployees:
        usernames = _worth_looking_up((plan.values.get("user", "").strip() for plan in plans), 150)
        base = self._base(lock).select_related("user")
        by_code = self._by_code(plans, base)
        User = get_user_model()
        users = {
            user.get_username(): user
            for batch in _batches(usernames)
            for user in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": batch})
        }
        linked = {
            employee.user_id: employee
            for batch in _batches(user.pk for user in users.values())
            for employee in base.filter(user__in=batch)
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
        self, plan: RowPlan, *, code: str, user: User | None, active: bool | None
    ) -> None:
        plan.would = ImportAction.CREATE
        if not code:
            plan.refuse("code", _("A row needs a code."))
            return
        self._plan_creation(
            plan,
            lambda: new_employee(
                code=plan.values.get("code", ""),
                name=plan.values.get("name", ""),
                email=plan.values.get("email", ""),
                user=user,
            ),
            active=active,
            shown=("email", "user", "active"),
        )


IMPORTERS: dict[str, Importer[Any]] = {
    ImportKind.CLIENTS: _ClientImporter(),
    ImportKind.EMPLOYEES: _EmployeeImporter(),
}


def _mark_clashes(plans: list[RowPlan]) -> None:
    """Rows of one file that name the same code, tax id, record or login user are all wrong:
    which of them is right is for the user to say."""
    holders: dict[tuple[str, str], list[RowPlan]] = defaultdict(list)
    for plan in plans:
        for held in dict.fromkeys(plan.keys):
            holders[held].append(plan)
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


def plan_import(data: bytes, *, kind: str, by: Actor, file_name: str = "") -> Plan:
    """Read a file and plan each of its rows. Writes nothing. InvalidInput on `file` when the
    file cannot be imported at all (see `read_table` and `map_columns`); Forbidden when `by`
    may not import this kind."""
    spec_for(kind)  # an unknown kind is NotFound, before whether `by` may import it
    require_import(by, kind)
    table = read_table(data, kind=kind)
    columns = map_columns(table.headers, kind=kind)
    if not table.rows:
        raise bad_file(_("The file has a header but no rows below it."))
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
