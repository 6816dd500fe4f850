"""The demo district's visit campaign (see minyi/visits/): one campaign over the last two months,
a team per street of its visit secretaries, communities and grids assigned with their household
counts, a few hundred visits (some of them repeat visits) recorded through `visits.services`, and
the problems raised there driven some way through the loop, so that progress shows problems solved
and pending.

Visits are recorded in time order, with the clock at each visit, as the secretaries would have
recorded them; the cases' later steps follow the same working-time rhythm as the rest of the demo
(stories.py), and steps that would fall after now are not taken.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from minyi.cases.models import Case
from minyi.cases.services import case_apply
from minyi.core import clock
from minyi.demo import district
from minyi.demo.build import Place, Reference, random_name, random_phone
from minyi.demo.plans import Slots
from minyi.demo.stories import Driver
from minyi.org.models import RoleGrant, User
from minyi.org.roles import Role
from minyi.visits.models import Assignment, Campaign, Team
from minyi.visits.services import RaisedProblem, visit_record

DAYS_BACK = 60  # the campaign started two months ago …
DAYS_AHEAD = 35  # … and runs on for another five weeks
VISITS_PER_TEAM_DAY = (0, 1, 1, 2, 2, 3, 3)  # drawn for each team and working day (small teams)
REPEAT_SHARE = 0.12  # visits that go back to a household visited before
PROBLEM_SHARE = 0.13  # visits at which a problem is raised

PEOPLE = (
    "户主{name}",
    "户主{name}及老伴",
    "{name}（租户）",
    "{name}和女儿",
    "{name}一家三口",
    "独居老人{name}",
    "{name}的儿媳",
)
NOTES = (
    "家中整洁，老人身体尚可，已留联系卡。",
    "宣传了冬季用火用电安全和防诈骗知识。",
    "子女在外地工作，平时由邻居照应，建议社区多关注。",
    "对社区工作表示满意，无其他诉求。",
    "了解了家庭成员就业情况，已登记。",
    "",
    "",
)
REPEAT_NOTES = (
    "回访：上次反映的问题已有回音，住户表示感谢。",
    "回访：再次了解老人近况，生活正常。",
    "回访：住户上次不在家，今日补访。",
)
# What households raise at the door: (category code, demand type, urgency, text).
PROBLEMS = (
    ("010101", "complaint", "urgent", "家里暖气不热，室温只有{temp}度，老人受不了。"),
    ("010104", "help", "urgent", "暖气片接口漏水，地板已经泡了，请尽快派人维修。"),
    ("010203", "help", "normal", "{bldg}楼道灯坏了{weeks}周，晚上上下楼看不见。"),
    ("010204", "complaint", "normal", "{bldg}电梯经常停运，老人上下楼困难。"),
    ("010201", "complaint", "normal", "物业不打扫楼道，垃圾堆了好几天没人管。"),
    ("010702", "suggestion", "normal", "{bldg}是老楼，老人多，希望能加装电梯。"),
    ("080403", "complaint", "normal", "{bldg}楼道里堆满杂物，存在消防隐患。"),
    ("080401", "help", "normal", "楼上住户家漏水，我家卫生间天花板渗水{days}天了。"),
    ("080402", "complaint", "normal", "邻居家的狗夜里一直叫，影响休息。"),
    ("050501", "inquiry", "normal", "家里生活困难，想咨询最低生活保障怎么申请。"),
    ("050503", "help", "normal", "老人{age}岁独居，希望社区提供助餐和上门照护服务。"),
    ("050502", "inquiry", "normal", "家里有残疾人，想了解残疾人补贴的申领条件。"),
    ("050301", "inquiry", "normal", "老人住院的费用医保报销比例是多少，需要准备什么材料？"),
    ("040101", "help", "normal", "孩子明年上幼儿园，附近公办园名额不够，希望帮助协调。"),
    ("040203", "suggestion", "normal", "{school}门口上下学时段车辆乱停，孩子过马路不安全。"),
)
SEASONS = {12: "冬季", 1: "冬季", 2: "冬季", 11: "冬季", 3: "春季", 4: "春季", 5: "春季"}


@dataclass
class Door:
    place: Place
    address: str
    phone: str
    person: str


def build(ref: Reference, rng: random.Random, now: dt.datetime) -> str:
    """Create the demo's visits inside load_demo's transaction; return one line for the progress."""
    today = clock.local(now).date()
    start, end = today - dt.timedelta(days=DAYS_BACK), today + dt.timedelta(days=DAYS_AHEAD)
    season = SEASONS.get(today.month, "夏季" if today.month <= 8 else "秋季")
    campaign = Campaign.objects.create(
        name=f"{today.year}年{season}民情大走访",
        starts_on=start,
        ends_on=end,
        note="民情书记包片入户，听民声、解民忧：每户至少走访一次，反映的问题当场登记为工单。",
        created_at=clock.local(now).replace(hour=9, minute=0) - dt.timedelta(days=DAYS_BACK + 3),
    )
    teams = _teams(ref, campaign)
    driver = Driver(ref, rng, now)
    plans = _plan_visits(ref, rng, driver, teams, start, now)
    problems = 0
    for moment, secretary, door, repeat, problem in plans:
        with clock.frozen_at(moment):
            visit = visit_record(
                actor=secretary,
                campaign=campaign,
                area=door.place.area,
                address=door.address,
                visited_on=clock.local(moment).date(),
                people_met=door.person,
                phone=door.phone if problem else "",
                notes=rng.choice(REPEAT_NOTES if repeat else NOTES),
                problems=[problem] if problem else [],
            )
        for raised in visit.problems.select_related("case"):
            problems += 1
            _drive(driver, rng, raised.case, moment)
    return f"visit campaign: {len(teams)} teams, {len(plans)} visits, {problems} problems"


def _teams(ref: Reference, campaign: Campaign) -> dict[str, tuple[Team, list[User]]]:
    """A team per street: its visit secretary and two or three more, with the street's communities
    assigned whole, except the last, whose grids are assigned one by one (its last grid is left for
    a later campaign: not every place is covered every time)."""
    password = make_password(district.PASSWORD)  # once: hashing is deliberately slow
    names, phones = random.Random("minyi-demo-visit-staff"), random.Random("minyi-demo-visit-phones")
    teams = {}
    for si, street in enumerate(district.STREETS, start=1):
        office = ref.units[street.key]
        members = [ref.visit_secretaries[street.key]]
        for extra in range(2, 2 + 1 + si % 3):  # 1 to 3 more: teams of 2 to 4
            user = User.objects.create(
                username=f"visit{si}-{extra}",
                password=password,
                full_name=random_name(names),
                unit=office,
                area=ref.streets[street.key],
                phone=random_phone(phones),
            )
            RoleGrant.objects.create(user=user, role=Role.VISIT_SECRETARY)
            ref.users[user.username] = user
            members.append(user)
        team = Team.objects.create(campaign=campaign, name=f"{street.name}走访组", unit=office)
        team.members.set(members)
        *whole, split = street.communities
        for community in whole:
            Assignment.objects.create(campaign=campaign, team=team, area=ref.communities[community.key])
        grids = [p for p in ref.grids if p.community is split]
        for place in grids[:-1] if len(grids) > 1 else grids:
            Assignment.objects.create(campaign=campaign, team=team, area=place.area)
        teams[street.key] = (team, members)
    return teams


def _plan_visits(ref, rng, driver, teams, start: dt.date, now: dt.datetime) -> list:
    """(moment, secretary, door, repeat?, problem) of every visit, in time order."""
    tz = driver.cal.tz
    places: dict[str, list[Place]] = {}
    for key, (team, _members) in teams.items():
        assigned = {a.area_id for a in team.assignments.all()}
        places[key] = [p for p in ref.grids if p.area.pk in assigned or p.area.parent_id in assigned]
    plans = []
    day = start
    while day <= clock.local(now).date():
        if driver.cal.is_workday(day):
            for key, (_team, members) in teams.items():
                for _ in range(rng.choice(VISITS_PER_TEAM_DAY)):
                    hour = rng.choice((9, 10, 10, 11, 14, 15, 15, 16))
                    moment = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=tz)
                    if moment <= now - dt.timedelta(minutes=30):  # today's later visits lie ahead
                        plans.append((moment, rng.choice(members), key))
        day += dt.timedelta(days=1)
    plans.sort(key=lambda p: (p[0], p[2]))
    doors: dict[str, list[Door]] = {key: [] for key in teams}
    result = []
    for moment, secretary, key in plans:
        known = doors[key]
        repeat = bool(known) and rng.random() < REPEAT_SHARE
        if repeat:
            door = rng.choice(known)
        else:
            place = rng.choice(places[key])
            slots = Slots(rng, place)
            door = Door(
                place, slots["home"], random_phone(rng), rng.choice(PEOPLE).format(name=random_name(rng))
            )
            known.append(door)
        problem = None
        if rng.random() < PROBLEM_SHARE:
            code, demand_type, urgency, text = rng.choice(PROBLEMS)
            slots = Slots(rng, door.place)
            problem = RaisedProblem(
                text=text.format_map(slots), demand_type=demand_type, urgency=urgency, category=code
            )
        result.append((moment, secretary, door, repeat, problem))
    return result


def _drive(d: Driver, rng: random.Random, case: Case, raised_at: dt.datetime) -> None:
    """Take the case some way through the loop: the older it is, the further it got."""
    age = (d.now - raised_at).days
    steps = ["accept", "assign", "sign_for", "reply", "callback", "archive"]
    if age > 25:
        stop = rng.choice((6, 6, 6, 5, 4))
    elif age > 10:
        stop = rng.choice((6, 5, 4, 4, 3, 2))
    else:
        stop = rng.choice((4, 3, 2, 2, 1, 0))
    t = raised_at
    for operation in steps[:stop]:
        t = _next_moment(d, rng, case, operation, t)
        if t > d.now:
            return
        with clock.frozen_at(t):
            case = _step(d, rng, case, operation)


def _next_moment(d: Driver, rng, case: Case, operation: str, t: dt.datetime) -> dt.datetime:
    urgent = case.urgency != "normal"
    minutes = {
        "accept": rng.uniform(20, 120),
        "assign": rng.uniform(5, 40),
        "sign_for": rng.uniform(20, 240),
        "reply": rng.uniform(480, 480 * 4),
        "callback": rng.uniform(240, 960),
        "archive": rng.uniform(30, 480),
    }[operation]
    if urgent and operation in ("accept", "assign", "sign_for"):
        return t + dt.timedelta(minutes=minutes / 6 + 2)
    if urgent and operation == "reply":
        return t + dt.timedelta(hours=rng.uniform(3, 20))
    return d.work(t, minutes)


def _step(d: Driver, rng, case: Case, operation: str) -> Case:
    if operation == "assign":
        return d.assign(case, d.dispatcher())
    if operation == "accept":
        return case_apply(case_id=case.pk, operation=operation, actor=d.dispatcher())
    if operation == "sign_for":
        return case_apply(case_id=case.pk, operation="sign_for", actor=d.staff(case.lead_unit))
    if operation == "reply":
        note = rng.choice(
            (
                "已安排工作人员上门查看并处理完毕，已电话告知住户。",
                "经现场核实，问题已整改到位，住户表示认可。",
                "已与住户沟通解释相关政策，并协助办理了申请手续。",
            )
        )
        return case_apply(case_id=case.pk, operation="reply", actor=d.staff(case.lead_unit), note=note)
    if operation == "callback":
        satisfied = rng.random() < 0.85
        return case_apply(
            case_id=case.pk,
            operation="callback",
            actor=d.callback_agent(),
            satisfaction="satisfied" if satisfied else "basically_satisfied",
            resolved=True,
        )
    return case_apply(case_id=case.pk, operation="archive", actor=d.callback_agent())
