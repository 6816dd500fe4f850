"""Reply quality in the console: the unit sees the warnings while writing, the centre on the replied case."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minyi.cases.services import case_apply, case_create

BOILERPLATE = "您好，您的留言已收悉，我们将尽快处理。"
GOOD = (
    "张先生您好！关于您反映幸福小区3栋暖气不热的问题，我公司已于11月26日派维修人员上门，"
    "更换了堵塞的阀门，室温已恢复到20度。根据《城市供热管理条例》第十二条，供热温度不得低于18度。"
    "下一步我们将在一周内回访复测，如仍有问题请联系热力公司客服，联系电话：0371-12345678。"
)


@pytest.fixture
def handling(world, clock):
    case = case_create(
        actor=world.operator,
        channel="hotline",
        demand_type="complaint",
        title="幸福小区暖气不热",
        description="幸福小区3栋暖气片冰凉，室温只有十四度，老人受冻，请热力公司尽快处理",
        requester_name="张三",
        requester_phone="13900000001",
    )
    d = world.dispatcher
    case_apply(case_id=case.pk, operation="accept", actor=d, category="010101")
    case_apply(case_id=case.pk, operation="assign", actor=d)
    clock.advance(hours=1)
    return case_apply(case_id=case.pk, operation="sign_for", actor=world.heating_handler)


def check(client, case, text):
    return client.get(reverse("console:reply_check", args=[case.pk]), {"note": text})


def test_the_unit_sees_a_boilerplate_reply_flagged_while_writing(client, world, handling):
    client.force_login(world.heating_handler)
    page = check(client, handling, BOILERPLATE).content.decode()
    assert 'data-code="boilerplate"' in page
    good = check(client, handling, GOOD).content.decode()
    assert 'data-code="boilerplate"' not in good and 'data-code="no_basis"' not in good
    score = lambda html: int(html.split('data-score="')[1].split('"')[0])  # noqa: E731
    assert score(good) > score(page) + 40


def test_the_reply_form_checks_as_the_unit_types(client, world, handling):
    client.force_login(world.heating_handler)
    page = client.get(reverse("console:case", args=[handling.pk])).content.decode()
    assert (
        reverse("console:reply_check", args=[handling.pk]) in page
        and f'id="reply-check-{handling.pk}"' in page
    )


def test_only_the_unit_that_may_reply_can_check(client, world, handling):
    client.force_login(world.housing_handler)
    assert check(client, handling, GOOD).status_code == 404


def test_the_dispatcher_sees_the_quality_of_the_reply_before_closing(client, world, handling, clock):
    clock.advance(hours=2)
    case_apply(case_id=handling.pk, operation="reply", actor=world.heating_handler, note=BOILERPLATE)
    client.force_login(world.dispatcher)
    page = client.get(reverse("console:case", args=[handling.pk])).content.decode()
    assert 'id="reply-quality"' in page and 'data-code="boilerplate"' in page
    client.force_login(world.heating_handler)
    assert (
        'id="reply-quality"' not in client.get(reverse("console:case", args=[handling.pk])).content.decode()
    )
