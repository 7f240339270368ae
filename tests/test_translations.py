"""The Spanish catalog: complete, with Spanish's three plural forms, and compiled."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from django.utils import translation

import hexa

LOCALE = Path(hexa.__file__).parent / "locale" / "es" / "LC_MESSAGES"


def messages() -> list[dict[str, str]]:
    """The .po file's entries as {keyword: text}, header and obsolete ones left out."""
    found = []
    for block in (LOCALE / "django.po").read_text().split("\n\n"):
        entry: dict[str, str] = {}
        keyword = None
        for line in block.splitlines():
            if line.startswith("#"):
                if line.startswith("#,") and "fuzzy" in line:
                    entry["fuzzy"] = "yes"
                continue
            if line.startswith('"'):
                entry[keyword] += ast.literal_eval(line)
                continue
            keyword, _, quoted = line.partition(" ")
            entry[keyword] = ast.literal_eval(quoted)
        if entry.get("msgid"):
            found.append(entry)
    return found


def test_the_catalog_is_read_whole():
    # Every msgid line but the header's is an entry found (a parsing slip would find none).
    assert len(messages()) == (LOCALE / "django.po").read_text().count("\nmsgid ") - 1 > 500


def test_every_message_is_translated():
    untranslated = [
        entry["msgid"]
        for entry in messages()
        if "fuzzy" in entry
        or not any(key.startswith("msgstr") for key in entry)
        or not all(text for key, text in entry.items() if key.startswith("msgstr"))
    ]

    assert untranslated == []


def test_plural_messages_have_the_three_spanish_forms():
    plurals = [entry for entry in messages() if "msgid_plural" in entry]

    assert plurals
    assert [e["msgid"] for e in plurals if "msgstr[2]" not in e] == []


def test_the_compiled_catalog_has_every_message():
    with (LOCALE / "django.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)

    def key_of(entry: dict[str, str]) -> str:  # gettext's key for a message with a context
        if "msgctxt" in entry:
            return f"{entry['msgctxt']}\x04{entry['msgid']}"
        return entry["msgid"]

    stale = [
        e["msgid"]
        for e in messages()
        if any(
            compiled._catalog.get(key_of(e) if key == "msgstr" else (key_of(e), int(key[7])))
            != text
            for key, text in e.items()
            if key.startswith("msgstr")
        )
    ]

    assert stale == []


def test_spanish_plurals_at_runtime():
    with translation.override("es"):
        assert translation.ngettext("%(rows)s row", "%(rows)s rows", 1) == "%(rows)s fila"
        assert translation.ngettext("%(rows)s row", "%(rows)s rows", 9) == "%(rows)s filas"
