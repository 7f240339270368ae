"""The forms of one's own account: API tokens, and a manager's lifting of a lockout."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hexa.api.tokens import NAME_MAX
from hexa.web.forms.base import DateInput


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX,
        help_text=_("What it is for, e.g. “accounting export” or “Laura's phone”."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput(),
        help_text=_("The last day it works. Leave it empty for a token that works until revoked."),
    )


class LiftLockoutForm(forms.Form):
    """One user name or one address, as the lockouts page lists them."""

    username = forms.CharField(required=False, max_length=255)
    address = forms.CharField(required=False, max_length=64)
