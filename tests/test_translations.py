"""The Spanish and English catalogs are complete (nothing untranslated or fuzzy) and the
compiled .mo files match their sources."""

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def po_entries(path: Path) -> list[dict]:
    """Entries of a .po file: flags, msgid and the first msgstr, continuation lines joined."""
    entries, entry, field = [], {"flags": ""}, None
    for line in path.read_text().splitlines() + [""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, field = {"flags": ""}, None
        elif line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ")):
            field, _, value = line.partition(" ")
            field = "msgstr" if field == "msgstr[0]" else field
            entry[field] = ast.literal_eval(value)
        elif line.startswith('"') and field:
            entry[field] += ast.literal_eval(line)
    return [e for e in entries if e["msgid"]]


@pytest.mark.parametrize("language", ["es", "en"])
def test_catalog_is_complete(language):
    entries = po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert entries
    assert not [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not [e["msgid"] for e in entries if not e.get("msgstr")]


@pytest.mark.parametrize("language", ["es", "en"])
def test_compiled_catalog_matches_the_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    stale = [
        e["msgid"]
        for e in po_entries(folder / "django.po")
        if "msgid_plural" not in e and _translated(catalog, e) != e["msgstr"]
    ]
    assert not stale, "run `make messages` to compile the catalog"


def _translated(catalog, entry: dict) -> str:
    if "msgctxt" in entry:  # the same words in another context ("Active" device, "Activa" license)
        return catalog.pgettext(entry["msgctxt"], entry["msgid"])
    return catalog.gettext(entry["msgid"])
