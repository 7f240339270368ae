"""Each client's next follow-up and latest dedication, kept on its row by the database, and
indexed for each order of the explorer.

The explorer filtered and sorted by both, computed per client from its tasks and dedications:
a filter or an order had to compute them for every client (0.5 s at 100,000 clients). Kept
on the row, a page reads an index instead. Triggers keep them, whatever writes tasks,
projects or dedications (the quick log, forms, the API, imports, the admin, a bulk load):

- PostgreSQL: statement triggers with transition tables (one update per statement, so a
  COPY of a million rows costs one grouped update). A new dedication raises the client's
  date if it is later (an update that re-checks the row it waited for: right under
  concurrent writers). Any other change recomputes the clients it touches, after locking
  their rows: a statement that starts after the lock sees what the other writers committed.
- SQLite: row triggers (one writer at a time).

The migration adds the two columns (instantly: nullable, no default), then the triggers,
then fills the columns in batches of clients (short row locks), then builds the indexes
(CONCURRENTLY on PostgreSQL: writers are not locked out), hence atomic = False.

(Migration 0014 installs them again: a change of a dedication's employee alone did not
refresh the client's last_worked_by.)

A later migration that makes SQLite rebuild crm_dedication, crm_task or crm_project (a
changed choice or constraint does) drops these triggers with the old table: it must run
`install` again (tests/crm/test_client_summaries.py fails otherwise).
"""

import django.db.models.deletion
from django.db import migrations, models

from hexa.lib.schema import drop_index

BATCH = 5_000

# The explorer's orders (queries.EXPLORER_ORDERS): PostgreSQL's indexes say where NULLs
# sort, as the orders do; SQLite cannot say it in an index (its NULLs sort first), and sorts
# the page of 10,000 clients it may have to.
INDEXES = {
    "crm_client_next": ("next_follow_up ASC NULLS LAST, code", "next_follow_up, code"),
    "crm_client_next_desc": ("next_follow_up DESC NULLS LAST, code", None),
    "crm_client_last": ("last_dedication DESC NULLS LAST, code", "last_dedication, code"),
    "crm_client_last_asc": ("last_dedication ASC NULLS FIRST, code", None),
    "crm_client_name": ("name, code", "name, code"),
    "crm_client_name_desc": ("name DESC, code", None),
    # The agenda of one employee: the clients whose latest dedication is theirs.
    "crm_client_last_worked_by": ("last_worked_by_id", "last_worked_by_id"),
}

# --- PostgreSQL ---------------------------------------------------------------------------------

