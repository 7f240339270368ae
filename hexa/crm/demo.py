"""Demo data: a small Spanish business and its clients, in states that show every quick-log
rule at work. Dates are relative to today, so there is always something overdue, something
due today and something coming."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from hexa.crm import services
from hexa.crm.models import Client, Dedication, Employee, Project, Task
from hexa.crm.services import SYSTEM, totals

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - printed by `make run`; demo databases only
# A second login, not a manager: changes only the dedications it recorded or that are its own.
OTHER_USERNAME = "javier"
OTHER_PASSWORD = "javier"  # noqa: S105 - demo databases only

EMPLOYEES = [
    ("LAURA", "Laura Martín", "laura@ejemplo.es"),
    ("JAVIER", "Javier Ortega", "javier@ejemplo.es"),
    ("CARMEN", "Carmen Ruiz", "carmen@ejemplo.es"),
    ("PABLO", "Pablo Sanz", "pablo@ejemplo.es"),  # left the company: inactive
]

# code, name, tax id, email, phone
CLIENTS = [
    ("PANRIVERA", "Panadería Rivera", "B18273645", "pedidos@panaderiarivera.es", "958 221 430"),
    ("CLINICASOL", "Clínica Dental Sol", "B29384756", "recepcion@clinicasol.es", "952 118 902"),
    ("HOTELMAR", "Hotel Mar Azul", "A41526374", "direccion@hotelmarazul.es", "956 704 118"),
    ("BODEGAS", "Bodegas Valdehierro", "B02938475", "info@valdehierro.es", "941 302 557"),
    ("TALLERGIL", "Talleres Gil", "B50617283", "taller@talleresgil.es", "976 450 231"),
    ("PRIETO", "Construcciones Hermanos Prieto", "B47382910", "obras@hprieto.es", "983 660 174"),
    ("REFORMAS", "Reformas Castillo", "B37261548", "hola@reformascastillo.es", "923 281 904"),
    ("FLORES", "Floristería Las Camelias", "B11223344", "camelias@floristeria.es", "954 210 377"),
    (
        "GESTORIA",
        "Gestoría Navarro y Asociados",
        "B99887766",
        "despacho@gnavarro.es",
        "91 532 8841",
    ),
    ("FARMACIA", "Farmacia Serrano", "B66554433", "farmacia@serrano.es", "96 351 0276"),
    ("AUTOSUR", "Autoescuela Sur", "B31415926", "info@autoescuelasur.es", "957 480 112"),
    ("OPTICA", "Óptica Miranda", "B27182818", "optica@miranda.es", "985 213 660"),
    ("LIBRERIA", "Librería El Faro", "B16180339", "libros@elfaro.es", "942 312 905"),
    ("CATERING", "Catering Alba", "B14142135", "eventos@cateringalba.es", "968 220 448"),
    ("GIMNASIO", "Gimnasio Atlas", "B17320508", "socios@gimnasioatlas.es", "979 744 016"),
    ("VETERINA", "Clínica Veterinaria Roble", "B22360679", "citas@vetroble.es", "987 263 590"),
    ("ACADEMIA", "Academia de Idiomas Babel", "B26457513", "info@academiababel.es", "924 330 715"),
    ("INFORMAT", "Informática Bravo", "B31622776", "soporte@ibravo.es", "926 215 873"),
]

TEXTS = [
    "Llamada para revisar el presupuesto de este trimestre.",
    "Visita comercial: presentación de la nueva tarifa.",
    "Envío de propuesta por email con las condiciones acordadas.",
    "Reunión de seguimiento del proyecto con la gerencia.",
    "Resuelta una duda sobre la última factura.",
    "Preparación de la oferta para la campaña de primavera.",
    "Llamada: el cliente pide aplazar la entrega una semana.",
    "Revisión del contrato de mantenimiento anual.",
    "Formación al personal del cliente sobre el nuevo sistema.",
    "Incidencia atendida por teléfono; queda pendiente confirmar.",
    "Visita a las instalaciones para tomar medidas.",
    "Email de agradecimiento tras la firma del pedido.",
]


@dataclass(frozen=True)
class DemoSummary:
    clients: int
    projects: int
    tasks: int
    dedications: int


def has_data() -> bool:
    return Client.objects.exists() or Employee.objects.exists()


@transaction.atomic
def load_demo(*, today: dt.date | None = None, seed: int = 9606) -> DemoSummary:
    """Create the demo business. Meant for an empty database (see `has_data`)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
    now = timezone.now()

    user = _demo_user()
    employees = {
        code: services.create_employee(code=code, name=name, email=email, by=SYSTEM)
        for code, name, email in EMPLOYEES
    }
    services.update_employee(employees["LAURA"], user=user, by=SYSTEM)
    other = get_user_model().objects.create_user(
        OTHER_USERNAME, "javier@ejemplo.es", OTHER_PASSWORD, first_name="Javier"
    )
    services.update_employee(employees["JAVIER"], user=other, by=SYSTEM)
    clients = {
        code: services.create_client(code=code, name=name, tax_id=tax_id, email=email, phone=phone)
        for code, name, tax_id, email, phone in CLIENTS
    }

    def project(code: str, client: str, name: str, kind: str = Project.Kind.COMMERCIAL) -> Project:
        return services.create_project(code=code, name=name, client=clients[client], kind=kind)

    def task(
        on: Project,
        title: str,
        *,
        days_ago: int,
        follow_up: int | None = None,
        kind: str = Task.Kind.TASK,
        done: bool = False,
        **fields: Any,
    ) -> Task:
        created = services.create_task(
            project=on,
            title=title,
            kind=kind,
            next_follow_up=today + dt.timedelta(days=follow_up) if follow_up is not None else None,
            **fields,
        )
        created.created_at = now - dt.timedelta(days=days_ago)
        created.status = Task.Status.DONE if done else Task.Status.PENDING
        created.save(update_fields=["created_at", "status"])
        return created

    # PANRIVERA has no project: its first quick log creates project PANRIVERA.
    # CLINICASOL: one active project, with another code: the quick log uses it.
    clinic = project("WEB-CLINICASOL", "CLINICASOL", "Web y citas online", Project.Kind.PRODUCTION)
    task(clinic, "Seguimiento", days_ago=40, follow_up=-3)
    # HOTELMAR: two active projects; the one with the client's code is used.
    hotel = project("HOTELMAR", "HOTELMAR", "Hotel Mar Azul")
    hotel_web = project("HOTELMAR-WEB", "HOTELMAR", "Reservas web", Project.Kind.PRODUCTION)
    task(hotel, "Renovación del contrato de temporada", days_ago=20, follow_up=0)
    task(
        hotel_web,
        "Integración con la pasarela de pago",
        days_ago=12,
        follow_up=5,
        assigned_to=employees["JAVIER"],
    )
    # BODEGAS: two active projects and neither has its code: the user must choose.
    export = project("BOD-EXPORT", "BODEGAS", "Exportación a Alemania")
    shop = project("BOD-TIENDA", "BODEGAS", "Tienda online", Project.Kind.PRODUCTION)
    task(export, "Catálogo en alemán", days_ago=30, follow_up=2)
    task(shop, "Fotos de producto", days_ago=25)
    # TALLERGIL: its code is taken by a closed project: the next one is TALLERGIL-2.
    old = project("TALLERGIL", "TALLERGIL", "Campaña 2025")
    services.update_project(old, status=Project.Status.CLOSED)
    # REFORMAS: its code is another client's project: it gets REFORMAS-2.
    prieto_reforms = project("REFORMAS", "PRIETO", "Reformas de oficinas", Project.Kind.PRODUCTION)
    # PRIETO: several pending tasks on its project: the most recent is used.
    prieto = project("PRIETO", "PRIETO", "Construcciones Hermanos Prieto")
    task(prieto, "Presupuesto nave industrial", days_ago=60, follow_up=-10)
    task(prieto, "Revisión de certificaciones", days_ago=15, follow_up=-1)
    task(prieto, "Visita a obra", days_ago=3, follow_up=1, assigned_to=employees["LAURA"])
    task(prieto_reforms, "Planos de la planta 2", days_ago=9, follow_up=9)
    # FLORES: only an incident and a finished task: the quick log creates a new task.
    flowers = project("FLORES", "FLORES", "Floristería Las Camelias")
    task(
        flowers,
        "El TPV no imprime tickets",
        days_ago=2,
        kind=Task.Kind.INCIDENT,
        follow_up=0,
        priority=Task.Priority.URGENT,
        reported_by="Marisa (encargada)",
        reported_via=Task.Channel.PHONE,
        description="Desde la actualización de ayer la impresora de tickets no responde.",
        assigned_to=employees["CARMEN"],
    )
    task(flowers, "Alta en el programa de fidelización", days_ago=50, done=True)
    # A few more clients with ordinary single projects and follow-ups spread over time.
    spread = {"GESTORIA": -6, "FARMACIA": 0, "AUTOSUR": 3, "OPTICA": 14, "LIBRERIA": None}
    for code, follow_up in spread.items():
        own = project(code, code, clients[code].name)
        task(own, "Seguimiento", days_ago=rng.randint(5, 80), follow_up=follow_up)
    # INFORMAT: an archived client keeps its history but takes no new dedications.
    informat = project("INFORMAT", "INFORMAT", "Mantenimiento informático")
    task(informat, "Seguimiento", days_ago=200, done=True)

    _history(clients, employees, rng, today, user)
    services.update_client(clients["INFORMAT"], active=False)
    services.update_employee(employees["PABLO"], active=False, by=SYSTEM)
    return DemoSummary(
        clients=Client.objects.count(),
        projects=Project.objects.count(),
        tasks=Task.objects.count(),
        dedications=Dedication.objects.count(),
    )


