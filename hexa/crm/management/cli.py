"""How Hexa's commands report domain errors: a clear line on stderr (or a JSON error with
--json) and an exit code that says what kind of error it was."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import OutputWrapper

from hexa.crm.errors import (
    AmbiguousProject,
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    error_body,
)

EXIT_INVALID = 2  # as argparse for bad usage
EXIT_NOT_FOUND = 3
EXIT_CONFLICT = 4


def exit_code(error: DomainError) -> int:
    if isinstance(error, InvalidInput):
        return EXIT_INVALID
    if isinstance(error, NotFound):
        return EXIT_NOT_FOUND
    if isinstance(error, Conflict):
        return EXIT_CONFLICT
    return 1


def error_lines(error: DomainError, *, options: dict[str, str]) -> list[str]:
    """Human lines; `options` maps a field name to the option that sets it (text -> --text)."""
    if isinstance(error, InvalidInput):
        return [
            f"{options.get(field, field)}: {message}"
            for field, messages in error.fields.items()
            for message in messages
        ]
    lines = [error.message]
    if isinstance(error, AmbiguousProject):
        codes = ", ".join(project.code for project in error.candidates)
        lines.append(f"Choose one with {options.get('project', '--project')}: {codes}")
    return lines


@contextmanager
def reporting_errors(
    *, as_json: bool, options: dict[str, str], stdout: OutputWrapper, stderr: OutputWrapper
) -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        if as_json:
            stdout.write(json.dumps(error_body(error), ensure_ascii=False) + "\n")
        else:
            for line in error_lines(error, options=options):
                stderr.write(f"error: {line}\n")
        sys.exit(exit_code(error))
