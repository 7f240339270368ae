"""Forms of the web pages. They parse and present; the rules are the domain's."""

from hexa.web.forms.base import DateInput, Renderer
from hexa.web.forms.quick_log import ExplorerForm, ProjectChoiceForm, QuickLogForm

__all__ = ["DateInput", "ExplorerForm", "ProjectChoiceForm", "QuickLogForm", "Renderer"]
