"""Forms of the import pages: the file to read, and which rows of a plan to show."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from hexa.crm.models import ImportAction
from hexa.crm.services import imports

ACCEPTED = ",".join(
    [
        ".csv",
        ".txt",
        ".xlsx",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
)


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel (.xlsx), up to 20 MB and 50,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        if file.size is not None and file.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB: split it."),
                params={"size": imports.MAX_BYTES >> 20},
            )
        return file


FAILED = "failed"


class RowsForm(forms.Form):
    """Which rows of an import to show: all, those of one action, or those that failed."""

    show = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("All")),
            (ImportAction.CREATE, _("New")),
            (ImportAction.UPDATE, _("Changed")),
            (ImportAction.UNCHANGED, _("Unchanged")),
            (ImportAction.ERROR, _("Wrong")),
            (FAILED, _("Failed")),
        ],
    )

    def show_value(self) -> str:
        return self.cleaned_data.get("show", "") if self.is_valid() else ""
