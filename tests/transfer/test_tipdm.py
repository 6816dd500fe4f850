"""The real TipDM 2020 messages (read from ../shared/data, never copied into the project) load as
archived historic cases with their replies, and loading them again adds nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from minyi.cases.models import Case, CaseEvent
from tests.conftest import at

DATA = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "tipdm2020" / "messages_with_replies.csv"
)

pytestmark = pytest.mark.skipif(not DATA.is_file(), reason=f"the TipDM 2020 data set is not at {DATA}")


def test_tipdm_messages_load_as_archived_cases_with_replies(world, clock):
    out = io.StringIO()
    with translation.override("en"):
        call_command("import", "cases", str(DATA), mapping="tipdm2020", stdout=out, stderr=io.StringIO())
    assert "Rows read: 2816; imported: 2816; already present: 0; invalid: 0" in out.getvalue()
    cases = Case.objects.all()
    assert cases.count() == 2816
    assert set(cases.values_list("status", flat=True)) == {"archived"}
    assert set(cases.values_list("channel", flat=True)) == {"web"}
    assert not cases.filter(category__isnull=False).exists()
    assert not cases.filter(alert_at__isnull=False).exists()
    replies = CaseEvent.objects.filter(operation="answer", to_status="replied")
    assert replies.count() == 2816 and not replies.filter(note="").exists()

    first = Case.objects.get(external_id="2549")
    assert first.requester_ref == "A00045581" and first.title == "A2区景蓉华苑物业管理有问题"
    assert first.received_at == at("2019-04-25 09:32:09") and first.replied_at == at("2019-05-10 14:56:53")
    assert first.reply_text.startswith("现将网友在平台《问政西地省》栏目")
    assert first.tracking_number.startswith("201904-")
    # The message without a posting time takes its reply time (a warning says so).
    undated = Case.objects.get(external_id="2759")
    assert undated.received_at == undated.replied_at == at("2019-05-09 10:02:08")
    assert "warning: row" in out.getvalue()

    again = io.StringIO()
    with translation.override("en"):
        call_command("import", "cases", str(DATA), mapping="tipdm2020", stdout=again, stderr=io.StringIO())
    assert "imported: 0; already present: 2816; invalid: 0" in again.getvalue()
    assert Case.objects.count() == 2816
