"""UI languages: every string the console shows goes through a gettext catalog (Babel).

The message ids are English; ``locale/zh_CN/LC_MESSAGES/messages.po`` translates them to
Chinese, the default language, and ``locale/en`` keeps them. The ``.po`` files are the
source and are committed; they are compiled in memory when the console starts (no ``.mo``
files to build or forget). After changing a string: ``make console-messages`` (extract
to ``locale/messages.pot`` and update both catalogs), translate, commit;
tests/console/test_i18n.py fails while a string is missing from the catalog or
untranslated.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
COOKIE = "searchlight_lang"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@cache
def translations(language: str) -> Translations:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def choose(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE
