"""The role × endpoint matrix: no persona reaches a case, a list or an export outside their scope, the
requester's personal data stays masked, and every reveal is audited.

Every URL pattern of the project is found by walking the resolver; each one must be classified in
MATRIX (the admin site by its own test at the end), so nobody adds an endpoint without deciding who may reach
it. A rule names the personas that get through (`reach`); every other persona must be refused (403,
404, 401, or for a visitor without a session the login page). Whatever the status, every response
is read (HTML, JSON, CSV, the cells of a workbook, the text of a PDF) and may hold no tracking number
of a case outside the persona's scope (SEES in matrix_world.py, written by hand) and no requester's
name, phone or ID number — except the reveal endpoints, for those allowed, each with one audit row.

The world is built once for the module; each request runs in a savepoint that is rolled back, so
what one persona's POST changes is gone before the next persona asks.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from minyi.access.models import PersonalDataAccess
from minyi.access.personal_data import mask_name
from minyi.analysis.models import SurgeAlert
from minyi.cases.models import Case
from minyi.console.models import BatchRun
from minyi.core import clock as minyi_clock
from minyi.problems.models import Measure, Problem
from minyi.projects.models import ProjectCase
from tests.access.matrix_world import (
    CENTRE,
    KEYS,
    REPEAT_NAME,
    REQUESTERS,
    SEES,
    SESSION,
    STAFF,
    UNIT_STAFF,
    VISIT_PEOPLE,
    VISIT_PHONE,
    MatrixWorld,
    build_matrix_world,
)

M = MatrixWorld
ANY = "*"  # reach: every persona tried
GET, POST = "GET", "POST"
TRACKING = re.compile(r"(?<!\d)\d{6}-\d{6}(?!\d)")
ID_NUMBER = "110101199001011234"

# --- who is who ------------------------------------------------------------------------------------

INTAKE = frozenset({"operator", "grid_worker", "visit_secretary"})
CALL_TAKERS = frozenset({"operator"})  # the caller history (access.personal_data.cases_of_caller)
UNITS = frozenset(UNIT_STAFF)  # unit handlers and heads (their workbench, their problem register)
ROLED = frozenset(STAFF)  # every session persona holding a role
LOGGED_IN = ROLED | {"nobody"}
BATCH_SENDERS = frozenset({"operator", "dispatcher", "supervisor"})  # accept, assign, remind
PROJECT_KEEPERS = frozenset({"dispatcher", "supervisor", "admin"})
PROJECT_VIEWERS = PROJECT_KEEPERS | {"leader"} | UNITS
VISIT_READERS = frozenset({"dispatcher", "supervisor", "leader", "admin"})
VISIT_VIEWERS = VISIT_READERS | {"visit_secretary", "street_head"}  # the street office's head reads its area
REGISTER_READERS = frozenset({"supervisor", "leader", "admin"})
API_CALLERS = ROLED | frozenset(KEYS)  # a session without a role is no API caller
# A confidential case (举报): units see it, but nothing of its requester, not even masked.
# (Its phone, masked, is shown with the reporter's other demand, which is not confidential.)
REPORT_NAME_MASKED = mask_name(REQUESTERS["report"][0])

PUBLIC_VIEW = frozenset({"anonymous", "citizen", "key_wechat"})
CONSOLE = SESSION
API = (*SESSION, *KEYS)
OPEN311 = ("anonymous", "dispatcher", *KEYS)  # Open311 reads keys only: a session widens nothing
PORTAL = ("anonymous", "citizen", "dispatcher")
MONITORS = ("anonymous", "dispatcher", "leader", "admin")


def sees(case: str) -> frozenset[str]:
    return SEES[case]


def case_kwargs(name: str, param: str = "case_id") -> Callable[[M], dict]:
    return lambda m: {param: m.cases[name].pk}


# --- the rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One request of an endpoint, and who gets through it."""

    reach: frozenset[str] | str
    kwargs: Callable[[M], dict] = lambda m: {}
    method: str = GET
    query: Callable[[M], dict] = lambda m: {}
    data: Callable[[M], dict] = lambda m: {}
    ok: tuple[int, ...] = (200,)
    personas: tuple[str, ...] = CONSOLE
    # For writes: did the request change what it changes? Exactly the personas in `effect_by` may.
    effect: Callable[[M], object] | None = None
    effect_by: frozenset[str] = frozenset()
    # Text a persona must not be shown, whatever the status (another unit's project …)
    hidden: Callable[[M, str], set[str]] | None = None
    reveals: bool = False  # the persona in reach is shown the requester in full (audited)
    # A look-up by phone number: what it finds is audited as reveals, one row per case of its user.
    looks_up: bool = False
    complete: bool = False  # a list: a persona in reach is shown every case of its scope
    # The personas in reach are shown the query code (查询码) of this case: read back to the caller.
    code_of: str = ""
    # Anything else a response in reach must say (None when it does): figures of the scope …
    expect: Callable[[M, str, object], str | None] | None = None
    label: str = ""


def unlinked_report(case: str | None):
    """Outside the centre nothing leads from a case to a 举报 or back (the same requester, similar
    text): a link would tie the reporter to a case whose requester the unit may see or reveal
    (access.cases.linkable_from). `case`: the case whose page is shown, None for a search."""

    def hidden(m: M, persona: str) -> set[str]:
        if persona in CENTRE_CALLERS:
            return set()
        if case == "report":
            return {c.tracking_number for name, c in m.cases.items() if name != "report"}
        return {m.cases["report"].tracking_number}

    return hidden


