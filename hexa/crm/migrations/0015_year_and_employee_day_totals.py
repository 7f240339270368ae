"""Totals per year, client and project and per day and employee (hexa.crm.services.totals):
a year's report by client reads a row per project, and one by employee or week a few dozen
rows a day, instead of every day's row of every client (issue 11: 370 and 480 ms at 10
million dedications)."""

import django.db.models.deletion
from django.db import migrations, models


def count_existing(apps, schema_editor):
    """Fill both from the totals per day, a period at a time (a year, a month), each in its
    own short transaction: writers of dedications wait for one period's sum at most. (The
    current code, not a copy: it names only the tables of totals and their columns.)"""
    from hexa.crm.models import EmployeeDayTotal, YearTotal
    from hexa.crm.services.totals import recount_rollups

    recount_rollups(YearTotal, EmployeeDayTotal)


class Migration(migrations.Migration):
    # Not one transaction: each period's recount is its own (see count_existing).
    atomic = False

    dependencies = [
        ("crm", "0014_task_responsible"),
    ]

    operations = [
        migrations.CreateModel(
            name="EmployeeDayTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                ("minutes", models.IntegerField(default=0, verbose_name="minutes")),
                ("entries", models.IntegerField(default=0, verbose_name="dedications")),
                (
                    "employee",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="crm.employee",
                    ),
                ),
            ],
            options={
                "verbose_name": "employee day total",
                "verbose_name_plural": "employee day totals",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("date", "employee"), name="crm_employee_day_total_key"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("entries__gte", 0), ("minutes__gte", 0)),
                        name="crm_employee_day_total_positive",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="YearTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="year")),
                ("minutes", models.IntegerField(default=0, verbose_name="minutes")),
                ("entries", models.IntegerField(default=0, verbose_name="dedications")),
                (
                    "client",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="crm.client",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="crm.project",
                    ),
                ),
            ],
            options={
                "verbose_name": "year total",
                "verbose_name_plural": "year totals",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("date", "client", "project"), name="crm_year_total_key"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("entries__gte", 0), ("minutes__gte", 0)),
                        name="crm_year_total_positive",
                    ),
                ],
            },
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop, elidable=False),
    ]
