"""Former home of the domain's shared helpers, now split by what they are: codes
(hexa.crm.services.codes), lookups, model validation and locks. Kept so that older imports
keep working; import from those modules instead."""

from hexa.crm.services.codes import CODE_PATTERN, check_code, normalize_code
from hexa.crm.services.locks import lock, lock_client, require_open, unchanged_on_error
from hexa.crm.services.lookups import (
    client_by_code,
    employee_by_code,
    employee_of,
    project_by_code,
    task_by_id,
    user_by_username,
)
from hexa.crm.services.model_validation import full_clean

__all__ = [
    "CODE_PATTERN",
    "check_code",
    "client_by_code",
    "employee_by_code",
    "employee_of",
    "full_clean",
    "lock",
    "lock_client",
    "normalize_code",
    "project_by_code",
    "require_open",
    "task_by_id",
    "unchanged_on_error",
    "user_by_username",
]
