"""Gunicorn's access log, with the secrets of addresses redacted (`hexa serve` uses it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from typing import Any

from gunicorn.glogging import Logger

from hexa.lib.redaction import redact


class AccessLogger(Logger):
    """Gunicorn's logger, whose access-log fields (request line, path, referer, headers...)
    are redacted before the line is written."""

    def atoms(  # type: ignore[override]  # the same keys as gunicorn's TypedDict, as a dict
        self, resp: Any, req: Any, environ: MutableMapping[str, Any], request_time: dt.timedelta
    ) -> dict[str, Any]:
        return {
            key: redact(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }
