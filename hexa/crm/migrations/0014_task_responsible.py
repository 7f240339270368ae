"""Who follows each pending follow-up up, kept on its task's row by the database, and indexed
for one person's agenda.

One person's agenda was the union of the follow-ups assigned to them and those they inherit
as the last to work for the client (Client.last_worked_by): at 100,000 clients it read all of
a person's ~7,000 follow-ups to show 40 of them (80-190 ms). Kept on the task as
`responsible`, each group of the agenda reads its first rows and its count in date order
from one index. Triggers keep it, whatever writes tasks, clients or employees:

- responsible = for a pending task with a next follow-up, its assignee while they are
  active, else the client's last_worked_by; NULL for any other task (nothing to follow up,
  nothing to keep up to date when the client's last worker changes);
- a task's own change (new, assignee, project, status, next follow-up): a row trigger sets
  it from the task's client and assignee. New work locks its client's row first
  (hexa.crm.services.locks), so the client's last_worked_by it reads cannot change before
  the task is committed;
- a client's last_worked_by changes (a dedication by someone else, 0008's triggers): its
  pending follow-ups follow; an employee is archived or restored: the pending follow-ups
  assigned to them; a project moves to another client: its pending follow-ups.

Row triggers on both databases (a BEFORE trigger on PostgreSQL sets the task being written:
no second write), each with a WHEN clause, so that a write that changes nothing they depend
on (every quick log updates its client's row) costs no call. The migration also installs
0008's triggers again (a change of a dedication's employee alone now refreshes the
client's last_worked_by) and refreshes that column, then fills the new one in batches of
tasks (short row locks), then builds the index (CONCURRENTLY on PostgreSQL: writers are not
locked out), hence atomic = False.

A later migration that makes SQLite rebuild crm_task, crm_client, crm_employee or
crm_project drops these triggers with the old table: it must run `install` again
(tests/crm/test_task_responsible.py fails otherwise).
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

from hexa.lib.schema import add_index, drop_index

summaries = importlib.import_module("hexa.crm.migrations.0008_client_follow_up_and_last_dedication")

BATCH = 20_000

INDEX = models.Index(
    fields=["responsible", "next_follow_up"],
    condition=Q(status="pending", next_follow_up__isnull=False),
    name="crm_task_responsible_follow_up",
)

# The definition, for a task row `{task}` (its project `p`, their client `c`, its assignee
# `e`). Fixed SQL of this module, no outside value in it (here and below).
RESPONSIBLE = (
    "CASE WHEN {task}.status <> 'pending' OR {task}.next_follow_up IS NULL THEN NULL "
    "WHEN e.active THEN {task}.assigned_to_id ELSE c.last_worked_by_id END"
)
# The tasks whose responsible someone else's change may move: pending follow-ups.
FOLLOWED_UP = "status = 'pending' AND next_follow_up IS NOT NULL"

# --- PostgreSQL ---------------------------------------------------------------------------------

POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION hexa_task_responsible() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.responsible_id := (
        SELECT {RESPONSIBLE.format(task="NEW")}
        FROM crm_project p JOIN crm_client c ON c.id = p.client_id
        LEFT JOIN crm_employee e ON e.id = NEW.assigned_to_id
        WHERE p.id = NEW.project_id
    );
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION hexa_refresh_responsible(tasks bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(tasks) = 0 THEN RETURN; END IF;
    UPDATE crm_task t SET responsible_id = r.employee
    FROM (
        SELECT x.id, {RESPONSIBLE.format(task="x")} AS employee
        FROM crm_task x JOIN crm_project p ON p.id = x.project_id
        JOIN crm_client c ON c.id = p.client_id
        LEFT JOIN crm_employee e ON e.id = x.assigned_to_id
        WHERE x.id = ANY(tasks)
    ) r
    WHERE t.id = r.id AND t.responsible_id IS DISTINCT FROM r.employee;
END $$;

CREATE OR REPLACE FUNCTION hexa_clients_responsible() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- The quick log's path (a dedication by someone else than the last): one statement.
    UPDATE crm_task t SET responsible_id = NEW.last_worked_by_id
    FROM crm_project p
    WHERE p.client_id = NEW.id AND t.project_id = p.id
      AND t.status = 'pending' AND t.next_follow_up IS NOT NULL
      AND t.responsible_id IS DISTINCT FROM NEW.last_worked_by_id
      AND NOT EXISTS (
          SELECT 1 FROM crm_employee e WHERE e.id = t.assigned_to_id AND e.active
      );
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hexa_employees_responsible() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hexa_refresh_responsible(ARRAY(
        SELECT id FROM crm_task WHERE assigned_to_id = NEW.id AND {FOLLOWED_UP}
    ));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hexa_projects_responsible() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hexa_refresh_responsible(ARRAY(
        SELECT id FROM crm_task WHERE project_id = NEW.id AND {FOLLOWED_UP}
    ));
    RETURN NULL;
END $$;
"""  # noqa: S608

