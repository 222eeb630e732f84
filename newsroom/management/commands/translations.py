"""Refresh the message catalogs under locale/ and compile them (see locale/README.md).

    python manage.py translations            # makemessages, fill en and zh_Hans, compile the .mo files
    python manage.py translations --compile  # only compile the .po files (no GNU gettext needed)

Extracting strings needs GNU gettext's xgettext (Debian package ``gettext``); compiling does not:
the .mo files are written with polib, so the committed catalogs are reproducible anywhere.

After extraction:
- ``en``: msgids are English, so every msgstr is its msgid. (Left empty, Django would fall back to
  LANGUAGE_CODE's catalog and show Traditional Chinese to an editor who chose English.)
- ``zh_Hans``: an empty msgstr is filled with OpenCC t2s of the zh_Hant one (review them in the diff);
  a msgstr already there is kept, so hand corrections survive.
- ``zh_Hant`` is written by hand; the tests fail while any msgstr is empty.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command

from newsroom.text import converter

LOCALES = ("zh_Hant", "zh_Hans", "en")
IGNORE = [".venv/*", "node_modules/*", "tests/*", "bench/*", "staticfiles/*", "media/*", "backups/*"]


def catalog_path(locale, domain="django"):
    return Path(settings.LOCALE_PATHS[0]) / locale / "LC_MESSAGES" / f"{domain}.po"


def unfuzzy(po):
    """Drop msgmerge's guesses (fuzzy entries): an empty msgstr is found by the tests, a wrong guess is not."""
    for entry in po:
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None


def fill(po_en, po_hant, po_hans):
    """Fill the en catalog from its msgids and the zh_Hans one from zh_Hant (see the module docstring)."""
    for po in (po_en, po_hant, po_hans):
        unfuzzy(po)
    for entry in po_en:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    hant = {(e.msgctxt, e.msgid): e for e in po_hant}
    t2s = converter("t2s").convert
    for entry in po_hans:
        source = hant.get((entry.msgctxt, entry.msgid))
        if source is None or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            if not any(entry.msgstr_plural.values()) and any(source.msgstr_plural.values()):
                entry.msgstr_plural = {k: t2s(v) for k, v in source.msgstr_plural.items()}
        elif not entry.msgstr and source.msgstr:
            entry.msgstr = t2s(source.msgstr)


def compile_catalogs(domain="django"):
    import polib

    for locale in LOCALES:
        path = catalog_path(locale, domain)
        if path.exists():
            polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))


class Command(BaseCommand):
    help = "Extract, fill and compile the message catalogs under locale/."

    def add_arguments(self, parser):
        parser.add_argument("--compile", action="store_true", help="Only compile the .po files into .mo files.")

    def handle(self, *args, compile=False, **options):
        import polib

        if not compile:
            call_command("makemessages", locale=list(LOCALES), ignore_patterns=IGNORE, no_obsolete=True,
                         add_location="file", verbosity=0)
            pos = {locale: polib.pofile(str(catalog_path(locale)), wrapwidth=0) for locale in LOCALES}
            fill(pos["en"], pos["zh_Hant"], pos["zh_Hans"])
            for locale, po in pos.items():
                po.metadata_is_fuzzy = False
                po.metadata.update({"Project-Id-Version": "Newsroom", "Language": locale,
                                    "Language-Team": locale, "Last-Translator": "Newsroom editors"})
                po.header = "Newsroom's messages; msgids are English. See locale/README.md."
                po.save()
            missing = [e.msgid for e in pos["zh_Hant"] if not e.translated()]
            if missing:
                self.stdout.write(f"{len(missing)} messages still need a Traditional Chinese translation "
                                  f"in {catalog_path('zh_Hant')}.")
        compile_catalogs()
