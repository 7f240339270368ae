from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase


class PagesRequireLogin(LoginRequiredMiddleware):
    """Every page needs a signed-in user unless it says otherwise (the sign-in page does).

    The JSON API authenticates each request by its token and answers 401 in JSON, so it is
    left to its own authentication instead of being redirected to the sign-in page.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
