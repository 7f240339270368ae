"""The clients a phone keeps for logging offline (the Log page's device cache)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q

from hexa.crm.models import Client, Dedication, Employee
from hexa.crm.services.agenda import follow_ups

DEVICE_CLIENTS = 2_000  # enough for a small business's whole list, small enough for a phone
RECENT_LOGS = 500  # the user's latest dedications looked at for "logged recently"


def device_clients(
    *, user: User, employee: Employee | None, limit: int = DEVICE_CLIENTS
) -> list[Client]:
    """Active clients, most likely needed first, at most `limit`: those of the employee's
    agenda, then those the user logged for (or recorded) most recently, then the others by
    code until the budget is spent."""
    chosen: dict[int, None] = {}
    if employee is not None:
        agenda = follow_ups(employee=employee).values_list("project__client_id", flat=True)
        chosen.update(dict.fromkeys(agenda[:limit]))
    mine = Q(recorded_by=user) | Q(employee=employee) if employee else Q(recorded_by=user)
    recent = (
        Dedication.objects.filter(mine, client__active=True)
        .order_by("-date", "-id")
        .values_list("client_id", flat=True)
    )
    chosen.update(dict.fromkeys(recent[:RECENT_LOGS]))
    first = list(chosen)[:limit]
    found = {
        client.pk: client
        for client in Client.objects.filter(pk__in=first, active=True).only(
            "code", "name", "tax_id", "active"
        )
    }
    clients = [found[pk] for pk in first if pk in found]
    others = (
        Client.objects.filter(active=True)
        .order_by("code")
        .only("code", "name", "tax_id", "active")[: limit - len(clients) + len(found)]
    )
    clients.extend(client for client in others if client.pk not in found)
    return clients[:limit]
