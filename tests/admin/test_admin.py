"""The administrators' site: who gets in, what each page offers, and what it refuses to change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from minyi.access.models import PersonalDataAccess
from minyi.cases.models import Case, CaseEvent
from minyi.catalog.models import Category, DeadlineRule, RoutingRule
from minyi.knowledge.models import KnowledgeEntry
from minyi.notifications.models import DeadlineAlert, Notification, OutboundMessage
from minyi.org.models import Area, RoleGrant, Unit, User
from minyi.workcal.models import HolidayOverride
from tests.cases.helpers import new_case

# Each configuration model with a name its changelist must show from the test world.
CONFIG_MODELS = [
    (Area, "东城一网格"),
    (Unit, "东城社区居委会"),
    (User, "周管理"),
    (Category, "供热不足"),
    (RoutingRule, "热力公司"),
    (DeadlineRule, "24"),
    (HolidayOverride, None),
    (KnowledgeEntry, None),
]
READ_ONLY_MODELS = [Case, PersonalDataAccess, Notification, OutboundMessage, DeadlineAlert]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, world, clock):
    client.force_login(world.admin)
    return client


@pytest.mark.parametrize(("model", "expected"), CONFIG_MODELS, ids=lambda v: getattr(v, "__name__", ""))
def test_administrator_opens_every_config_changelist_and_add_page(admin_client, model, expected):
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    if expected:
        assert expected in changelist.text
    assert admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda m: m.__name__)
def test_read_only_models_list_but_cannot_be_added(admin_client, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 403


def test_change_pages_of_tree_and_rule_objects_open(admin_client, world):
    for obj in (world.east_grid, world.east_committee, world.admin, world.heating_shortage):
        response = admin_client.get(admin_url(type(obj), "change", obj.pk))
        assert response.status_code == 200, obj
    rule = RoutingRule.objects.get(category=world.heating_cat)
    assert "区住建局" in admin_client.get(admin_url(RoutingRule, "change", rule.pk)).text


def test_area_tree_is_listed_in_path_order_and_indented(admin_client):
    text = admin_client.get(admin_url(Area, "changelist")).text
    names = ["示范区", "东城街道", "东城社区", "东城一网格", "东城二网格", "西城街道", "西城社区"]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)
    assert '<span style="padding-left: 4.5em">└ 东城一网格</span>' in text


def test_index_warns_of_the_missing_2027_calendar_until_it_is_entered(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert 'id="calendar-warnings"' in response.text
    assert 'data-year="2027"' in response.text
    assert admin_url(HolidayOverride, "changelist") in response.text

    HolidayOverride.objects.create(day=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    response = admin_client.get(reverse("admin:index"))
    assert 'id="calendar-warnings"' not in response.text
    assert 'data-year="2027"' not in response.text


def test_index_does_not_ask_for_next_year_before_october(admin_client, clock):
    clock.set("2026-06-01 09:00")
    assert 'id="calendar-warnings"' not in admin_client.get(reverse("admin:index")).text


def test_admin_speaks_chinese(admin_client):
    text = admin_client.get(reverse("admin:index")).text
    assert "站点管理" in text
    assert "民意诉求闭环管理" in text
    assert 'lang="zh-hans"' in text


def test_non_administrator_staff_are_sent_to_login(client, world):
    client.force_login(world.dispatcher)
    for url in (reverse("admin:index"), admin_url(Case, "changelist"), admin_url(Area, "add")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_is_staff_alone_does_not_open_the_admin(client, world):
    world.dispatcher.is_staff = True
    world.dispatcher.save()
    client.force_login(world.dispatcher)
    assert client.get(reverse("admin:index")).status_code == 302


def test_login_form_admits_administrators_and_refuses_other_staff(client, world):
    login = reverse("admin:login")
    refused = client.post(login, {"username": "dispatcher", "password": "minyi-test-pw"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session

    assert not world.admin.is_staff  # the administrator role is enough
    admitted = client.post(login, {"username": "admin", "password": "minyi-test-pw"})
    assert admitted.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_negative_deadline_limit_shows_the_model_error_and_saves_nothing(admin_client):
    before = DeadlineRule.objects.count()
    response = admin_client.post(
        admin_url(DeadlineRule, "add"),
        {
            "demand_type": "help",
            "urgency": "",
            "category": "",
            "sign_limit": "1",
            "sign_unit": "working_days",
            "handle_limit": "-3",
            "handle_unit": "working_days",
            "is_active": "on",
            "note": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["handle_limit"]
    assert "-3" in errors["handle_limit"][0]
    assert 'class="errorlist' in response.text
    assert DeadlineRule.objects.count() == before


def test_valid_deadline_rule_is_saved(admin_client, world):
    response = admin_client.post(
        admin_url(DeadlineRule, "add"),
        {
            "demand_type": "help",
            "urgency": "",
            "category": world.roads.pk,
            "sign_limit": "1",
            "sign_unit": "working_days",
            "handle_limit": "5",
            "handle_unit": "working_days",
            "is_active": "on",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert DeadlineRule.objects.filter(demand_type="help", category=world.roads, handle_limit=5).exists()


def bulk(client, first: str, last: str, *, workday: bool = False, note: str = "春节"):
    data = {"first_day": first, "last_day": last, "note": note}
    if workday:
        data["is_workday"] = "on"
    return client.post(reverse("admin:workcal_holidayoverride_bulk"), data)


def test_bulk_holiday_entry_creates_each_day_of_the_range_once(admin_client):
    assert admin_client.get(reverse("admin:workcal_holidayoverride_bulk")).status_code == 200

    response = bulk(admin_client, "2027-02-06", "2027-02-14")
    assert response.status_code == 302
    expected = [dt.date(2027, 2, 6) + dt.timedelta(days=n) for n in range(9)]
    assert list(HolidayOverride.objects.values_list("day", flat=True)) == expected
    assert not HolidayOverride.objects.filter(is_workday=True).exists()
    assert set(HolidayOverride.objects.values_list("note", flat=True)) == {"春节"}

    bulk(admin_client, "2027-02-06", "2027-02-14")
    assert HolidayOverride.objects.count() == 9

    bulk(admin_client, "2027-02-14", "2027-02-14", workday=True, note="调休上班")
    assert HolidayOverride.objects.count() == 9
    assert HolidayOverride.objects.get(day=dt.date(2027, 2, 14)).is_workday


def test_bulk_holiday_entry_refuses_a_backwards_range(admin_client):
    response = bulk(admin_client, "2027-02-14", "2027-02-06")
    assert response.status_code == 200
    assert "last_day" in response.context["form"].errors
    assert not HolidayOverride.objects.exists()


def test_bulk_holiday_entry_is_for_administrators_only(client, world):
    client.force_login(world.dispatcher)
    response = bulk(client, "2027-02-06", "2027-02-14")
    assert response.status_code == 302
    assert not HolidayOverride.objects.exists()


def test_bulk_entry_silences_the_calendar_warning(admin_client):
    bulk(admin_client, "2027-01-01", "2027-01-03", note="元旦")
    assert 'data-year="2027"' not in admin_client.get(reverse("admin:index")).text


def test_user_with_a_role_is_added_through_the_admin(admin_client, world):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "username": "newdispatcher",
            "usable_password": "true",
            "password1": "Qz8!minyi-pw",
            "password2": "Qz8!minyi-pw",
            "full_name": "新派单",
            "phone": "13900000000",
            "unit": world.centre.pk,
            "area": "",
            "grants-TOTAL_FORMS": "1",
            "grants-INITIAL_FORMS": "0",
            "grants-MIN_NUM_FORMS": "0",
            "grants-MAX_NUM_FORMS": "1000",
            "grants-0-role": "dispatcher",
            "grants-0-scope": "",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    user = User.objects.get(username="newdispatcher")
    assert user.full_name == "新派单" and user.unit == world.centre
    assert list(RoleGrant.objects.filter(user=user).values_list("role", "scope")) == [("dispatcher", "all")]
    assert "新派单" in admin_client.get(admin_url(User, "changelist")).text


def test_user_list_shows_roles(admin_client):
    text = admin_client.get(admin_url(User, "changelist")).text
    assert "Dispatcher" in text or "派单员" in text


@pytest.fixture
def case(world, clock):
    return new_case(world.operator, requester_name="张三", requester_phone="13812341234")


def test_case_list_masks_the_requester(admin_client, case):
    text = admin_client.get(admin_url(Case, "changelist")).text
    assert case.tracking_number in text
    assert "张*" in text
    assert "138****1234" in text
    assert "张三" not in text
    assert "13812341234" not in text


def test_case_search_by_tracking_number_and_title(admin_client, case, world):
    other = new_case(world.operator, title="路灯不亮", requester_name="李四", requester_phone="13900001111")
    by_number = admin_client.get(admin_url(Case, "changelist"), {"q": case.tracking_number}).text
    assert case.tracking_number in by_number and other.tracking_number not in by_number
    by_title = admin_client.get(admin_url(Case, "changelist"), {"q": "路灯"}).text
    assert other.tracking_number in by_title and case.tracking_number not in by_title
    # The requester's phone is not a search key: no way to probe who has a case.
    by_phone = admin_client.get(admin_url(Case, "changelist"), {"q": "13812341234"}).text
    assert case.tracking_number not in by_phone


@pytest.mark.parametrize(
    "lookup",
    [
        {"requester_phone__regex": "^1381234"},
        {"requester_phone__startswith": "138"},
        {"requester_name__contains": "张"},
        {"requester_id_number__gt": "1"},
        {"query_code__startswith": "A"},
        {"lead_unit__members__phone__contains": "1"},
    ],
)
def test_a_list_address_cannot_filter_by_what_the_admin_does_not_offer(admin_client, case, lookup):
    """Django takes any lookup on a model's own fields from the address: a regular expression on the
    phone answered "such a case exists" digit by digit, without an audit row."""
    response = admin_client.get(admin_url(Case, "changelist"), lookup)
    assert response.status_code == 400 and case.tracking_number not in response.content.decode()


def test_the_declared_filters_still_narrow_the_list(admin_client, case, world):
    url = admin_url(Case, "changelist")
    declared = ({"status__exact": "received"}, {"received_at__year": "2026"}, {"channel__exact": "hotline"})
    for params in declared:
        response = admin_client.get(url, params)
        assert response.status_code == 200 and case.tracking_number in response.content.decode(), params
    assert case.tracking_number not in admin_client.get(url, {"status__exact": "archived"}).content.decode()


def test_case_page_is_read_only_and_masked(admin_client, case):
    url = admin_url(Case, "change", case.pk)
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert 'name="_continue"' not in response.text
    assert "张*" in response.text and "138****1234" in response.text
    assert "张三" not in response.text and "13812341234" not in response.text
    assert case.query_code not in response.text
    # The timeline inline shows the registration event.
    assert CaseEvent.objects.filter(case=case).count() >= 1
    assert 'id="events-group"' in response.text

    refused = admin_client.post(url, {"title": "改过的标题", "status": "archived"})
    assert refused.status_code == 403
    case.refresh_from_db()
    assert case.title == "小区暖气不热" and case.status == "received"

    assert admin_client.post(admin_url(Case, "delete", case.pk), {"post": "yes"}).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


def test_holiday_list_offers_bulk_entry_and_repeats_the_warning(admin_client):
    text = admin_client.get(admin_url(HolidayOverride, "changelist")).text
    assert reverse("admin:workcal_holidayoverride_bulk") in text
    assert 'data-year="2027"' in text


def test_the_reveal_log_reads_what_was_shown_and_why_in_the_readers_language(admin_client, world, clock):
    case = new_case(world.operator, requester_phone="13912345678", requester_name="王某某")
    client = admin_client.__class__()
    client.force_login(world.supervisor)
    assert client.post(reverse("console:reveal", args=[case.pk]), {"purpose": "工单页面"}).status_code in (
        200,
        302,
    )
    entry = PersonalDataAccess.objects.get(case=case)
    assert entry.fields_read() == "诉求人姓名、电话、证件号码"
    page = admin_client.get(admin_url(PersonalDataAccess, "changelist")).text
    assert "诉求人姓名、电话、证件号码" in page and "name,phone,id_number" not in page
    form = client.get(reverse("console:case", args=[case.pk])).text
    assert 'name="purpose" value="工单页面"' in form