def _demo_user() -> User:
    User = get_user_model()
    user = User.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(
            DEMO_USERNAME, "demo@ejemplo.es", DEMO_PASSWORD, first_name="Laura", last_name="Martín"
        )
    return user


def _history(
    clients: dict[str, Client],
    employees: dict[str, Employee],
    rng: random.Random,
    today: dt.date,
    user: User,
) -> None:
    """Three months of past dedications on the projects and tasks that exist."""
    projects = list(Project.objects.select_related("client"))
    tasks_by_project: dict[int, list[Task]] = {}
    for task in Task.objects.all():
        tasks_by_project.setdefault(task.project_id, []).append(task)
    people = [employees[code] for code in ("LAURA", "JAVIER", "CARMEN", "PABLO")]
    rows = []
    for _ in range(240):
        project = rng.choice(projects)
        tasks = tasks_by_project.get(project.pk, [])
        employee = rng.choice(people)
        rows.append(
            Dedication(
                client=project.client,
                project=project,
                task=rng.choice(tasks) if tasks and rng.random() < 0.8 else None,
                employee=employee,
                date=today - dt.timedelta(days=rng.randint(0, 90)),
                text=rng.choice(TEXTS),
                minutes=rng.choice([None, 10, 15, 30, 45, 60, 90, 120, 240]),
                # Those with a login recorded their own; the manager recorded the others'.
                recorded_by=employee.user or user,
                via=Dedication.Via.WEB,
            )
        )
    Dedication.objects.bulk_create(rows)
    totals.counted_many(rows)
