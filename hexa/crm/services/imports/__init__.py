"""Importing clients and employees from CSV or XLSX files.

The same steps serve the web pages and `hexa import`, one module each:

1. `reading.read_table`: the file's header and rows as text (no database).
2. `columns.map_columns`: which column fills which field, by header names in Spanish or
   English.
3. `planning.plan_import`: what each row would do and why. It writes nothing;
   `jobs.save_plan` keeps the plan as an ImportJob with one ImportRow per row, so that it can
   be paged and confirmed.
4. `jobs.confirm_import`, then `applying.apply_next_chunk` until the job is done: each call
   applies the next rows of the plan in one transaction, checking each row again against the
   data as it is then (it may have changed since the preview).

Rows find their client by code or tax id, their employee by code. An empty cell leaves the
current value as it is: a file of codes and emails changes only emails. Who may import what is
in `permissions` (`can_import`, `require_import`).
"""

from hexa.crm.services.imports.applying import apply_import, apply_next_chunk
from hexa.crm.services.imports.columns import ImportSpec, map_columns, spec_for
from hexa.crm.services.imports.jobs import (
    can_see_import,
    cancel_import,
    confirm_import,
    import_by_id,
    recent_imports,
    save_plan,
)
from hexa.crm.services.imports.planning import Plan, RowPlan, plan_import
from hexa.crm.services.imports.reading import MAX_BYTES, MAX_ROWS, read_table

# What the interfaces use. Limits are read here; a test that changes one patches the module
# that reads it (`reading.MAX_ROWS`, `applying.CHUNK_ROWS`).
__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportSpec",
    "Plan",
    "RowPlan",
    "apply_import",
    "apply_next_chunk",
    "can_see_import",
    "cancel_import",
    "confirm_import",
    "import_by_id",
    "map_columns",
    "plan_import",
    "read_table",
    "recent_imports",
    "save_plan",
    "spec_for",
]
