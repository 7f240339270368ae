"""What a view or an endpoint receives, for the type checker (nothing here runs).

Only signed-in users reach a page that does not say `login_not_required` (the
`PagesRequireLogin` middleware), the admin's pages (staff only), and the API's endpoints
(`hexa.api.auth.TokenAuth`, whose `ApiRequest` adds `request.auth`): there `request.user` is a
`User`, never `AnonymousUser`. django-htmx's middleware, on every request, says whether htmx
sent it (`request.htmx`).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthenticatedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
