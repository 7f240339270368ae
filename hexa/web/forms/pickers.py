"""Choosing a client or a project among thousands: a text field that takes a code, or a name
or tax id that names one (the explorer's search, hexa.crm.services.queries), and, with
JavaScript, suggests them as one types (pickers.js, the ARIA combobox pattern)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hexa.crm.errors import DomainError
from hexa.crm.services import queries


class PickerInput(forms.TextInput):
    """A text field with a list of suggestions from `source` (a URL name answering
    ?q=... with web/suggestions.html); `options` go along as query parameters."""

    template_name = "web/picker_input.html"

    def __init__(
        self, *, source: str, options: dict[str, str] | None = None, attrs: Any = None
    ) -> None:
        super().__init__(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "data-picker-input": "",
                **(attrs or {}),
            }
        )
        self.source = source
        self.options = options or {}

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["attrs"].setdefault("placeholder", _("Code, name or tax id"))
        query = "&".join(f"{key}={value}" for key, value in self.options.items())
        widget["source"] = reverse(self.source) + (f"?{query}" if query else "")
        widget["list_id"] = f"{widget['attrs'].get('id', name)}-options"
        return context


class NamedField(forms.CharField):
    """A client or project typed as people name it: cleans to the one `find(text)` finds,
    or says on the field what to type (see queries.find_client and find_project)."""

    def __init__(self, *, find: Callable[[str], Any], widget: PickerInput, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(widget=widget, **kwargs)
        self.find = find

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        try:
            return self.find(text)
        except DomainError as error:
            raise forms.ValidationError(error.message) from None


class ClientField(NamedField):
    """A client, by code, name or tax id; archived ones only where they may be chosen."""

    def __init__(self, *, include_archived: bool = True, **kwargs: Any) -> None:
        super().__init__(
            find=partial(queries.find_client, include_archived=include_archived),
            widget=PickerInput(
                source="web:client-suggestions",
                options={"archived": "1"} if include_archived else {},
            ),
            **kwargs,
        )


class ProjectField(NamedField):
    """A project, by its code or name or its client's; closed ones only where they may be."""

    def __init__(self, *, include_closed: bool = True, **kwargs: Any) -> None:
        super().__init__(
            find=partial(queries.find_project, include_closed=include_closed),
            widget=PickerInput(
                source="web:project-suggestions",
                options={"closed": "1"} if include_closed else {},
                attrs={"placeholder": _("Code, name or client")},
            ),
            **kwargs,
        )


class SuggestionsForm(forms.Form):
    """What a picker asks for: what was typed, and whether archived clients (or closed
    projects) may be chosen."""

    q = forms.CharField(required=False, max_length=200)
    archived = forms.BooleanField(required=False)
    closed = forms.BooleanField(required=False)
