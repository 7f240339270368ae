"""A client's statement as documents to send: PDF (reportlab) and XLSX (openpyxl).

The PDF uses reportlab's standard Helvetica, whose WinAnsi encoding covers Spanish and the
usual typography (á é ñ ü ¿ ¡ € “ ”); a character it cannot show becomes "?" instead of an
empty box.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from typing import Any
from xml.sax.saxutils import escape

from django.http import FileResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, PropertySet, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hexa.crm.services.reports import Statement, minutes_to_hours
from hexa.lib.durations import format_minutes
from hexa.lib.exports import XlsxSheet, new_workbook, xlsx_response

# A table row cannot be split across pages, so a long text goes in rows of at most this many
# characters (a dedication's text may have 10,000: more than a page).
TEXT_PIECE = 900
MARGIN = 16 * mm


def _winansi(text: str) -> str:
    return text.encode("cp1252", "replace").decode("cp1252")


def _paragraph(text: str, style: PropertySet) -> Paragraph:
    return Paragraph(escape(_winansi(text)).replace("\n", "<br/>"), style)


def _pieces(text: str) -> list[str]:
    """`text` in pieces of at most TEXT_PIECE characters, cut between words where it can."""
    if len(text) <= TEXT_PIECE:
        return [text]
    return textwrap.wrap(
        text, TEXT_PIECE, replace_whitespace=False, drop_whitespace=False, break_long_words=True
    )


def _day(day: dt.date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def period_text(statement: Statement) -> str:
    start, end = statement.date_from, statement.date_to
    if start and end:
        return _("From %(start)s to %(end)s") % {"start": _day(start), "end": _day(end)}
    if start:
        return _("From %(start)s") % {"start": _day(start)}
    if end:
        return _("Up to %(end)s") % {"end": _day(end)}
    return _("All activity")


def _numbered_canvas(footer: str) -> type[Canvas]:
    """A canvas that writes "footer · Page N of M" on every page, once M is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's, not in its stubs

        def save(self) -> None:
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.setFillColor(colors.grey)
                page = _("Page %(page)d of %(pages)d") % {
                    "page": self._pageNumber,  # type: ignore[attr-defined]  # as _startPage
                    "pages": len(self._pages),
                }
                self.drawString(MARGIN, 10 * mm, _winansi(footer))
                self.drawRightString(A4[0] - MARGIN, 10 * mm, _winansi(page))
                super().showPage()
            super().save()

    return NumberedCanvas


def statement_pdf(statement: Statement, *, generated: dt.date) -> bytes:
    """The statement as an A4 PDF: the client, the period, time per project, then every
    dedication, oldest first; every page numbered."""
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=8.5, leading=10.5)
    right = ParagraphStyle("right", parent=small, alignment=TA_RIGHT)
    client = statement.client
    story: list[Any] = [
        _paragraph(_("Activity statement"), styles["Title"]),
        _paragraph(f"{client.code} · {client.name}", styles["Heading2"]),
    ]
    facts = [period_text(statement)]
    if client.tax_id:
        facts.append(_("Tax id %(tax_id)s") % {"tax_id": client.tax_id})
    facts.append(
        _("%(count)d activities, %(time)s in all")
        % {"count": statement.count, "time": format_minutes(statement.minutes) or "0m"}
    )
    story += [_paragraph(fact, styles["BodyText"]) for fact in facts]
    story.append(Spacer(1, 5 * mm))

    width = A4[0] - 2 * MARGIN
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
            ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ]
    )
    if statement.projects.rows:
        story.append(_paragraph(_("Time per project"), styles["Heading3"]))
        rows: list[list[Any]] = [[_("Project"), _("Name"), _("Activities"), _("Time")]]
        rows += [
            [
                _winansi(total.code),
                _paragraph(total.name, small),
                str(total.count),
                format_minutes(total.minutes) or "0m",
            ]
            for total in statement.projects.rows
        ]
        rows.append(["", _("Total"), str(statement.count), format_minutes(statement.minutes)])
        table = Table(rows, colWidths=[0.22 * width, 0.48 * width, 0.15 * width, 0.15 * width])
        table.setStyle(grid)
        table.setStyle([("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8.5)])
        story += [table, Spacer(1, 6 * mm)]

    story.append(_paragraph(_("Activities"), styles["Heading3"]))
    rows = [[_("Date"), _("Project"), _("Who"), _("What was done"), _("Time")]]
    for dedication in statement.entries:
        pieces = _pieces(dedication.text)
        rows.append(
            [
                _day(dedication.date),
                _paragraph(dedication.project.code, small),
                _paragraph(dedication.employee.name, small),
                _paragraph(pieces[0], small),
                _paragraph(format_minutes(dedication.minutes), right),
            ]
        )
        rows += [["", "", "", _paragraph(piece, small), ""] for piece in pieces[1:]]
    if not statement.entries:
        rows.append(["", "", "", _("No activity in this period."), ""])
    table = Table(
        rows,
        colWidths=[0.12 * width, 0.16 * width, 0.16 * width, 0.46 * width, 0.10 * width],
        repeatRows=1,
    )
    table.setStyle(grid)
    story.append(table)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=_winansi(_("Activity statement") + f" · {client.code}"),
        author="Hexa",
    )
    footer = " · ".join(
        [client.code, period_text(statement), _("generated on %(day)s") % {"day": _day(generated)}]
    )
    document.build(story, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()


def statement_xlsx(statement: Statement, *, filename: str) -> FileResponse:
    """The statement as a workbook: one sheet of dedications, one of time per project."""
    workbook = new_workbook()
    client = statement.client
    about = XlsxSheet(
        workbook, _("Statement"), [_("Client"), f"{client.code} · {client.name}"], widths=[18, 60]
    )
    about.append([_("Tax id"), client.tax_id])
    about.append([_("Period"), period_text(statement)])
    about.append([_("Activities"), statement.count])
    about.append([_("Minutes"), statement.minutes])
    about.append([_("Hours"), statement.hours])
    entries = XlsxSheet(
        workbook,
        _("Activities"),
        [
            _("Date"),
            _("Project"),
            _("Task"),
            _("Who"),
            _("What was done"),
            _("Minutes"),
            _("Hours"),
        ],
        widths=[12, 16, 28, 22, 70, 10, 10],
    )
    for dedication in statement.entries:
        minutes = dedication.minutes
        entries.append(
            [
                dedication.date,
                dedication.project.code,
                dedication.task.title if dedication.task else "",
                dedication.employee.name,
                dedication.text,
                minutes,
                minutes_to_hours(minutes) if minutes is not None else None,
            ]
        )
    entries.append(["", "", "", "", _("Total"), statement.minutes, statement.hours], bold=True)
    projects = XlsxSheet(
        workbook,
        _("Time per project"),
        [_("Project"), _("Name"), _("Activities"), _("Minutes"), _("Hours")],
        widths=[18, 40, 12, 10, 10],
    )
    for total in statement.projects.rows:
        projects.append([total.code, total.name, total.count, total.minutes, total.hours])
    return xlsx_response(workbook, filename=filename)
