"""The forms of the case page that hand a case on and close it (issue 17): 需联系诉求人 on accept and
assign, co-units only as ticked, 改派 starting from the routing proposal, a callback result chosen
explicitly and, after 不满意, an open choice between 重办 and 归档 with the reason."""

from __future__ import annotations

from html.parser import HTMLParser

from minyi.access.models import PersonalDataAccess
from minyi.cases.models import Case
from minyi.cases.workflow import Status
from tests.cases.helpers import do, new_case
from tests.console.helpers import client_for, text_of


class FormControls(HTMLParser):
    """The inputs of the one form whose action ends with /do/<op>/, and whether they are checked."""

    def __init__(self, op: str):
        super().__init__()
        self.action, self.inside, self.inputs = f"/do/{op}/", False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("action") or "").endswith(self.action)
        elif tag in ("input", "textarea", "select") and self.inside:
            self.inputs.append({"tag": tag, **attrs})
        elif tag == "option" and self.inside and "selected" in attrs:
            self.inputs[-1]["value"] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def controls(response, op: str) -> list[dict]:
    parser = FormControls(op)
    parser.feed(response.content.decode())
    assert parser.inputs, f"no form for {op}"
    return parser.inputs


def named(inputs: list[dict], name: str) -> list[dict]:
    return [i for i in inputs if i.get("name") == name]


def page(user, case: Case):
    return client_for(user).get(f"/console/cases/{case.pk}/")


def post(user, case: Case, op: str, data: dict):
    return client_for(user).post(f"/console/cases/{case.pk}/do/{op}/", data)


def form_data(inputs: list[dict]) -> dict:
    """What the browser sends for the form as shown: hidden and text values, ticked boxes only."""
    data: dict[str, list[str]] = {}
    for i in inputs:
        if i["tag"] == "textarea" or not i.get("name"):
            continue
        if i.get("type") in ("checkbox", "radio"):
            if "checked" in i:
                data.setdefault(i["name"], []).append(i.get("value", "on"))
            continue
        data.setdefault(i["name"], []).append(i.get("value", ""))
    return data


def heating(world, **fields) -> Case:
    return new_case(world.operator, category="010101", **fields)


# --- 需联系诉求人 --------------------------------------------------------------------------------


def test_the_accept_form_carries_the_contact_box_as_the_case_has_it(world, clock):
    agreed = heating(world, needs_contact=True)
    not_asked = heating(world)
    for case, ticked in ((agreed, True), (not_asked, False)):
        box = named(controls(page(world.dispatcher, case), "accept"), "needs_contact")
        assert len(box) == 1 and box[0]["type"] == "checkbox"
        assert ("checked" in box[0]) is ticked
    assert "需联系诉求人" in text_of(page(world.dispatcher, agreed))


def test_accepting_records_the_contact_decision_and_a_row_button_keeps_it(world, clock):
    untick = heating(world, needs_contact=True)
    sent = form_data(controls(page(world.dispatcher, untick), "accept"))
    sent.pop("needs_contact")
    assert post(world.dispatcher, untick, "accept", sent).status_code == 302
    untick.refresh_from_db()
    assert untick.status == Status.ACCEPTED and not untick.needs_contact
    assert untick.events.latest("pk").data["needs_contact"] is False

    # A desk row's one-click accept shows no box: the case keeps what it has.
    quick = heating(world, needs_contact=True)
    assert post(world.dispatcher, quick, "accept", {"expected_version": quick.version}).status_code == 302
    quick.refresh_from_db()
    assert quick.status == Status.ACCEPTED and quick.needs_contact


def test_assigning_with_contact_lets_the_unit_reveal_the_phone_recorded(world, clock):
    case = do(heating(world), "accept", world.dispatcher)
    inputs = controls(page(world.dispatcher, case), "assign")
    assert "checked" not in named(inputs, "needs_contact")[0]
    sent = {**form_data(inputs), "needs_contact": "on"}
    assert post(world.dispatcher, case, "assign", sent).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.needs_contact
    assert case.events.latest("pk").data["needs_contact"] is True

    unit_page = page(world.heating_handler, case)
    assert unit_page.context["may_reveal"] and "138****1234" in text_of(unit_page)
    revealed = client_for(world.heating_handler).post(f"/console/cases/{case.pk}/reveal/")
    assert "13812341234" in revealed.content.decode()
    assert PersonalDataAccess.objects.get().user == world.heating_handler


def test_the_reassign_form_carries_the_contact_box(world, clock):
    case = do(do(heating(world, needs_contact=True), "accept", world.dispatcher), "assign", world.dispatcher)
    case = do(case, "return", world.heating_handler, note="不属于我单位")
    inputs = controls(page(world.dispatcher, case), "reassign")
    assert "checked" in named(inputs, "needs_contact")[0]
    sent = form_data(inputs)
    sent.pop("needs_contact")
    sent["lead_unit"] = [str(world.insurance.pk)]
    assert post(world.dispatcher, case, "reassign", sent).status_code == 302
    case.refresh_from_db()
    assert case.lead_unit == world.insurance and not case.needs_contact


# --- co-units ------------------------------------------------------------------------------------


def test_the_assign_form_ticks_no_co_unit_and_shows_the_proposal_as_a_choice(world, clock):
    case = do(heating(world), "accept", world.dispatcher)
    response = page(world.dispatcher, case)
    boxes = named(controls(response, "assign"), "co_units")
    assert boxes and all(b["type"] == "checkbox" for b in boxes)  # no <select multiple>
    assert [b for b in boxes if "checked" in b] == []
    assert {int(b["value"]) for b in boxes} >= {world.housing.pk, world.insurance.pk}
    assert "派单目录建议" in text_of(response)

    # The form as shown, submitted: the case has the lead unit and no co-unit.
    assert post(world.dispatcher, case, "assign", form_data(controls(response, "assign"))).status_code == 302
    case.refresh_from_db()
    assert case.lead_unit == world.heating and list(case.co_units.all()) == []


