"""The agenda of follow-ups (mine, everyone's, an employee's), the clients nobody follows
up, and each user's secret calendar feed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from icalendar import Calendar, Event

from hexa.crm import services
from hexa.crm.models import Client, Employee, Task
from hexa.crm.services import agenda as agenda_service
from hexa.lib.exports import private_download
from hexa.lib.requests import AuthenticatedRequest
from hexa.web.views.common import is_htmx

FORGOTTEN_DAYS = 30
FORGOTTEN_SHOWN = 10
"""Forgotten clients on the agenda itself; the rest are a "see all" away."""
GROUP_PAGE = 25
"""Follow-ups (or forgotten clients) on each page of one agenda group (its "see all")."""
FORGOTTEN = "forgotten"


def _whose(request: AuthenticatedRequest, who: str) -> tuple[str, Employee | None]:
    """("mine" | "all" | an employee's code, the employee whose agenda it is or None)."""
    own = services.employee_of(request.user)
    if who == "all":
        return "all", None
    if who == "mine":
        return "mine", own
    employee = Employee.objects.filter(code=services.normalize_code(who)).first()
    return (employee.code, employee) if employee else ("mine", own)


def agenda_context(request: AuthenticatedRequest) -> dict:
    """What the agenda page shows for the request's `who`: "mine" (the default), "all" or an
    employee's code. Each group shows its first follow-ups and its count; with `group`, the
    page shows that group alone, a page at a time (`after` the last task of the previous
    page)."""
    today = timezone.localdate()
    who = (request.GET.get("who") or "mine").strip()
    who, employee = _whose(request, who)
    if who == "mine" and employee is None:
        # A user without an employee has no follow-ups of their own.
        tasks: QuerySet[Task] = Task.objects.none()
    else:
        tasks = agenda_service.follow_ups(employee=employee)
    group = request.GET.get("group")
    days = FORGOTTEN_DAYS
    context = {
        "today": today,
        "who": who,
        "employee": employee,
        "employees": Employee.objects.filter(active=True).order_by("name"),
        "forgotten_days": days,
        "has_feed": hasattr(request.user, "calendar_feed"),
    }
    forgotten = agenda_service.forgotten_clients(today=today, days=days)
    if group in agenda_service.GROUPS:
        return {**context, **_group_page(request, tasks, group, today)}
    if group == FORGOTTEN:
        return {**context, **_forgotten_page(request, forgotten)}
    forgotten_count, forgotten_capped = agenda_service.capped_count(forgotten)
    return {
        **context,
        "agenda": agenda_service.agenda(tasks, today=today),
        "forgotten": forgotten[:FORGOTTEN_SHOWN],
        "forgotten_count": forgotten_count,
        "forgotten_capped": forgotten_capped,
    }


def _group_page(request: HttpRequest, tasks: QuerySet[Task], group: str, today: dt.date) -> dict:
    """One group of the agenda, GROUP_PAGE follow-ups from the one after `after`."""
    in_group = tasks.filter(agenda_service.group_range(group, today))
    after = request.GET.get("after", "")
    after_id = int(after) if after.isascii() and after.isdigit() and len(after) < 19 else None
    shown = list(agenda_service.after(in_group, after_id)[: GROUP_PAGE + 1])
    return {
        "group": group,
        "page_tasks": shown[:GROUP_PAGE],
        "next_after": shown[GROUP_PAGE - 1].pk if len(shown) > GROUP_PAGE else None,
        "continued": after_id is not None,
    }


def _forgotten_page(request: HttpRequest, forgotten: QuerySet[Client]) -> dict:
    """The forgotten clients alone, GROUP_PAGE from the one after the client `after`."""
    after_code = services.code_to_look_up(request.GET.get("after", ""))
    shown = list(agenda_service.forgotten_after(forgotten, after_code)[: GROUP_PAGE + 1])
    return {
        "group": FORGOTTEN,
        "page_clients": shown[:GROUP_PAGE],
        "next_after": shown[GROUP_PAGE - 1].code if len(shown) > GROUP_PAGE else None,
        "continued": bool(after_code),
    }


def agenda(request: AuthenticatedRequest) -> HttpResponse:
    """The agenda page; with htmx, only its lists (refreshed after a quick log or an action on
    one of its rows)."""
    template = "web/agenda.html"
    if is_htmx(request) and request.htmx.target == "agenda-lists":
        template += "#agenda-lists"
    return TemplateResponse(request, template, agenda_context(request))


@require_POST
def calendar_feed(request: AuthenticatedRequest) -> HttpResponse:
    """Make a new secret calendar address (the old one stops working), or revoke it."""
    if request.POST.get("revoke") == "1":
        agenda_service.revoke_calendar_feed(request.user)
        messages.success(request, _("Your calendar address no longer works."))
        return redirect("web:agenda")
    secret = agenda_service.new_calendar_feed(request.user)
    url = request.build_absolute_uri(reverse("calendar", args=[secret]))
    return TemplateResponse(request, "web/calendar_feed.html", {"url": url})


@login_not_required
@require_GET
def calendar(request: HttpRequest, secret: str) -> HttpResponse:
    """The follow-ups of the address's owner as all-day events, for any calendar app. The
    secret in the address is the only credential, so it is long and can be revoked."""
    user = agenda_service.calendar_owner(secret)
    if user is None:
        raise Http404
    employee = services.employee_of(user)
    tasks = agenda_service.follow_ups(employee=employee) if employee else []
    feed = Calendar()
    feed.add("prodid", "-//Hexa//follow-ups//ES")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", _("Hexa follow-ups"))
    stamp = timezone.now()
    host = request.get_host()
    for task in tasks:
        assert task.next_follow_up is not None  # follow_ups() are the tasks with one
        event = Event()
        event.add("uid", f"task-{task.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", task.next_follow_up)
        if task.next_follow_up < dt.date.max:  # without an end, an all-day event is one day
            event.add("dtend", task.next_follow_up + dt.timedelta(days=1))
        event.add(
            "summary", f"{task.project.client.code} · {task.project.client.name}: {task.title}"
        )
        link = request.build_absolute_uri(reverse("web:task", args=[task.pk]))
        event.add("url", link)
        event.add("description", link)
        feed.add_component(event)
    response = HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="hexa.ics"'
    return private_download(response)