def api_case(path_param: str = "ref", by_number: bool = False):
    def kwargs(name):
        return lambda m: {path_param: m.cases[name].tracking_number if by_number else str(m.cases[name].pk)}

    return kwargs


def api_case_rules(refs=(False, True), reach_of=lambda name: sees(name) & API_CALLERS) -> list[Rule]:
    """A case by id and by tracking number (`refs`: by number?), for each case of the world."""
    rules = []
    for name in sorted(SEES):
        for by_number in refs:
            rules.append(
                Rule(
                    reach_of(name),
                    kwargs=api_case(by_number=by_number)(name),
                    personas=API,
                    label=f"{name}{' by number' if by_number else ''}",
                )
            )
    return rules


def received_in_scope(m: M, persona: str, response) -> str | None:
    """The headline figures count the cases of the caller's scope, no more (all were received today)."""
    figures = json.loads(response.content)
    scope = sum(1 for who in SEES.values() if persona in who)
    return None if figures["received"] == scope else f"counts {figures['received']} received, not {scope}"


def supervised(m: M):
    return Case.objects.get(pk=m.cases["heating"].pk).supervision_level


def reminders(m: M):
    return sum(
        Case.objects.filter(pk__in=[c.pk for c in m.cases.values()]).values_list("remind_count", flat=True)
    )


def dispatchers_batch(m: M) -> dict:
    """A batch of the dispatcher's that touched every case (made in the request's savepoint)."""
    run = BatchRun.objects.create(
        user=m.world.dispatcher,
        key="matrix",
        operation="remind",
        results=[{"ref": str(c.pk), "case": c.pk, "done": True, "reason": ""} for c in m.cases.values()],
        created_at=minyi_clock.now(),
    )
    return {"run_id": run.pk}


def audits(m: M):
    return PersonalDataAccess.objects.count()


def linked_report(m: M):
    return ProjectCase.objects.filter(case=m.cases["report"]).exists()


def linked_committee(m: M):
    return ProjectCase.objects.filter(case=m.cases["committee"]).exists()


def linked_insurance(m: M):
    return ProjectCase.objects.filter(case=m.cases["insurance"]).exists()


def linked_heating(m: M):
    return ProjectCase.objects.filter(case=m.cases["heating"]).exists()


def alert_status(m: M):
    return SurgeAlert.objects.get(pk=m.alert.pk).status


def problem_status(m: M):
    return Problem.objects.get(pk=m.problems["insurance"].pk).status


def measure_links(m: M):
    return Measure.objects.get(pk=m.measure.pk).problems.count()


def other_projects(m: M, persona: str) -> set[str]:
    """A project's name is for those who see the project (access/projects.py)."""
    names = set()
    if persona not in PROJECT_KEEPERS | {"leader", "heating_handler", "heating_head", "housing_handler"}:
        names.add(m.ledger.heating_project.name)
    if persona not in PROJECT_KEEPERS | {"insurance_handler"}:
        names.add(m.ledger.insurance_project.name)
    return names


def other_registers(m: M, persona: str) -> set[str]:
    """A register's problems are for its unit's keepers and the readers of every register."""
    titles = set()
    if persona not in REGISTER_READERS | {"insurance_handler"}:
        titles.add(m.problems["insurance"].title)
    if persona not in REGISTER_READERS | {"heating_handler", "heating_head"}:
        titles.add(m.problems["heating"].title)
    return titles


def other_visits(m: M, persona: str) -> set[str]:
    """The west team's door is for the centre's readers and its own secretary only."""
    return set() if persona in VISIT_READERS else {m.extra["west_visit"].household.address}


def reveal_rule(case: str, reach: frozenset[str], **options) -> Rule:
    return Rule(
        reach,
        kwargs=case_kwargs(case),
        method=POST,
        data=lambda m: {"purpose": "核实诉求"},
        effect=audits,
        effect_by=reach,
        reveals=True,
        label=case,
        **options,
    )


CENTRE_CALLERS = CENTRE | {"key_leader"}  # a key with the leader's role is of the centre too
MAY_REVEAL = {
    # needs contact: the centre, and the handling units (lead and co-unit); never area staff
    "heating": CENTRE_CALLERS | {"heating_handler", "heating_head", "housing_handler", "key_heating"},
    # a confidential report: the centre only
    "report": CENTRE_CALLERS,
    # no contact needed: the centre only
    "insurance": CENTRE_CALLERS,
}

