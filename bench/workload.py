"""What each quick log of the benchmark asks for: which client, what text, which follow-up.

The same mix drives the domain function, the SQL floor and the HTTP load, so their figures
compare like with like.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

from bench.options import FRESH_SHARE

TEXTS = (
    "Llamada de seguimiento: confirma el pedido.",
    "Visita: revisamos la instalación con el encargado.",
    "Email con la propuesta revisada.",
    "Una hora de soporte remoto.",
    "Reunión para preparar la renovación del contrato.",
)
MINUTES = (None, 10, 15, 30, 45, 60, 90)
FOLLOW_UP_SHARE = 0.7  # the rest leave the task's next follow-up unchanged

# (project created, task created) -> what a quick log did, as reported
OUTCOMES = {
    (False, False): "used project and task",
    (False, True): "created task",
    (True, True): "created project and task",
}


@dataclass(frozen=True)
class Op:
    client_id: int
    code: str
    fresh: bool  # the client had no active project when the op was planned
    text: str
    minutes: int | None
    follow_up_days: int | None  # days after today; None: leave the task's date unchanged


class Workload:
    """An endless stream of quick logs with FRESH_SHARE of them on project-less clients.

    Each project-less client is used once (after its first quick log it has a project), so
    they are taken from a shared deque: popleft is atomic, so threads may share it. When it
    runs dry the op goes to a client with a project instead, and `Op.fresh` says so.
    """

    def __init__(
        self,
        rng: random.Random,
        with_project: list[tuple[int, str]],
        without_project: deque[tuple[int, str]],
        fresh_share: float = FRESH_SHARE,
    ) -> None:
        self._rng = rng
        self._with_project = with_project
        self._without_project = without_project
        self._fresh_share = fresh_share

    def next(self) -> Op:
        rng = self._rng
        client, fresh = self._client()
        return Op(
            client_id=client[0],
            code=client[1],
            fresh=fresh,
            text=rng.choice(TEXTS),
            minutes=rng.choice(MINUTES),
            follow_up_days=rng.randint(1, 30) if rng.random() < FOLLOW_UP_SHARE else None,
        )

    def _client(self) -> tuple[tuple[int, str], bool]:
        if self._rng.random() < self._fresh_share:
            try:
                return self._without_project.popleft(), True
            except IndexError:
                pass
        return self._rng.choice(self._with_project), False


def describe_mix() -> str:
    return (
        f"{1 - FRESH_SHARE:.0%} on a random client that has an active project, "
        f"{FRESH_SHARE:.0%} on a client with no active project (each once: creates project "
        f"and task); {FOLLOW_UP_SHARE:.0%} set a next follow-up"
    )