# (name, table, the columns it follows, when, function): after-row triggers.
POSTGRES_TRIGGERS = [
    (
        "hexa_client_update_responsible",
        "crm_client",
        "last_worked_by_id",
        "OLD.last_worked_by_id IS DISTINCT FROM NEW.last_worked_by_id",
        "hexa_clients_responsible",
    ),
    (
        "hexa_employee_update_responsible",
        "crm_employee",
        "active",
        "OLD.active IS DISTINCT FROM NEW.active",
        "hexa_employees_responsible",
    ),
    (
        "hexa_project_update_responsible",
        "crm_project",
        "client_id",
        "OLD.client_id IS DISTINCT FROM NEW.client_id",
        "hexa_projects_responsible",
    ),
]
POSTGRES_ROW_TRIGGER = "hexa_task_responsible"
# What a task's own responsible depends on.
TASK_COLUMNS = "assigned_to_id, project_id, status, next_follow_up"

# --- SQLite -------------------------------------------------------------------------------------

SQLITE_REFRESH = f"""
UPDATE crm_task SET responsible_id = (
    SELECT {RESPONSIBLE.format(task="crm_task")}
    FROM crm_project p JOIN crm_client c ON c.id = p.client_id
    LEFT JOIN crm_employee e ON e.id = crm_task.assigned_to_id
    WHERE p.id = crm_task.project_id
) WHERE {{tasks}};
"""  # noqa: S608

SQLITE_CLIENT_PROJECTS = "SELECT id FROM crm_project WHERE client_id = NEW.id"
SQLITE_TRIGGERS = {
    "hexa_task_insert_responsible": "AFTER INSERT ON crm_task "
    f"WHEN NEW.{FOLLOWED_UP.replace(' AND ', ' AND NEW.')} BEGIN"
    + SQLITE_REFRESH.format(tasks="id = NEW.id")
    + "END",
    "hexa_task_update_responsible": f"AFTER UPDATE OF {TASK_COLUMNS} ON crm_task BEGIN"
    + SQLITE_REFRESH.format(tasks="id = NEW.id")
    + "END",
    "hexa_client_update_responsible": "AFTER UPDATE OF last_worked_by_id ON crm_client "
    "WHEN OLD.last_worked_by_id IS NOT NEW.last_worked_by_id BEGIN"
    + SQLITE_REFRESH.format(tasks=f"project_id IN ({SQLITE_CLIENT_PROJECTS}) AND {FOLLOWED_UP}")
    + "END",
    "hexa_employee_update_responsible": "AFTER UPDATE OF active ON crm_employee "
    "WHEN OLD.active IS NOT NEW.active BEGIN"
    + SQLITE_REFRESH.format(tasks=f"assigned_to_id = NEW.id AND {FOLLOWED_UP}")
    + "END",
    "hexa_project_update_responsible": "AFTER UPDATE OF client_id ON crm_project "
    "WHEN OLD.client_id IS NOT NEW.client_id BEGIN"
    + SQLITE_REFRESH.format(tasks=f"project_id = NEW.id AND {FOLLOWED_UP}")
    + "END",
}


def install(apps, schema_editor):
    summaries.install(apps, schema_editor)  # with the fix of a dedication's employee
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTIONS)
            cursor.execute(f"DROP TRIGGER IF EXISTS {POSTGRES_ROW_TRIGGER} ON crm_task")
            cursor.execute(
                f"CREATE TRIGGER {POSTGRES_ROW_TRIGGER} "
                f"BEFORE INSERT OR UPDATE OF {TASK_COLUMNS} ON crm_task "
                f"FOR EACH ROW EXECUTE FUNCTION {POSTGRES_ROW_TRIGGER}()"
            )
            for name, table, columns, when, function in POSTGRES_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER UPDATE OF {columns} ON {table} "
                    f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {function}()"
                )
        else:
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {POSTGRES_ROW_TRIGGER} ON crm_task")
            cursor.execute(f"DROP FUNCTION IF EXISTS {POSTGRES_ROW_TRIGGER}()")
            for name, table, _columns, _when, function in POSTGRES_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
            cursor.execute("DROP FUNCTION IF EXISTS hexa_refresh_responsible(bigint[])")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def fill(apps, schema_editor):
    """The clients' last_worked_by again (a change of a dedication's employee alone may have
    left it behind), then the responsible of every pending follow-up (the others stay NULL),
    a batch at a time on PostgreSQL (each batch its own short transaction: the triggers keep
    the rows already done right meanwhile)."""
    summaries.fill(apps, schema_editor)
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(SQLITE_REFRESH.format(tasks=FOLLOWED_UP))
            return
        last = 0
        while True:
            cursor.execute(
                "SELECT coalesce(array_agg(id), '{}') FROM "  # noqa: S608 - fixed SQL
                f"(SELECT id FROM crm_task WHERE id > %s AND {FOLLOWED_UP} "
                "ORDER BY id LIMIT %s) batch",
                [last, BATCH],
            )
            (tasks,) = cursor.fetchone()
            if not tasks:
                cursor.execute("ANALYZE crm_task")
                return
            cursor.execute("SELECT hexa_refresh_responsible(%s)", [tasks])
            last = max(tasks)


def build_index(apps, schema_editor):
    add_index(schema_editor, apps.get_model("crm", "Task"), INDEX)


def drop_the_index(apps, schema_editor):
    drop_index(schema_editor, INDEX.name)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("crm", "0013_month_totals")]

    operations = [
        migrations.AddField(
            model_name="task",
            name="responsible",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="crm.employee",
                verbose_name="responsible",
            ),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="task", index=INDEX)],
            database_operations=[migrations.RunPython(build_index, drop_the_index)],
        ),
    ]