MATRIX: dict[str, list[Rule]] = {
    "set_language": [Rule(ANY, method=POST, data=lambda m: {"language": "en", "next": "/"}, ok=(302,))],
    # --- the console ---
    "console:home": [Rule(ROLED, ok=(302,))],
    "console:login": [Rule(ANY, ok=(200, 302))],
    "console:logout": [Rule(ANY, method=POST, ok=(302,))],
    "console:intake": [
        Rule(INTAKE),
        # right after registering: the numbers to read back, for the case its own operator registered
        Rule(INTAKE, query=lambda m: {"done": m.cases["fresh"].pk}, code_of="fresh", label="done"),
        Rule(INTAKE, query=lambda m: {"done": m.cases["wechat"].pk}, label="done elsewhere"),
    ],
    "console:caller_history": [
        Rule(
            CALL_TAKERS,
            query=lambda m, n=name: {"requester_phone": REQUESTERS[n][1]},
            looks_up=True,
            hidden=unlinked_report(None),
            label=name,
        )
        for name in REQUESTERS
    ],
    "console:knowledge": [Rule(INTAKE, query=lambda m: {"q": "暖气"})],
    "console:category_suggestion": [
        Rule(INTAKE, query=lambda m: {"title": "暖气不热", "description": "暖气不热"})
    ],
    "console:similar": [
        Rule(INTAKE, query=lambda m: {"title": "小区暖气不热", "description": "暖气温度只有十四度"}),
        Rule(INTAKE, query=lambda m: {"title": "报销", "requester_phone": REQUESTERS["insurance"][1]}),
        Rule(
            INTAKE,
            query=lambda m: {"title": "举报热力站收费", "requester_phone": REQUESTERS["report"][1]},
            hidden=unlinked_report(None),
            label="report",
        ),
    ],
    "console:analysis": [Rule(CENTRE)],
    "console:hot_issue": [Rule(CENTRE, kwargs=lambda m: {"issue_id": m.hot_issue.pk})],
    "console:alert_action": [
        Rule(
            frozenset({"dispatcher", "supervisor"}),
            kwargs=lambda m: {"alert_id": m.alert.pk, "action": "dismiss"},
            method=POST,
            data=lambda m: {"note": "已核实"},
            ok=(302,),
            effect=alert_status,
            effect_by=frozenset({"dispatcher", "supervisor"}),
        )
    ],
    "console:dashboard": [Rule(CENTRE)],
    "console:monthly_report": [
        Rule(CENTRE, query=lambda m, f=fmt: {"month": "2026-11", "format": f}, label=fmt)
        for fmt in ("xlsx", "pdf")
    ],
    "console:dispatch": [
        Rule({"dispatcher"}, query=lambda m, q=q: {"queue": q}, label=q) for q in ("", "new")
    ],
    "console:workbench": [Rule(UNITS, query=lambda m, q=q: {"queue": q}, label=q) for q in ("", "co")],
    "console:supervision": [Rule({"supervisor", "leader"})],
    "console:callback": [Rule({"callback_agent"})],
    "console:leader": [Rule({"leader"})],
    "console:cases": [Rule(ROLED, complete=True), Rule(ROLED, query=lambda m: {"q": "暖气"}, label="search")],
    "console:cases_export": [
        Rule(ROLED, query=lambda m, f=f: {"format": f}, complete=True, label=f) for f in ("csv", "xlsx")
    ],
    "console:case_find": [
        Rule(
            sees(name) & ROLED,
            query=lambda m, n=name: {"number": m.cases[n].tracking_number},
            ok=(302,),
            label=name,
        )
        for name in sorted(SEES)
    ],
    "console:case": [
        Rule(sees(name) & ROLED, kwargs=case_kwargs(name), hidden=unlinked_report(name), label=name)
        for name in sorted(SEES)
    ],
    "console:case_do": [
        Rule(
            sees("heating") & ROLED,
            kwargs=lambda m: {"case_id": m.cases["heating"].pk, "operation": "supervise"},
            method=POST,
            data=lambda m: {
                "note": "请加快办理",
                "level": "1",
                "expected_version": m.cases["heating"].version,
            },
            ok=(302, 400),
            effect=supervised,
            effect_by=frozenset({"supervisor"}),
        ),
        Rule(
            sees("insurance") & ROLED,
            kwargs=lambda m: {"case_id": m.cases["insurance"].pk, "operation": "remind"},
            method=POST,
            data=lambda m: {"note": "请尽快签收", "expected_version": m.cases["insurance"].version},
            ok=(302, 400),
            label="insurance",
        ),
    ],
    # 批量操作: those whose roles take a batch action send one; each case is checked on its own
    # (a reminder needs the dispatcher's or the supervisor's role), and the results are the sender's.
    "console:batch": [
        Rule(
            BATCH_SENDERS,
            method=POST,
            data=lambda m: {
                "operation": "remind",
                "token": "0" * 32,
                "cases": [str(case.pk) for case in m.cases.values()],
                "remind_note": "请尽快办理",
            },
            ok=(302,),
            effect=reminders,
            effect_by=frozenset({"dispatcher", "supervisor"}),
        )
    ],
    "console:batch_result": [Rule({"dispatcher"}, kwargs=dispatchers_batch)],
    "console:reply_check": [
        Rule(
            frozenset({"heating_handler", "heating_head"}),
            kwargs=case_kwargs("heating"),
            query=lambda m: {"note": "已派人检修，室温恢复"},
        ),
        Rule(
            frozenset({"insurance_handler"}),
            kwargs=case_kwargs("insurance"),
            query=lambda m: {"note": "已到账"},
        ),
    ],
    "console:reveal": [reveal_rule(name, reach) for name, reach in MAY_REVEAL.items()],
    "console:attachment": [
        Rule(sees("heating") & ROLED, kwargs=lambda m: {"attachment_id": m.attachments["staff"].pk}),
        Rule(
            sees("wechat") & ROLED, kwargs=lambda m: {"attachment_id": m.attachments["key"].pk}, label="key"
        ),
    ],
    "console:notifications": [Rule(LOGGED_IN)],
    "console:notification": [
        Rule({"heating_handler"}, kwargs=lambda m: {"notification_id": m.notification.pk}, ok=(302,))
    ],
    "console:notifications_read_all": [Rule(LOGGED_IN, method=POST, ok=(302,))],
    # --- bulk import ---
    "transfer:import": [Rule({"dispatcher", "admin"})],
    "transfer:errors": [Rule({"dispatcher", "admin"}, ok=(404,))],  # nothing kept in this session
    # --- livelihood projects ---
    "projects:ledger": [Rule(PROJECT_VIEWERS, hidden=other_projects)],
    "projects:project": [
        Rule(
            PROJECT_KEEPERS | {"leader", "heating_handler", "heating_head", "housing_handler"},
            kwargs=lambda m: {"project_id": m.ledger.heating_project.pk},
            hidden=other_projects,
        ),
        Rule(
            PROJECT_KEEPERS | {"insurance_handler"},
            kwargs=lambda m: {"project_id": m.ledger.insurance_project.pk},
            hidden=other_projects,
            label="insurance",
        ),
    ],
    "projects:link_case": [
        Rule(
            PROJECT_KEEPERS | {"leader", "heating_handler", "heating_head", "housing_handler"},
            kwargs=lambda m: {"project_id": m.ledger.heating_project.pk},
            method=POST,
            data=lambda m: {"tracking_number": m.cases["report"].tracking_number},
            ok=(302, 400),
            effect=linked_report,
            effect_by=PROJECT_KEEPERS | {"heating_handler", "heating_head"},
        ),
        # the lead unit links only cases it sees itself; the keepers any
        Rule(
            PROJECT_KEEPERS | {"leader", "heating_handler", "heating_head", "housing_handler"},
            kwargs=lambda m: {"project_id": m.ledger.heating_project.pk},
            method=POST,
            data=lambda m: {"tracking_number": m.cases["committee"].tracking_number},
            ok=(302, 400),
            effect=linked_committee,
            effect_by=PROJECT_KEEPERS,
            label="a case outside the unit's scope",
        ),
    ],
    "projects:link_from_case": [
        Rule(
            PROJECT_KEEPERS | {"leader", "heating_handler", "heating_head", "housing_handler"},
            method=POST,
            data=lambda m: {
                "project": m.ledger.heating_project.pk,
                "tracking_number": m.cases["report"].tracking_number,
            },
            ok=(302,),
            effect=linked_report,
            effect_by=PROJECT_KEEPERS | {"heating_handler", "heating_head"},
        )
    ],
    "projects:unlink_case": [
        Rule(
            PROJECT_KEEPERS | {"leader", "heating_handler", "heating_head", "housing_handler"},
            kwargs=lambda m: {"project_id": m.ledger.heating_project.pk, "case_id": m.cases["heating"].pk},
            method=POST,
            ok=(302, 403),
            effect=linked_heating,
            effect_by=PROJECT_KEEPERS | {"heating_handler", "heating_head"},
        ),
        Rule(
            PROJECT_KEEPERS | {"leader", "housing_handler"},  # the lead unit does not see this case
            kwargs=lambda m: {"project_id": m.ledger.heating_project.pk, "case_id": m.cases["insurance"].pk},
            method=POST,
            ok=(302, 403),
            effect=linked_insurance,
            effect_by=PROJECT_KEEPERS,
            label="a case outside the unit's scope",
        ),
    ],
    "projects:dispatch": [Rule(PROJECT_VIEWERS, hidden=other_projects)],
    "projects:report": [
        Rule({"heating_handler", "heating_head"}, kwargs=lambda m: {"item_id": m.ledger.mains.pk}),
        Rule({"insurance_handler"}, kwargs=lambda m: {"item_id": m.ledger.stations.pk}, label="insurance"),
    ],
    "projects:photo": [
        Rule(
            PROJECT_KEEPERS | {"leader", "heating_handler", "heating_head", "housing_handler"},
            kwargs=lambda m: {"photo_id": m.photo.pk},
        )
    ],
    "projects:wall": [Rule(PROJECT_VIEWERS, hidden=other_projects)],
    "projects:summary": [
        Rule(PROJECT_VIEWERS, query=lambda m, f=f: {"format": f} if f else {}, hidden=other_projects, label=f)
        for f in ("", "xlsx", "pdf")
    ],
    "projects:export": [Rule(PROJECT_VIEWERS, hidden=other_projects)],
    "projects:import": [Rule(PROJECT_KEEPERS)],
    # --- visit campaigns ---
    "visits:home": [Rule(VISIT_VIEWERS, hidden=other_visits)],
    "visits:mine": [Rule(VISIT_VIEWERS, hidden=other_visits)],
    "visits:problem_row": [Rule(VISIT_VIEWERS)],
    "visits:campaign": [
        Rule(VISIT_VIEWERS, kwargs=lambda m: {"campaign_id": m.campaign.pk}, hidden=other_visits)
    ],
    "visits:export": [
        Rule(VISIT_VIEWERS, kwargs=lambda m: {"campaign_id": m.campaign.pk}, hidden=other_visits)
    ],
    "visits:record": [Rule({"visit_secretary"}, kwargs=lambda m: {"campaign_id": m.campaign.pk})],
    "visits:household_lookup": [
        Rule(
            VISIT_VIEWERS,
            kwargs=lambda m: {"campaign_id": m.campaign.pk},
            query=lambda m: {
                "area": m.world.west_grid.pk,
                "address": m.extra["west_visit"].household.address,
            },
            hidden=other_visits,
        )
    ],
    "visits:visit": [
        Rule(VISIT_VIEWERS, kwargs=lambda m: {"visit_id": m.visit.pk}),
        Rule(VISIT_READERS, kwargs=lambda m: {"visit_id": m.extra["west_visit"].pk}, label="west"),
    ],
    "visits:photo": [
        Rule(VISIT_VIEWERS, kwargs=lambda m: {"photo_id": m.visit.photos.get().pk}),
        Rule(
            VISIT_READERS, kwargs=lambda m: {"photo_id": m.extra["west_visit"].photos.get().pk}, label="west"
        ),
    ],
    "visits:household": [
        Rule(VISIT_VIEWERS, kwargs=lambda m: {"household_id": m.household.pk}),
        Rule(
            VISIT_READERS, kwargs=lambda m: {"household_id": m.extra["west_visit"].household_id}, label="west"
        ),
    ],
    # --- problem registers ---
    "problems:register": [
        Rule(REGISTER_READERS | UNITS, hidden=other_registers),
        Rule(REGISTER_READERS | UNITS, query=lambda m: {"all": "1"}, hidden=other_registers, label="all"),
        Rule(
            REGISTER_READERS | {"insurance_handler"},
            query=lambda m: {"unit": m.world.insurance.pk},
            hidden=other_registers,
            label="insurance",
        ),
    ],
    "problems:export": [
        Rule(
            REGISTER_READERS | {"insurance_handler"},
            query=lambda m: {"unit": m.world.insurance.pk},
            hidden=other_registers,
        ),
    ],
    "problems:problem_new": [Rule(UNITS)],
    "problems:problem": [
        Rule(
            REGISTER_READERS | {"insurance_handler"},
            kwargs=lambda m: {"problem_id": m.problems["insurance"].pk},
        ),
        Rule(
            REGISTER_READERS | {"heating_handler", "heating_head"},
            kwargs=lambda m: {"problem_id": m.problems["heating"].pk},
            label="heating",
        ),
    ],
    "problems:problem_edit": [
        Rule({"insurance_handler"}, kwargs=lambda m: {"problem_id": m.problems["insurance"].pk}),
    ],
    "problems:problem_status": [
        Rule(
            {"insurance_handler"},
            kwargs=lambda m: {"problem_id": m.problems["insurance"].pk},
            method=POST,
            data=lambda m: {
                "status": "rectifying",
                "note": "开始整改",
                "version": m.problems["insurance"].version,
            },
            ok=(302, 400),
            effect=problem_status,
            effect_by=frozenset({"insurance_handler"}),
        )
    ],
    "problems:problem_measure": [
        Rule(
            {"insurance_handler"},
            kwargs=lambda m: {"problem_id": m.problems["insurance"].pk},
            method=POST,
            data=lambda m: {"measure": m.measure.pk, "action": "unlink"},
            ok=(302,),
            effect=measure_links,
            effect_by=frozenset({"insurance_handler"}),
        )
    ],
    "problems:measures": [
        Rule(REGISTER_READERS | UNITS, ok=(200, 302), hidden=other_registers),
        Rule(
            REGISTER_READERS | {"insurance_handler"},
            query=lambda m: {"unit": m.world.insurance.pk},
            hidden=other_registers,
            label="insurance",
        ),
    ],
    "problems:measure": [
        Rule(REGISTER_READERS | {"insurance_handler"}, kwargs=lambda m: {"measure_id": m.measure.pk}),
    ],
    "problems:categories": [
        Rule(REGISTER_READERS | UNITS, ok=(200, 302)),
        Rule(
            REGISTER_READERS | {"insurance_handler"},
            query=lambda m: {"unit": m.world.insurance.pk},
            label="insurance",
        ),
    ],
    # --- the REST API ---
    "api:schema": [Rule(ANY, personas=("anonymous", "dispatcher"))],
    "api:docs": [Rule(ANY, personas=("anonymous", "dispatcher"))],
    "api:cases": [
        Rule(API_CALLERS, personas=API, complete=True),
        Rule(API_CALLERS, query=lambda m: {"q": "暖气"}, personas=API, label="search"),
    ],
    "api:case": api_case_rules(),
    "api:case_events": api_case_rules(refs=(False,)),  # the reference is read once, by api:case
    "api:case_operations": api_case_rules(refs=(False,)),
    "api:case_operate": [
        Rule(
            sees("heating") & API_CALLERS,
            kwargs=lambda m: {"ref": str(m.cases["heating"].pk), "operation": "supervise"},
            method=POST,
            data=lambda m: {"note": "请加快办理"},
            ok=(200, 403, 409),
            personas=API,
            effect=supervised,
            effect_by=frozenset({"supervisor"}),
        )
    ],
    "api:case_attachments": [
        Rule(
            sees(name) & API_CALLERS,
            kwargs=lambda m, n=name: {"ref": str(m.cases[n].pk)},
            method=POST,
            ok=(400, 403),
            personas=API,
            label=name,
        )
        for name in ("heating", "wechat")
    ],
    "api:case_requester": [
        Rule(
            reach & API_CALLERS,
            kwargs=lambda m, n=name: {"ref": str(m.cases[n].pk)},
            personas=API,
            effect=audits,
            effect_by=reach & API_CALLERS,
            reveals=True,
            label=name,
        )
        for name, reach in MAY_REVEAL.items()
    ],
    "api:attachment": [
        Rule(
            sees("heating") & API_CALLERS,
            kwargs=lambda m: {"attachment_id": m.attachments["staff"].pk},
            personas=API,
        ),
        Rule(
            sees("wechat") & API_CALLERS,
            kwargs=lambda m: {"attachment_id": m.attachments["key"].pk},
            personas=API,
            label="key",
        ),
    ],
    "api:categories": [Rule(API_CALLERS, personas=API)],
    "api:areas": [Rule(API_CALLERS, personas=API)],
    "api:units": [Rule(API_CALLERS, personas=API)],
    "api:knowledge": [Rule(API_CALLERS, query=lambda m: {"q": "暖气"}, personas=API)],
    "api:measures": [Rule(API_CALLERS, personas=API, expect=received_in_scope)],
    # signed by the channel's secret, never by a session or a plain key: an unsigned call is refused
    "api:webhook": [Rule(frozenset(), kwargs=lambda m: {"channel": "wechat"}, method=POST, personas=API)],
    "api/v1/^.*$": [Rule(frozenset(), kwargs=None, personas=("anonymous", "dispatcher", "key_leader"))],
    # --- Open311 (api_key as a parameter; without one, the public notice board) ---
    "open311:discovery": [Rule(ANY, kwargs=lambda m: {"fmt": "json"}, personas=OPEN311)],
    "open311:services": [Rule(ANY, kwargs=lambda m: {"fmt": "json"}, personas=OPEN311)],
    "open311:service": [
        Rule(ANY, kwargs=lambda m: {"fmt": "json", "code": m.world.heating_cat.code}, personas=OPEN311)
    ],
    "open311:requests": [
        Rule(
            ANY,
            kwargs=lambda m, f=f: {"fmt": f},
            query=lambda m: {"start_date": "2026-01-01T00:00:00+08:00"},
            personas=OPEN311,
            label=f,
        )
        for f in ("json", "xml")
    ]
    + [
        Rule(
            ANY,
            kwargs=lambda m: {"fmt": "json"},
            query=lambda m: {"service_request_id": ",".join(c.tracking_number for c in m.cases.values())},
            personas=OPEN311,
            label="by numbers",
        )
    ],
    "open311:request": [
        Rule(
            (sees(name) & frozenset(KEYS)) | ({"anonymous", "dispatcher"} if name != "report" else set()),
            kwargs=lambda m, n=name: {"fmt": "json", "request_id": m.cases[n].tracking_number},
            personas=OPEN311,
            label=name,
        )
        for name in sorted(SEES)
    ],
    "open311:token": [
        Rule(
            (sees(name) & frozenset(KEYS)) | ({"anonymous", "dispatcher"} if name != "report" else set()),
            kwargs=lambda m, n=name: {"fmt": "json", "token": m.cases[n].tracking_number},
            personas=OPEN311,
            label=name,
        )
        for name in ("heating", "report", "wechat")
    ],
    "open311:updates": [
        Rule(
            ANY,
            kwargs=lambda m: {"fmt": "json"},
            query=lambda m: {"start_date": "2026-01-01T00:00:00+08:00"},
            personas=OPEN311,
        )
    ],
    "open311:root": [Rule(frozenset(), personas=OPEN311)],
    "open311/v2/^(?P<path>.*)$": [Rule(frozenset(), kwargs=None, personas=OPEN311)],
    # --- the citizen portal (the public; a citizen who proved a case with its query code) ---
    # The load balancer's and the monitor's check: open to all; its details for administrators only.
    "healthz": [
        Rule(ANY, personas=MONITORS),
        Rule({"admin"}, query=lambda m: {"detail": "1"}, personas=MONITORS),
    ],
    "portal:home": [Rule(ANY, personas=PORTAL)],
    "portal:submit": [Rule(ANY, personas=PORTAL)],
    "portal:submitted": [Rule(ANY, ok=(404,), personas=PORTAL)],  # nothing submitted in this session
    "portal:areas": [Rule(ANY, query=lambda m: {"street": m.world.east.pk}, personas=PORTAL)],
    "portal:follow": [Rule(ANY, personas=PORTAL)],
    "portal:case": [
        Rule(
            {"citizen"} if name == "heating" else frozenset(),
            kwargs=lambda m, n=name: {"tracking_number": m.cases[n].tracking_number},
            personas=PORTAL,
            label=name,
        )
        for name in ("heating", "insurance", "report")
    ],
    "portal:rate": [
        Rule(
            {"citizen"} if name == "heating" else frozenset(),
            kwargs=lambda m, n=name: {"tracking_number": m.cases[n].tracking_number},
            method=POST,
            data=lambda m: {"rating": "satisfied"},
            ok=(302, 400),
            personas=PORTAL,
            label=name,
        )
        for name in ("heating", "insurance")
    ],
    # The photos a unit sent with its reply for the requester; the heating case's only file is the
    # operator's (internal): nobody, not even its proven citizen, gets it here (tests/portal/test_reply.py).
    "portal:reply_photo": [
        Rule(
            frozenset(),
            kwargs=lambda m: {
                "tracking_number": m.cases["heating"].tracking_number,
                "attachment_id": m.attachments["staff"].pk,
            },
            personas=PORTAL,
        )
    ],
    "portal:stats": [Rule(ANY, personas=PORTAL)],
}

