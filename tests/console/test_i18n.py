"""Every UI string goes through the gettext catalogs, and Chinese has all of them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from console import i18n

pytestmark = pytest.mark.unit

CONSOLE = Path(i18n.__file__).parent
# Text a template may show without a catalog: the names of the languages themselves
# (shown in their own language), symbols and punctuation.
ALLOWED = {"中文", "English"}


def catalog(language: str):
    with (CONSOLE / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def extracted_ids(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "extract",
                    "-F", str(CONSOLE / "babel.cfg"), "-k", "N_", "-k", "tr",
                    "-o", str(pot), str(CONSOLE)], check=True, capture_output=True)
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_every_string_in_the_code_is_translated_to_chinese(tmp_path):
    zh = {m.id: m for m in catalog("zh_CN") if m.id}
    missing = sorted(i for i in extracted_ids(tmp_path) if i not in zh or not zh[i].string
                     or zh[i].fuzzy)
    assert not missing, ("untranslated UI strings (make console-messages, then translate "
                         f"console/locale/zh_CN): {missing}")


def test_translations_keep_their_placeholders():
    for m in catalog("zh_CN"):
        if m.id and m.string:
            assert sorted(re.findall(r"%\(\w+\)s", m.id)) == \
                sorted(re.findall(r"%\(\w+\)s", m.string)), m.id


@pytest.mark.parametrize("template", sorted((CONSOLE / "templates").glob("*.html")),
                         ids=lambda p: p.name)
def test_no_template_shows_text_outside_the_catalog(template):
    source = template.read_text("utf-8")
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.DOTALL)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.DOTALL)
    text = re.sub(r"<[^>]*>", " ", text)  # tags and their attributes
    words = [w for w in re.findall(r"[A-Za-z\u4e00-\u9fff]{2,}", text) if w not in ALLOWED]
    assert not words, f"{template.name} shows text that is not in the catalog: {words}"


def test_attribute_text_is_translated_too():
    for template in (CONSOLE / "templates").glob("*.html"):
        source = template.read_text("utf-8")
        for attr in re.findall(r'(?:title|aria-label|placeholder)="([^"{]*)"', source):
            assert not re.search(r"[A-Za-z\u4e00-\u9fff]", attr), (template.name, attr)


def test_the_catalogs_compile():
    for language in i18n.LANGUAGES:
        assert i18n.translations(language).gettext("Overview")
    assert i18n.translations("zh_CN").gettext("Overview") == "概览"
