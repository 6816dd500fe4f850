"""The Simplified Chinese catalogue: complete, consistent with its .mo, and in step with the code.

After adding or changing a translatable string:

    cd minyi && ../.venv/bin/minyi makemessages -l zh_Hans --no-obsolete --ignore 'migrations/*'
    # translate the new entries in minyi/locale/zh_Hans/LC_MESSAGES/django.po, then
    cd .. && make messages
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "minyi"
PO_PATH = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
GETTEXT_PROGRAMS = ("xgettext", "msguniq", "msgmerge", "msgattrib")
FIX = "see the steps at the top of tests/test_translations.py"


def _load_tool():
    spec = importlib.util.spec_from_file_location("compile_messages", ROOT / "tools" / "compile_messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compile_messages = _load_tool()


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or "")


def _value(entry) -> str | tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural, key=int))
    return entry.msgstr


def test_the_catalogue_has_the_chinese_header(po):
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert not po.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    assert po.untranslated_entries() == [], FIX
    assert po.fuzzy_entries() == [], FIX
    assert len(po.translated_entries()) == len([e for e in po if not e.obsolete])


def test_the_placeholders_of_every_translation_match_the_source(po):
    assert compile_messages.problems(po) == []


def test_the_tool_refuses_an_untranslated_a_fuzzy_and_a_misplaced_placeholder_entry(tmp_path, capsys):
    bad = polib.POFile()
    bad.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=1; plural=0;"}
    bad.append(polib.POEntry(msgid="Untranslated", msgstr=""))
    bad.append(polib.POEntry(msgid="Fuzzy", msgstr="模糊", flags=["fuzzy"]))
    bad.append(polib.POEntry(msgid="Case %(number)s", msgstr="工单 %(numbr)s", flags=["python-format"]))
    path = tmp_path / "django.po"
    bad.save(str(path))

    assert compile_messages.main([str(path)]) == 1
    err = capsys.readouterr().err
    assert "untranslated: 'Untranslated'" in err
    assert "fuzzy: 'Fuzzy'" in err
    assert "placeholders differ: 'Case %(number)s'" in err
    assert not path.with_suffix(".mo").exists()


def test_the_committed_mo_is_the_compiled_po(po):
    assert MO_PATH.exists(), "run `make messages`"
    mo = polib.mofile(str(MO_PATH))
    compiled = {_key(e): _value(e) for e in mo if e.msgid}
    source = {_key(e): _value(e) for e in po.translated_entries()}
    assert compiled == source, "the .mo is stale: run `make messages`"
    assert mo.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"]


def test_key_strings_are_chinese_under_zh_hans_and_english_under_en():
    from minyi.access.principals import SYSTEM_ACTOR
    from minyi.cases.models import Case
    from minyi.cases.services import case_create
    from minyi.cases.workflow import OPERATIONS, Status
    from minyi.core.errors import InvalidInput

    def title_error() -> str:
        with pytest.raises(InvalidInput) as refused:
            case_create(
                actor=SYSTEM_ACTOR, channel="hotline", demand_type="inquiry", title="", description="-"
            )
        return refused.value.message

    with translation.override("zh-hans"):
        assert str(Status.HANDLING.label) == "办理中"
        assert str(Status.RECEIVED.label) == "待受理"
        assert str(Status.RETURNED.label) == "退单待审"
        assert str(OPERATIONS["return"].label) == "退单"
        assert str(Case._meta.verbose_name) == "工单"
        assert str(Case._meta.get_field("lead_unit").verbose_name) == "主办单位"
        assert title_error() == "请填写标题：用一句话概括诉求内容。"
    with translation.override("en"):
        assert str(Status.HANDLING.label) == "Handling"
        assert str(Case._meta.verbose_name) == "case"
        assert title_error() == "A title is required: say in a few words what the demand is about."


def test_a_plural_message_is_chinese_for_any_count():
    with translation.override("zh-hans"):
        text = translation.ngettext(
            "%(count)d day entered: %(created)d new, %(updated)d changed, the rest were unchanged.",
            "%(count)d days entered: %(created)d new, %(updated)d changed, the rest were unchanged.",
            3,
        )
    expected = "已录入 3 天：新增 2 天，修改 1 天，其余未变。"
    assert text % {"count": 3, "created": 2, "updated": 1} == expected


@pytest.mark.skipif(
    not all(shutil.which(program) for program in GETTEXT_PROGRAMS), reason="GNU gettext is not installed"
)
def test_makemessages_finds_exactly_the_strings_of_the_catalogue(po, tmp_path, settings, monkeypatch):
    """Run makemessages on a copy of the package: a string added to the code without a translation,
    or a translation left behind for a string that is gone, shows up here."""
    copy = tmp_path / "minyi"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "migrations", "__pycache__"))
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [str(copy / "locale")]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages", locale=["zh_Hans"], ignore_patterns=["migrations/*"], no_obsolete=True, verbosity=0
    )
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))

    in_code = {_key(e) for e in fresh}
    in_catalogue = {_key(e) for e in po if not e.obsolete}
    assert sorted(in_code - in_catalogue, key=str) == [], f"strings missing from the catalogue: {FIX}"
    assert sorted(in_catalogue - in_code, key=str) == [], f"strings no longer in the code: {FIX}"