# Cases the public may read on Open311's notice board: all but the confidential one (举报).
OPEN_DATA = frozenset(SEES) - {"report"}
# The portal's own case: its citizen reads it (the query code proved it).
CITIZEN_CASES = frozenset({"heating"})


# --- walking the URL configuration -------------------------------------------------------------------


def url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(key, full pattern, pattern) of every endpoint: the key is `namespace:name`, or the full
    pattern for an unnamed one."""
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from url_patterns(item, prefix + str(item.pattern), inner)
        elif isinstance(item, URLPattern):
            full = prefix + str(item.pattern)
            yield (f"{namespace}{item.name}" if item.name else full), full, item


def is_admin(key: str) -> bool:
    return key.startswith("admin:") or key.startswith("admin/")


def test_every_endpoint_is_classified():
    found = {key for key, _full, _p in url_patterns() if not is_admin(key)}
    unclassified = sorted(found - set(MATRIX))
    assert not unclassified, f"say who may reach these endpoints in MATRIX: {unclassified}"
    assert not sorted(set(MATRIX) - found), "MATRIX names endpoints that no longer exist"


def test_the_admin_site_is_the_whole_rest():
    """Every other pattern is the admin site's, classified by the ADMIN rule below."""
    admin = [full for key, full, _p in url_patterns() if is_admin(key)]
    assert admin and all(full.startswith("admin/") for full in admin)


