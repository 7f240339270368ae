"""`hexa remind`: each employee gets, by email, their follow-ups due today and overdue."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.translation import ngettext

from hexa.crm.models import Employee, Reminder
from hexa.crm.services.agenda import agenda, follow_ups

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminded:
    employee: Employee
    follow_ups: int
    sent: bool  # False: the email could not be sent (the next run tries again)


def send_reminders(*, today: dt.date, link: str = "") -> list[Reminded]:
    """Email every active employee with an email address their follow-ups due on `today` or
    before. Once a day: an employee already reminded on `today` is skipped, so running it
    twice sends nothing more. `link` is the agenda's address, put in the email."""
    results = []
    for employee in Employee.objects.filter(active=True).exclude(email="").order_by("code"):
        due_tasks = follow_ups(employee=employee, date_to=today)
        due = list(due_tasks)
        if not due:
            continue
        try:
            # The row is the once-a-day lock: a second run, even a simultaneous one, stops here.
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    employee=employee, date=today, follow_ups=len(due)
                )
        except IntegrityError:
            continue
        # The email lists every follow-up due, not the agenda page's first rows of each group.
        grouped = agenda(due_tasks, today=today, rows=len(due))
        subject = ngettext(
            "Hexa: %(count)d follow-up due", "Hexa: %(count)d follow-ups due", len(due)
        ) % {"count": len(due)}
        body = render_to_string(
            "crm/reminder.txt", {"employee": employee, "agenda": grouped, "link": link}
        )
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [employee.email])
        except Exception:
            # Not sent: forget it, so that the next run tries again; go on with the others.
            reminder.delete()
            logger.exception("Could not email the reminder to %s", employee.code)
            results.append(Reminded(employee=employee, follow_ups=len(due), sent=False))
            continue
        results.append(Reminded(employee=employee, follow_ups=len(due), sent=True))
    return results
