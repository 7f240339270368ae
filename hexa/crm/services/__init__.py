"""Hexa's domain layer: every business rule, once, as plain functions.

Interfaces (web, API, command line) parse their input, call these, and render the result or
map the domain error (hexa.crm.errors) to their own form.
"""

from hexa.crm.services.codes import code_to_look_up, normalize_code
from hexa.crm.services.dedications import (
    change_dedication,
    dedication_history,
    delete_dedication,
    record_dedication,
)
from hexa.crm.services.lookups import (
    client_by_code,
    dedication_by_id,
    employee_by_code,
    employee_of,
    project_by_code,
    task_by_id,
    user_by_username,
)
from hexa.crm.services.permissions import SYSTEM, can_change_dedication, is_manager
from hexa.crm.services.quick_log import (
    QuickLogPlan,
    QuickLogResult,
    follow_up_choices,
    follow_up_kept,
    follow_up_task_title,
    plan_quick_log,
    purge_idempotency_keys,
    quick_log,
)
from hexa.crm.services.records import (
    create_client,
    create_employee,
    create_project,
    update_client,
    update_employee,
    update_project,
)
from hexa.crm.services.tasks import (
    assign_task,
    complete_task,
    create_client_task,
    create_task,
    reopen_task,
    reschedule_task,
    update_task,
)
from hexa.crm.services.validation import (
    KEPT_IF_TO_COME,
    UNCHANGED,
    NextFollowUp,
    minutes_from,
    validate_dedication,
)

__all__ = [
    "KEPT_IF_TO_COME",
    "SYSTEM",
    "UNCHANGED",
    "NextFollowUp",
    "QuickLogPlan",
    "QuickLogResult",
    "assign_task",
    "can_change_dedication",
    "change_dedication",
    "client_by_code",
    "code_to_look_up",
    "complete_task",
    "create_client",
    "create_client_task",
    "create_employee",
    "create_project",
    "create_task",
    "dedication_by_id",
    "dedication_history",
    "delete_dedication",
    "employee_by_code",
    "employee_of",
    "follow_up_choices",
    "follow_up_kept",
    "follow_up_task_title",
    "is_manager",
    "minutes_from",
    "normalize_code",
    "plan_quick_log",
    "project_by_code",
    "purge_idempotency_keys",
    "quick_log",
    "record_dedication",
    "reopen_task",
    "reschedule_task",
    "task_by_id",
    "update_client",
    "update_employee",
    "update_project",
    "update_task",
    "user_by_username",
    "validate_dedication",
]
