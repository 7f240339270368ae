"""hexa import clients|employees FILE [--dry-run] [--yes] [--json]: import from CSV or XLSX."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from tqdm import tqdm

from hexa.crm.errors import InvalidInput
from hexa.crm.management.cli import reporting_errors
from hexa.crm.models import ImportAction, ImportJob, ImportKind, Via
from hexa.crm.services import imports
from hexa.crm.services.permissions import SYSTEM

EXIT_REFUSED = 1
YES = {"y", "yes", "s", "si", "sí"}


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


class Command(BaseCommand):
    help = (
        "Import clients or employees from a CSV (UTF-8 or Windows-1252; separated by ; , or "
        "tabs) or XLSX file whose header names the columns, in Spanish or English (código/code, "
        "nombre/name, NIF/CIF/tax id, email, teléfono/phone, notas/notes, activo/active; "
        "usuario/user for employees). Rows find their client by code or tax id. Shows what "
        "each row will do, asks, then imports. Exit codes: 0 done (wrong rows are skipped and "
        "listed), 1 not confirmed, 2 a file that cannot be imported."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[kind.value for kind in ImportKind])
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be done; write nothing"
        )
        parser.add_argument("--yes", "-y", action="store_true", help="import without asking")
        parser.add_argument(
            "--json", action="store_true", help="print the plan (and the result) as JSON"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["json"] and not (options["dry_run"] or options["yes"]):
            raise CommandError(
                "--json needs --dry-run or --yes: it cannot ask for confirmation.", returncode=2
            )
        with reporting_errors(
            as_json=options["json"],
            options={"file": "FILE"},
            stdout=self.stdout,
            stderr=self.stderr,
        ):
            self._import(**options)

    def _import(self, *, kind: str, file: str, **options: Any) -> None:
        path = Path(file)
        plan = imports.plan_import(_read(path), kind=kind, by=SYSTEM, file_name=path.name)
        as_json = options["json"]
        if not as_json:
            self._show_plan(plan, every_row=options["verbosity"] >= 2)
        applicable = plan.count(ImportAction.CREATE) + plan.count(ImportAction.UPDATE)
        if options["dry_run"] or not applicable:
            if as_json:
                self._write_json(plan, None)
            elif options["dry_run"]:
                self.stdout.write(_("Dry run: nothing was written."))
            else:
                self.stdout.write(_("Nothing to import."))
            return
        if not options["yes"] and not self._confirmed(plan):
            self.stdout.write(_("Nothing was imported."))
            sys.exit(EXIT_REFUSED)
        job = imports.save_plan(plan, by=SYSTEM, via=Via.CLI)
        job = self._apply(job, quiet=as_json)
        if as_json:
            self._write_json(plan, job)
        else:
            self._show_result(job)

    # --- Output -----------------------------------------------------------------------------

    def _show_plan(self, plan: imports.Plan, *, every_row: bool) -> None:
        spec = imports.spec_for(plan.kind)
        self.stdout.write(
            _("%(file)s (%(format)s): %(rows)s rows.")
            % {"file": plan.file_name, "format": plan.file_format, "rows": _n(len(plan.rows))}
        )
        found = ", ".join(
            f"{header} → {spec.label(name)}" for header, name in plan.columns.headers if name
        )
        self.stdout.write(_("Columns: %(columns)s.") % {"columns": found})
        if plan.columns.ignored:
            self.stdout.write(
                _("Ignored columns: %(columns)s.") % {"columns": ", ".join(plan.columns.ignored)}
            )
        self.stdout.write(
            _(
                "To create: %(create)s · to update: %(update)s · unchanged: %(unchanged)s · "
                "wrong: %(wrong)s"
            )
            % {
                "create": _n(plan.count(ImportAction.CREATE)),
                "update": _n(plan.count(ImportAction.UPDATE)),
                "unchanged": _n(plan.count(ImportAction.UNCHANGED)),
                "wrong": _n(plan.count(ImportAction.ERROR)),
            }
        )
        for row in plan.rows:
            if row.action == ImportAction.ERROR or (
                every_row and row.action != ImportAction.UNCHANGED
            ):
                self.stdout.write(_row_line(spec, row, row.action))

    def _confirmed(self, plan: imports.Plan) -> bool:
        self.stdout.write(
            _("Create %(create)s and update %(update)s %(kind)s? [y/N] ")
            % {
                "create": _n(plan.count(ImportAction.CREATE)),
                "update": _n(plan.count(ImportAction.UPDATE)),
                "kind": ImportKind(plan.kind).label,
            },
            ending="",
        )
        self.stdout.flush()
        answer = sys.stdin.readline()
        return answer.strip().lower() in YES

    def _apply(self, job: ImportJob, *, quiet: bool) -> ImportJob:
        job = imports.confirm_import(job, by=SYSTEM)
        # On stderr, and only on a terminal (disable=None): stdout stays the report.
        bar = tqdm(total=job.rows, unit=_("rows"), file=sys.stderr, disable=True if quiet else None)
        try:
            with bar:

                def advance(now: ImportJob) -> bool:
                    bar.update(now.processed - bar.n)
                    return True

                return imports.apply_import(job, by=SYSTEM, keep_going=advance)
        except KeyboardInterrupt:
            job.refresh_from_db()
            self.stderr.write(
                _(
                    "Interrupted after %(done)s of %(rows)s rows: those are imported. Import "
                    "the file again for the others (the imported ones will be unchanged)."
                )
                % {"done": _n(job.processed), "rows": _n(job.rows)}
            )
            sys.exit(130)

    def _show_result(self, job: ImportJob) -> None:
        self.stdout.write(
            _(
                "Imported. Created: %(created)s · updated: %(updated)s · unchanged: %(kept)s · "
                "failed: %(failed)s · wrong rows skipped: %(skipped)s"
            )
            % {
                "created": _n(job.created),
                "updated": _n(job.updated),
                "kept": _n(job.kept),
                "failed": _n(job.failed),
                "skipped": _n(job.wrong),
            }
        )
        spec = imports.spec_for(job.kind)
        failed = job.plan_rows.filter(outcome=ImportAction.ERROR).order_by("number")
        for row in failed:
            self.stdout.write(_row_line(spec, row, ImportAction.ERROR))

    def _write_json(self, plan: imports.Plan, job: ImportJob | None) -> None:
        body: dict[str, Any] = {
            "kind": plan.kind,
            "file": plan.file_name,
            "format": plan.file_format,
            "columns": [
                {"header": header, "field": name or None} for header, name in plan.columns.headers
            ],
            "plan": {action.value: plan.count(action) for action in ImportAction},
            "rows": [
                {
                    "row": row.number,
                    "action": row.action,
                    "code": row.code,
                    "name": row.name,
                    "changes": row.changes if row.action != ImportAction.ERROR else {},
                    "reasons": [{"field": f or None, "message": m} for f, m in row.reasons],
                }
                for row in plan.rows
            ],
            "result": None,
        }
        if job is not None:
            body["result"] = {
                "import": job.pk,
                "created": job.created,
                "updated": job.updated,
                "unchanged": job.kept,
                "failed": [
                    {
                        "row": row.number,
                        "reasons": [{"field": f or None, "message": m} for f, m in row.reasons],
                    }
                    for row in job.plan_rows.filter(outcome=ImportAction.ERROR).order_by("number")
                ],
            }
        self.stdout.write(json.dumps(body, ensure_ascii=False))


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            # One byte more than allowed: enough for read_table to say it is too large.
            return file.read(imports.MAX_BYTES + 1)
    except OSError as error:
        raise InvalidInput.on("file", f"{path}: {error.strerror}") from None


def _row_line(spec: imports.ImportSpec, row: Any, action: str) -> str:
    """`row 4 BAD: Email: Enter a valid email address.`, `row 6 X2: create “X dos” (...)`;
    `row` is a planned row or an ImportRow: both have number, code, name, changes, reasons."""
    head = _("row %(row)d %(code)s") % {"row": row.number, "code": row.code or "—"}
    if action == ImportAction.ERROR:
        said = " ".join(
            f"{spec.label(name)}: {message}" if name else message for name, message in row.reasons
        )
        return f"{head}: {said}"
    changes = "; ".join(
        f"{spec.label(name)}: {_shown(old)} → {_shown(new)}"
        if old is not None
        else f"{spec.label(name)}: {_shown(new)}"
        for name, (old, new) in row.changes.items()
    )
    if action == ImportAction.CREATE:
        return (
            f"{head}: "
            + _("create “%(name)s”") % {"name": row.name}
            + (f" ({changes})" if changes else "")
        )
    return f"{head}: " + _("update") + f" ({changes})"


def _shown(value: Any) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value) if value != "" else "—"