# --- the world and its clients -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers, MINYI_OPEN311_PUBLIC_READ=True),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        world = build_matrix_world()
        clients = _clients(world)
        yield world, clients
        transaction.set_rollback(True)
    minyi_clock.set_now(None)


def _clients(m: M) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for name in SESSION[1:]:
        clients[name] = Client()
        clients[name].force_login(m.user(name))
    for name, raw in m.keys.items():
        clients[name] = Client(headers={"Authorization": f"Bearer {raw}"})
    citizen = Client()
    heating = m.cases["heating"]
    proved = citizen.post(
        reverse("portal:follow"),
        {"tracking_number": heating.tracking_number, "query_code": heating.query_code},
    )
    assert proved.status_code == 302, "the citizen could not prove their case"
    clients["citizen"] = citizen
    return clients


# --- reading a response ------------------------------------------------------------------------------


def body_text(response) -> str:
    """Everything a response shows, as text: HTML and JSON as sent, the cells of a workbook, the text
    of a PDF."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    if "pdf" in kind:
        import pymupdf

        with pymupdf.open(stream=raw, filetype="pdf") as pdf:
            return "\n".join(page.get_text() for page in pdf)
    text = raw.decode("utf-8", errors="replace")
    if "json" in kind:
        with contextlib.suppress(ValueError):  # JSON may escape non-ASCII text: read it back
            text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def personal_data(m: M, persona: str, url: str) -> dict[str, str]:
    """The raw personal data that must not appear: every requester's name, phone and ID number and
    query code, the phone a visit left for its case; the people met outside the visits' own pages
    (their readers keep the record of whom they met, docs/visits.md, and so does the admin's page of
    a visit); the masked name of a 举报's requester outside the centre; staff names for the public,
    citizens and integrations (they see the public timeline only)."""
    data = {}
    for key, (name, phone) in REQUESTERS.items():
        data[name] = f"name of {key}"
        data[phone] = f"phone of {key}"
    data[ID_NUMBER] = "an ID number"
    data[REPEAT_NAME] = "name of repeat"
    for key, case in m.cases.items():  # the requester's key to the portal
        data[case.query_code] = f"query code of {key}"
    data[VISIT_PHONE] = "phone of visit"
    if not url.startswith(("/console/visits/", "/admin/visits/")):
        data[VISIT_PEOPLE] = "people met of visit"
    if persona not in CENTRE_CALLERS:
        data[REPORT_NAME_MASKED] = "masked name of a confidential report"
    if persona in PUBLIC_VIEW:
        for name in sorted(STAFF):
            data[getattr(m.world, name).full_name] = f"staff name of {name}"
    return data


def refused(persona: str, response) -> bool:
    status = response.status_code
    if status in (401, 403, 404, 405):
        return True
    location = response.get("Location", "")
    return status == 302 and persona in ("anonymous", *KEYS) and "/login/" in location


def visible_numbers(m: M, persona: str) -> set[str]:
    names = {name for name, who in SEES.items() if persona in who}
    if persona == "citizen":
        names |= CITIZEN_CASES
    return {m.cases[n].tracking_number for n in names}


# --- requesting ------------------------------------------------------------------------------------


def request(m: M, clients: dict[str, Client], persona: str, key: str, rule: Rule):
    if rule.kwargs is None:  # an unnamed catch-all pattern
        url = "/" + key.split("^")[0] + "no-such-thing"
    else:
        url = reverse(key, kwargs=rule.kwargs(m) or None)
    client = clients[persona]
    params = dict(rule.query(m))
    if key.startswith("open311:") and persona in KEYS:
        params["api_key"] = m.keys[persona]
        client = clients["anonymous"]
    if key == "console:logout" and persona != "anonymous":  # logging out ends the shared session
        client = Client()
        client.force_login(m.user(persona))
    if rule.method == GET:
        return url, client.get(url, params)
    return url, client.post(f"{url}?{urlencode(params)}" if params else url, rule.data(m))


def check(m: M, clients, key: str, rule: Rule) -> list[str]:
    """Every persona against one rule; the list of what went wrong."""
    problems = []
    reach = set(rule.personas) if rule.reach == ANY else set(rule.reach)
    numbers = set(m.tracking_numbers().values())
    for persona in rule.personas:
        where = f"{key}[{rule.label}] as {persona}"
        with transaction.atomic():
            before = rule.effect(m) if rule.effect else None
            audit_before = audits(m)
            url, response = request(m, clients, persona, key, rule)
            text = body_text(response)
            after = rule.effect(m) if rule.effect else None
            audit_after = audits(m)
            written = list(PersonalDataAccess.objects.order_by("-pk")[: audit_after - audit_before])
            transaction.set_rollback(True)
        status = response.status_code
        if status >= 500:
            problems.append(f"{where}: {status}")
            continue
        if persona in reach:
            if status not in rule.ok:
                problems.append(f"{where}: {status}, expected {rule.ok}")
        elif not refused(persona, response):
            problems.append(f"{where}: {status}, expected a refusal")
        if rule.effect is not None and (before != after) != (persona in rule.effect_by):
            problems.append(
                f"{where}: {'changed' if before != after else 'did not change'} {rule.effect.__name__}"
            )
        if audit_after != audit_before and not ((rule.reveals or rule.looks_up) and persona in reach):
            problems.append(f"{where}: wrote an audit row of a reveal")
        own_rows = bool(written) and {row.user_id for row in written} == {m.user(persona).pk}
        if rule.looks_up and persona in reach and not own_rows:
            problems.append(f"{where}: the look-up found a case without an audit row of its user")
        if rule.reveals and persona in reach:
            expected = [(m.user(persona).pk, m.cases[rule.label].pk)]
            if [(row.user_id, row.case_id) for row in written] != expected:
                problems.append(
                    f"{where}: the reveal wrote {len(written)} audit rows, not one of its user and case"
                )
        given = " ".join(str(v) for v in [url, *rule.query(m).values(), *rule.data(m).values()])
        # numbers of the world's cases only (an example in the docs is none), and not those the
        # request itself gave (a refusal may say which number it did not find)
        leaked = set(TRACKING.findall(text)) & numbers - visible_numbers(m, persona)
        leaked -= set(TRACKING.findall(given))
        if key.startswith("open311:") and persona not in KEYS:
            leaked -= {m.cases[n].tracking_number for n in OPEN_DATA}
        if leaked:
            names = sorted(n for n, c in m.cases.items() if c.tracking_number in leaked)
            problems.append(f"{where}: shows cases outside the scope: {names or sorted(leaked)}")
        shown_in_full = rule.reveals and persona in reach and status == 200
        shown = m.cases[rule.label] if shown_in_full else None
        for secret, what in personal_data(m, persona, url).items():
            revealed = shown and secret in (
                shown.requester_name,
                shown.requester_phone,
                shown.requester_id_number,
            )
            read_back = persona in reach and what == f"query code of {rule.code_of}"
            if secret in text and secret not in given and not (revealed or read_back):
                problems.append(f"{where}: shows the {what}")
        if rule.hidden is not None:
            for secret in rule.hidden(m, persona):
                if secret in text:
                    problems.append(f"{where}: shows “{secret}”")
        if shown_in_full and REQUESTERS[rule.label][1] not in text:
            problems.append(f"{where}: the reveal does not show the phone")
        if rule.complete and persona in reach and status == 200:
            missing = visible_numbers(m, persona) - set(TRACKING.findall(text))
            if missing:
                names = sorted(n for n, c in m.cases.items() if c.tracking_number in missing)
                problems.append(f"{where}: leaves out cases of its scope: {names}")
        if rule.expect is not None and persona in reach and status == 200:
            said = rule.expect(m, persona, response)
            if said:
                problems.append(f"{where}: {said}")
        if rule.code_of and persona in reach and status == 200:
            creator = m.cases[rule.code_of].created_by_id == m.user(persona).pk
            if (m.cases[rule.code_of].query_code in text) != creator:
                problems.append(f"{where}: the query code is {'not ' if creator else ''}read back")
    return problems


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_who_reaches_each_endpoint(matrix, db, key):
    m, clients = matrix
    problems = [p for rule in MATRIX[key] for p in check(m, clients, key, rule)]
    assert not problems, "\n".join(problems)


# --- the admin site ----------------------------------------------------------------------------------

# Everyone may see the admin's login page (and is told there who may log in); its logout is a POST.
ADMIN_OPEN = {"admin:login": (200, 302), "admin:logout": (302, 405)}
ADMIN_TRIED = ("anonymous", "dispatcher", "leader", "heating_head", "nobody", "admin")
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def admin_url(m: M, full: str, pattern: URLPattern) -> str:
    """The pattern with real ids: the first object of the page's model (a case for the link to the
    site), or an id that does not exist when the model has none."""
    from django.contrib.contenttypes.models import ContentType

    model_admin = getattr(pattern.callback, "model_admin", None)
    obj = model_admin.model.objects.order_by("pk").first() if model_admin else None
    values = {
        "object_id": str(obj.pk if obj else m.cases["heating"].pk if "content_type_id" in full else 999999),
        "content_type_id": str(ContentType.objects.get_for_model(Case).pk),
        "app_label": "cases",
    }
    url = PARAM.sub(lambda match: values.get(match.group(1) or match.group(2), "1"), full)
    return "/" + url.replace("^", "").replace("$", "")


def test_only_administrators_reach_the_admin_site_and_it_shows_requesters_masked(matrix, db):
    m, clients = matrix
    problems = []
    pages = [(key, full, p) for key, full, p in url_patterns() if is_admin(key)]
    for key, full, pattern in pages:
        url = admin_url(m, full, pattern)
        for persona in ADMIN_TRIED:
            with transaction.atomic():
                response = clients[persona].get(url)
                text = body_text(response) if response.status_code == 200 else ""
                transaction.set_rollback(True)
            status, where = response.status_code, f"{url} ({key}) as {persona}"
            if status >= 500:
                problems.append(f"{where}: {status}")
            elif key in ADMIN_OPEN:
                if status not in ADMIN_OPEN[key]:
                    problems.append(f"{where}: {status}")
            elif persona == "admin":
                if key.endswith("_changelist") and status != 200:
                    problems.append(f"{where}: {status}, expected 200")
            elif not (status == 302 and response["Location"].startswith("/admin/login/")):
                problems.append(f"{where}: {status}, expected the admin's login page")
            for secret, what in personal_data(m, persona, url).items():
                if secret in text:
                    problems.append(f"{where}: shows the {what}")
    assert len(pages) > 50
    assert not problems, "\n".join(problems)
