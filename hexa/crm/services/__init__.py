"""Hexa's domain layer: every business rule, once, as plain functions.

Interfaces (web, API, command line) parse their input, call these, and render the result or
map the domain error (hexa.crm.errors) to their own form.
"""

from hexa.crm.services.common import (
    client_by_code,
    employee_by_code,
    normalize_code,
    project_by_code,
    task_by_id,
    user_by_username,
)
from hexa.crm.services.quick_log import (
    QuickLogPlan,
    QuickLogResult,
    follow_up_task_title,
    plan_quick_log,
    quick_log,
)
from hexa.crm.services.records import (
    create_client,
    create_employee,
    create_project,
    create_task,
    record_dedication,
    update_client,
    update_employee,
    update_project,
    update_task,
)
from hexa.crm.services.validation import (
    UNCHANGED,
    NextFollowUp,
    minutes_from,
    validate_dedication,
)

__all__ = [
    "UNCHANGED",
    "NextFollowUp",
    "QuickLogPlan",
    "QuickLogResult",
    "client_by_code",
    "create_client",
    "create_employee",
    "create_project",
    "create_task",
    "employee_by_code",
    "follow_up_task_title",
    "minutes_from",
    "normalize_code",
    "plan_quick_log",
    "project_by_code",
    "quick_log",
    "record_dedication",
    "task_by_id",
    "update_client",
    "update_employee",
    "update_project",
    "update_task",
    "user_by_username",
    "validate_dedication",
]