POSTGRES_FUNCTIONS = """
CREATE OR REPLACE FUNCTION hexa_refresh_follow_ups(clients bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(clients) = 0 THEN RETURN; END IF;
    PERFORM 1 FROM crm_client WHERE id = ANY(clients) ORDER BY id FOR NO KEY UPDATE;
    UPDATE crm_client c SET next_follow_up = f.day
    FROM (
        SELECT x.id, (
            SELECT min(t.next_follow_up) FROM crm_project p
            JOIN crm_task t ON t.project_id = p.id
            WHERE p.client_id = x.id AND p.status = 'active' AND t.status = 'pending'
        ) AS day
        FROM unnest(clients) AS x(id)
    ) f
    WHERE c.id = f.id AND c.next_follow_up IS DISTINCT FROM f.day;
END $$;

CREATE OR REPLACE FUNCTION hexa_refresh_last_dedications(clients bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(clients) = 0 THEN RETURN; END IF;
    PERFORM 1 FROM crm_client WHERE id = ANY(clients) ORDER BY id FOR NO KEY UPDATE;
    UPDATE crm_client c SET last_dedication = l.date, last_worked_by_id = l.employee_id
    FROM (
        SELECT x.id, d.date, d.employee_id FROM unnest(clients) AS x(id)
        LEFT JOIN LATERAL (
            SELECT date, employee_id FROM crm_dedication WHERE client_id = x.id
            ORDER BY date DESC, id DESC LIMIT 1
        ) d ON true
    ) l
    WHERE c.id = l.id
      AND (c.last_dedication, c.last_worked_by_id) IS DISTINCT FROM (l.date, l.employee_id);
END $$;

CREATE OR REPLACE FUNCTION hexa_dedications_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- One statement, the quick log's path: each client's latest new dedication, if it is
    -- not before the client's latest. Whoever writes a dedication locks its client first
    -- (the domain does), so ids grow in the order of the commits and a tie on the date goes
    -- to the higher id; an update that waited for the row re-checks it against what the
    -- other writer committed.
    UPDATE crm_client c SET last_dedication = n.date, last_worked_by_id = n.employee_id
    FROM (
        SELECT DISTINCT ON (client_id) client_id, date, employee_id FROM new_rows
        ORDER BY client_id, date DESC, id DESC
    ) n
    WHERE c.id = n.client_id AND (c.last_dedication IS NULL OR c.last_dedication <= n.date);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hexa_dedications_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hexa_refresh_last_dedications(ARRAY(
        SELECT o.client_id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.date <> n.date OR o.client_id <> n.client_id OR o.employee_id <> n.employee_id
        UNION
        SELECT n.client_id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.date <> n.date OR o.client_id <> n.client_id OR o.employee_id <> n.employee_id
    ));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hexa_dedications_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hexa_refresh_last_dedications(ARRAY(SELECT DISTINCT client_id FROM old_rows));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hexa_tasks_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hexa_refresh_follow_ups(ARRAY(
        SELECT DISTINCT p.client_id FROM new_rows n JOIN crm_project p ON p.id = n.project_id
        WHERE n.next_follow_up IS NOT NULL AND n.status = 'pending'
    ));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hexa_tasks_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hexa_refresh_follow_ups(ARRAY(
        SELECT p.client_id FROM old_rows o JOIN new_rows n ON n.id = o.id
        JOIN crm_project p ON p.id IN (o.project_id, n.project_id)
        WHERE o.next_follow_up IS DISTINCT FROM n.next_follow_up
           OR o.status <> n.status OR o.project_id <> n.project_id
        GROUP BY p.client_id
    ));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hexa_tasks_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hexa_refresh_follow_ups(ARRAY(
        SELECT DISTINCT p.client_id FROM old_rows o JOIN crm_project p ON p.id = o.project_id
        WHERE o.next_follow_up IS NOT NULL AND o.status = 'pending'
    ));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hexa_projects_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hexa_refresh_follow_ups(ARRAY(
        SELECT o.client_id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.status <> n.status OR o.client_id <> n.client_id
        UNION
        SELECT n.client_id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.status <> n.status OR o.client_id <> n.client_id
    ));
    RETURN NULL;
END $$;
"""

# (table, event, transition tables, function)
POSTGRES_TRIGGERS = [
    ("crm_dedication", "INSERT", "NEW TABLE AS new_rows", "hexa_dedications_inserted"),
    (
        "crm_dedication",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "hexa_dedications_changed",
    ),
    ("crm_dedication", "DELETE", "OLD TABLE AS old_rows", "hexa_dedications_deleted"),
    ("crm_task", "INSERT", "NEW TABLE AS new_rows", "hexa_tasks_inserted"),
    ("crm_task", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "hexa_tasks_changed"),
    ("crm_task", "DELETE", "OLD TABLE AS old_rows", "hexa_tasks_deleted"),
    (
        "crm_project",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "hexa_projects_changed",
    ),
]


def _postgres_trigger_name(table: str, event: str) -> str:
    return f"hexa_{table.removeprefix('crm_')}_{event.lower()}_summary"


# --- SQLite -------------------------------------------------------------------------------------

SQLITE_FOLLOW_UP = """
UPDATE crm_client SET next_follow_up = (
    SELECT min(t.next_follow_up) FROM crm_project p JOIN crm_task t ON t.project_id = p.id
    WHERE p.client_id = crm_client.id AND p.status = 'active' AND t.status = 'pending'
) WHERE id IN ({clients});
"""
SQLITE_LAST = """
UPDATE crm_client SET (last_dedication, last_worked_by_id) = (
    SELECT d.date, d.employee_id FROM crm_dedication d WHERE d.client_id = crm_client.id
    ORDER BY d.date DESC, d.id DESC LIMIT 1
) WHERE id IN ({clients});
"""
SQLITE_TASK_CLIENTS = "SELECT client_id FROM crm_project WHERE id IN ({projects})"