def test_a_ticked_co_unit_is_added(world, clock):
    case = do(heating(world), "accept", world.dispatcher)
    sent = {
        **form_data(controls(page(world.dispatcher, case), "assign")),
        "co_units": [str(world.housing.pk)],
    }
    assert post(world.dispatcher, case, "assign", sent).status_code == 302
    assert list(Case.objects.get(pk=case.pk).co_units.all()) == [world.housing]


def test_assigning_without_a_lead_unit_is_refused_and_adds_nothing(world, clock):
    case = do(heating(world), "accept", world.dispatcher)
    response = post(world.dispatcher, case, "assign", {"expected_version": case.version, "lead_unit": ""})
    assert response.status_code == 400
    assert "请选择主办单位。" in text_of(response)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and list(case.co_units.all()) == []


def test_the_reassign_form_starts_from_the_routing_proposal_and_shows_the_co_units_ticked(world, clock):
    case = do(heating(world), "accept", world.dispatcher)
    case = do(case, "assign", world.dispatcher, lead_unit=world.insurance.pk, co_units=[world.housing.pk])
    case = do(case, "return", world.insurance_handler, note="供热问题，不属于医保局")
    inputs = controls(page(world.dispatcher, case), "reassign")
    lead = named(inputs, "lead_unit")[0]
    assert lead["tag"] == "select"
    form = page(world.dispatcher, case).context["ops"]
    reassign = next(f for op, f in form if op.name == "reassign")
    assert reassign.initial["lead_unit"] == world.heating.pk
    assert [b["value"] for b in named(inputs, "co_units") if "checked" in b] == [str(world.housing.pk)]


def test_the_reassign_form_does_not_propose_the_unit_that_leads_now(world, clock):
    case = do(do(heating(world), "accept", world.dispatcher), "assign", world.dispatcher)
    case = do(case, "return", world.heating_handler, note="不属于我单位")
    response = page(world.dispatcher, case)
    reassign = next(f for op, f in response.context["ops"] if op.name == "reassign")
    assert "lead_unit" not in reassign.initial
    assert "该单位目前就是主办单位" in text_of(response)


# --- callback ------------------------------------------------------------------------------------


def replied(world) -> Case:
    case = do(do(heating(world), "accept", world.dispatcher), "assign", world.dispatcher)
    case = do(case, "sign_for", world.heating_handler)
    return do(case, "reply", world.heating_handler, note="已派人检修，温度恢复到20度。")


def test_the_callback_form_ticks_no_result(world, clock):
    case = replied(world)
    radios = named(controls(page(world.callback_agent, case), "callback"), "satisfaction")
    assert {r["value"] for r in radios} == {"satisfied", "basically_satisfied", "dissatisfied", "unreachable"}
    assert [r for r in radios if "checked" in r] == []


def test_a_callback_without_a_result_is_refused_and_changes_nothing(world, clock):
    case = replied(world)
    response = post(
        world.callback_agent, case, "callback", {"expected_version": case.version, "note": "已回访"}
    )
    assert response.status_code == 400
    assert "请选择回访结果" in text_of(response)
    case.refresh_from_db()
    assert case.status == Status.REPLIED and case.satisfaction == ""
    assert not case.events.filter(operation="callback").exists()


def test_after_dissatisfied_neither_reopen_nor_archive_is_the_default(world, clock):
    case = do(replied(world), "callback", world.callback_agent, satisfaction="dissatisfied")
    response = page(world.callback_agent, case)
    assert response.context["must_choose"] and response.context["open_op"] is None
    assert [op.name for op, _form in response.context["ops"]][:2] == ["archive", "reopen"]
    html = response.content.decode()
    assert '<details class="op" id="op-archive">' in html and '<details class="op" id="op-reopen">' in html
    assert " open>" not in html.split('id="actions"')[1].split("</section>")[0]
    for op in ("archive", "reopen"):
        note = named(controls(response, op), "note")[0]
        assert "required" in note, op


def test_after_satisfied_archive_stays_the_usual_next_step(world, clock):
    case = do(replied(world), "callback", world.callback_agent, satisfaction="satisfied")
    response = page(world.callback_agent, case)
    assert not response.context["must_choose"] and response.context["open_op"] == "archive"
    assert "required" not in named(controls(response, "archive"), "note")[0]


def test_after_unreachable_calling_again_is_the_usual_next_step(world, clock):
    case = do(replied(world), "callback", world.callback_agent, satisfaction="unreachable")
    response = page(world.callback_agent, case)
    assert not response.context["must_choose"] and response.context["open_op"] == "callback"
    assert response.context["ops"][0][0].name == "callback"


def test_archiving_after_dissatisfied_without_a_reason_is_refused(world, clock):
    case = do(replied(world), "callback", world.callback_agent, satisfaction="dissatisfied")
    response = post(world.callback_agent, case, "archive", {"expected_version": case.version, "note": ""})
    assert response.status_code == 400 and response.context["open_op"] == "archive"
    assert Case.objects.get(pk=case.pk).status == Status.CALLED_BACK
    archived = post(
        world.callback_agent, case, "archive", {"expected_version": case.version, "note": "诉求超出政策"}
    )
    assert archived.status_code == 302 and Case.objects.get(pk=case.pk).status == Status.ARCHIVED