# Fixed SQL of this module, no outside value in it.
SQLITE_TRIGGERS = {
    "hexa_dedication_insert_summary": "AFTER INSERT ON crm_dedication BEGIN"  # noqa: S608
    + SQLITE_LAST.format(
        clients="SELECT id FROM crm_client WHERE id = NEW.client_id "
        "AND (last_dedication IS NULL OR last_dedication <= NEW.date)"
    )
    + "END",
    "hexa_dedication_update_summary": "AFTER UPDATE OF date, client_id, employee_id "
    "ON crm_dedication BEGIN" + SQLITE_LAST.format(clients="OLD.client_id, NEW.client_id") + "END",
    "hexa_dedication_delete_summary": "AFTER DELETE ON crm_dedication BEGIN"
    + SQLITE_LAST.format(clients="OLD.client_id")
    + "END",
    "hexa_task_insert_summary": "AFTER INSERT ON crm_task "
    "WHEN NEW.next_follow_up IS NOT NULL AND NEW.status = 'pending' BEGIN"
    + SQLITE_FOLLOW_UP.format(clients=SQLITE_TASK_CLIENTS.format(projects="NEW.project_id"))
    + "END",
    "hexa_task_update_summary": "AFTER UPDATE OF next_follow_up, status, project_id ON crm_task "
    "BEGIN"
    + SQLITE_FOLLOW_UP.format(
        clients=SQLITE_TASK_CLIENTS.format(projects="OLD.project_id, NEW.project_id")
    )
    + "END",
    "hexa_task_delete_summary": "AFTER DELETE ON crm_task BEGIN"
    + SQLITE_FOLLOW_UP.format(clients=SQLITE_TASK_CLIENTS.format(projects="OLD.project_id"))
    + "END",
    "hexa_project_update_summary": "AFTER UPDATE OF status, client_id ON crm_project BEGIN"
    + SQLITE_FOLLOW_UP.format(clients="OLD.client_id, NEW.client_id")
    + "END",
}


def install(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTIONS)
            for table, event, tables, function in POSTGRES_TRIGGERS:
                name = _postgres_trigger_name(table, event)
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                )
        else:
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")


def fill(apps, schema_editor):
    """Both columns of every client, a batch of clients at a time (each batch its own short
    transaction: the triggers keep the clients already done right meanwhile)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(SQLITE_FOLLOW_UP.format(clients="SELECT id FROM crm_client"))
            cursor.execute(SQLITE_LAST.format(clients="SELECT id FROM crm_client"))
            return
        last = 0
        while True:
            cursor.execute(
                "SELECT coalesce(array_agg(id), '{}') FROM "
                "(SELECT id FROM crm_client WHERE id > %s ORDER BY id LIMIT %s) batch",
                [last, BATCH],
            )
            (clients,) = cursor.fetchone()
            if not clients:
                # The planner's statistics of the new columns: without them it takes every
                # client for a follow-up due (a guess of 500 rows) and plans for that.
                cursor.execute("ANALYZE crm_client")
                return
            cursor.execute("SELECT hexa_refresh_follow_ups(%s)", [clients])
            cursor.execute("SELECT hexa_refresh_last_dedications(%s)", [clients])
            last = max(clients)


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table, event, _tables, function in POSTGRES_TRIGGERS:
                cursor.execute(
                    f"DROP TRIGGER IF EXISTS {_postgres_trigger_name(table, event)} ON {table}"
                )
                cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
            cursor.execute("DROP FUNCTION IF EXISTS hexa_refresh_follow_ups(bigint[])")
            cursor.execute("DROP FUNCTION IF EXISTS hexa_refresh_last_dedications(bigint[])")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def build_indexes(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, (on_postgres, on_sqlite) in INDEXES.items():
        if postgres:
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON crm_client ({on_postgres})"
            )
        elif on_sqlite:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON crm_client ({on_sqlite})")


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        drop_index(schema_editor, name)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("crm", "0007_client_search_trigrams")]

    operations = [
        migrations.AddField(
            model_name="client",
            name="last_dedication",
            field=models.DateField(editable=False, null=True, verbose_name="last dedication"),
        ),
        migrations.AddField(
            model_name="client",
            name="next_follow_up",
            field=models.DateField(editable=False, null=True, verbose_name="next follow-up"),
        ),
        migrations.AddField(
            model_name="client",
            name="last_worked_by",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="crm.employee",
                verbose_name="last worked by",
            ),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(build_indexes, drop_indexes, elidable=False),
    ]
