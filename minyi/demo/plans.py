"""What happens to each demo case, decided up front: a `Plan` per case.

A plan says when the demand arrives, through which channel, what it is about (category, text, place,
requester) and which path it takes through the loop (handled normally, rejected, answered on the spot,
withdrawn, merged into a master case) with the side paths along the way (return, extension,
suspension, late reply, supervision, callback outcomes, rework). `stories.py` then drives each plan
through the services.

`COVERAGE` lists plans anchored near now that make every status and path appear even in a small demo;
`Planner` draws the rest of the year at random, with seasonal patterns (`stories.make_plans`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from minyi.catalog.choices import Channel, DemandType, Urgency
from minyi.demo import catalogue, district, texts
from minyi.demo.build import Place, Reference, random_name, random_phone

CHANNEL_WEIGHTS: dict[str, float] = {
    Channel.HOTLINE: 46,
    Channel.WECHAT: 14,
    Channel.WEB: 8,
    Channel.MOBILE: 9,
    Channel.GRID: 9,
    Channel.VISIT: 4,
    Channel.WINDOW: 4,
    Channel.PETITION: 2,
    Channel.OPEN311: 1.5,
    Channel.API: 1.5,
    Channel.IMPORT: 1,
}
# What grid workers see on patrol and visit secretaries hear at the door (by category code prefix).
GRID_TOPICS = ("0102", "0103", "0108", "0201", "0204", "0301", "0304", "0802", "0804", "020203")
VISIT_TOPICS = ("0101", "0102", "0107", "0505", "0503", "0804", "0401", "0402")
# Categories about policy rather than a place: some of their cases have no area.
PLACELESS = ("0502", "0503", "0504", "0703", "050201", "050202", "050103")

# Demands per month relative to the average: heating in winter, a dip at the Spring Festival.
MONTH_VOLUME = {1: 1.25, 2: 0.85, 4: 0.95, 6: 1.05, 7: 1.1, 8: 1.1, 9: 0.95, 10: 0.9, 11: 1.15, 12: 1.3}
SATISFACTION = (
    ("satisfied", 0.68),
    ("basically_satisfied", 0.15),
    ("dissatisfied", 0.09),
    ("unreachable", 0.08),
)


class Slots(dict):
    """The values a case's texts are filled with, made on first use and then kept, so the title, the
    description and the reply of one case name the same building, road and numbers."""

    def __init__(self, rng: random.Random, place: Place):
        super().__init__()
        self.rng = rng
        self.place = place

    def __missing__(self, key: str) -> str:
        value = self._make(key)
        self[key] = value
        return value

    def _make(self, key: str) -> str:
        rng, community = self.rng, self.place.community
        village = self["compound"].endswith("组") if key in ("home", "bldg") else False
        simple = {
            "compound": lambda: rng.choice(community.compounds),
            "road": lambda: rng.choice(community.roads),
            "road2": lambda: rng.choice([r for r in _all_roads() if r != self["road"]]),
            "community": lambda: community.name,
            "street": lambda: self.place.street.name,
            "shop": lambda: rng.choice(texts.SHOP_NAMES) + rng.choice(texts.SHOP_KINDS),
            "eatery": lambda: rng.choice(texts.SHOP_NAMES) + rng.choice(texts.EATERY_KINDS),
            "company": lambda: "民意区" + rng.choice(texts.COMPANY_WORDS) + rng.choice(texts.COMPANY_KINDS),
            "site": lambda: rng.choice(texts.COMPANY_WORDS) + rng.choice(texts.SITE_KINDS) + "项目工地",
            "school": lambda: rng.choice(texts.SCHOOLS),
            "kindergarten": lambda: rng.choice(texts.KINDERGARTENS),
            "hospital": lambda: rng.choice(texts.HOSPITALS),
            "clinic": lambda: self.place.street.name.removesuffix("街道") + "社区卫生服务中心",
            "bus": lambda: rng.choice(texts.BUS_LINES),
            "park": lambda: rng.choice(texts.PARKS),
            "spot": lambda: rng.choice(texts.SPOTS),
            "mall": lambda: rng.choice(texts.MALLS),
            "goods": lambda: rng.choice(texts.GOODS),
            "relative": lambda: rng.choice(texts.RELATIVES),
            "late": lambda: rng.choice(texts.LATE_HOURS),
            "days": lambda: str(rng.randint(2, 7)),
            "weeks": lambda: str(rng.randint(2, 5)),
            "months": lambda: str(rng.randint(2, 8)),
            "n": lambda: str(rng.randint(2, 6)),
            "temp": lambda: str(rng.randint(11, 16)),
            "floor": lambda: str(rng.randint(8, 18)),
            "sqm": lambda: str(rng.randint(55, 145)),
            "age": lambda: str(rng.randint(72, 93)),
            "workers": lambda: str(rng.randint(6, 45)),
            "fee": lambda: rng.choice(("1.2", "1.5", "1.8", "2.2", "20", "30")),
            "fare": lambda: str(rng.randint(12, 85)),
            "amount": lambda: str(rng.choice((2, 3, 5, 6, 8, 12, 15, 18, 26, 35, 48, 68, 98)) * 100),
            "big": lambda: f"{rng.randint(2, 38) * 10000:,}",
            "wages": lambda: f"{rng.randint(8, 260) * 1000:,}",
        }
        if key in simple:
            return simple[key]()
        if key == "bldg":
            if village:
                return self["compound"]
            return f"{self['compound']}{rng.randint(1, 28)}号楼"
        if key == "home":
            if village:
                return f"{self['compound']}{rng.randint(1, 90)}号"
            floor = rng.randint(1, 18)
            return f"{self['bldg']}{rng.randint(1, 4)}单元{floor}{rng.randint(1, 4):02d}室"
        raise KeyError(f"no demo text slot “{key}”")

    def address(self) -> str:
        """The most precise place the texts named."""
        for key, suffix in (("home", ""), ("bldg", ""), ("site", ""), ("road", "附近"), ("compound", "")):
            if key in self:
                return self[key] + suffix
        return ""


def _all_roads() -> list[str]:
    return [road for s in district.STREETS for c in s.communities for road in c.roads]


@dataclass
class Plan:
    received_at: dt.datetime
    channel: str
    demand_type: str
    urgency: str
    category: str  # third-level code
    place: Place  # where the case is (grid), also what its texts describe
    area_level: str  # "grid", "community" or "" (no area)
    slots: Slots
    title: str
    body: str  # the description without the channel's opening words
    description: str
    requester_name: str
    requester_phone: str
    is_anonymous: bool = False
    needs_contact: bool = False
    classified: bool = True  # the category is chosen at registration (else by the dispatcher)
    intake_category: str = ""  # a wrong category chosen at registration, corrected by `classify`

    path: str = "handled"  # handled | reject | answer | withdraw | repeat
    stop_after: str = ""  # create | accept | assign | return | sign_for | reply | callback
    fast: bool = False  # short, predictable delays (coverage plans anchored near now)
    misrouted: bool = False  # assigned to a unit mistaken for the right one; it returns the case
    upheld_return: bool = False  # the unit returns the case; the dispatcher insists
    extension: str = ""  # approved | denied | pending
    suspension: str = ""  # resumed | stays
    late_sign: bool = False
    late: bool = False  # replied after the deadline
    stall: bool = False  # never replied (still open, red)
    remind: bool = False
    instruct: bool = False
    callbacks: list[str] = field(default_factory=list)  # outcomes in order; a dissatisfied one that is
    # followed by another outcome is reopened (重办); an unreachable one is tried again
    master: Plan | None = None
    assign_fraction: float | None = None  # coverage: now lies at this fraction of the handling time

    case_id: int | None = None  # set once registered
    seq: int = 0


class Planner:
    """Draws plans from the catalogue's weights and the texts' templates with one seeded generator."""

    def __init__(self, ref: Reference, rng: random.Random, now: dt.datetime, tz: dt.tzinfo):
        self.ref, self.rng, self.now, self.tz = ref, rng, now, tz
        self.thirds = [code for code, _ in catalogue.third_level_codes() if code in texts.CASE_TEXTS]
        missing = {code for code, _ in catalogue.third_level_codes()} - set(self.thirds)
        assert not missing, f"categories without demo texts: {sorted(missing)}"
        # People who call again and again (the same person many times).
        self.regulars = [(random_name(rng), random_phone(rng)) for _ in range(40)]

    # --- when ------------------------------------------------------------------------------------

    def days(self, count: int, calendar) -> list[dt.date]:
        """`count` days of the last year, more on working days and in the busy months."""
        local_now = self.now.astimezone(self.tz)
        today = local_now.date()
        days = [today - dt.timedelta(days=i) for i in range(366)]
        weights = [
            (1.0 if calendar.is_workday(day) else 0.55) * MONTH_VOLUME.get(day.month, 1.0) for day in days
        ]
        weights[0] *= (local_now.hour + local_now.minute / 60) / 24  # today so far
        return self.rng.choices(days, weights=weights, k=count)  # in random order: a cut drops no season

    def moment(self, day: dt.date, channel: str, calendar) -> dt.datetime:
        rng = self.rng
        if channel in (Channel.GRID, Channel.VISIT, Channel.WINDOW, Channel.PETITION):
            while not calendar.is_workday(day):
                day -= dt.timedelta(days=1)
            hour = rng.choice((8, 9, 9, 10, 10, 10, 11, 14, 14, 15, 15, 16, 16, 17))
            minute = rng.randint(30, 59) if hour == 8 else rng.randint(0, 59)
        elif channel in (Channel.WEB, Channel.MOBILE, Channel.WECHAT, Channel.OPEN311, Channel.API):
            hour = rng.choice((0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20, 20, 21, 21, 22, 22, 23))
            minute = rng.randint(0, 59)
        else:  # the hotline: from early morning to late evening, busiest in office hours
            hour = rng.choice(
                (7, 8, 8, 9, 9, 9, 10, 10, 10, 11, 11, 13, 14, 14, 15, 15, 16, 16, 17, 18, 19, 20, 21)
            )
            minute = rng.randint(0, 59)
        moment = dt.datetime.combine(day, dt.time(hour, minute, rng.randint(0, 59)), tzinfo=self.tz)
        latest = self.now - dt.timedelta(minutes=5)
        if moment > latest:  # today, later than now: some time earlier today instead
            midnight = dt.datetime.combine(latest.astimezone(self.tz).date(), dt.time(), tzinfo=self.tz)
            moment = midnight + (latest - midnight) * rng.random()
        return moment

    # --- what ------------------------------------------------------------------------------------

    def category(self, month: int, *, demand_type: str = "", channel: str = "") -> str:
        choices = self.thirds
        if demand_type:
            choices = [c for c in choices if any(demand_type in t[0].split() for t in texts.CASE_TEXTS[c])]
        if channel == Channel.GRID:
            choices = [c for c in choices if c.startswith(GRID_TOPICS)] or choices
        elif channel == Channel.VISIT:
            choices = [c for c in choices if c.startswith(VISIT_TOPICS)] or choices
        weights = [catalogue.WEIGHT.get(c, 1.0) * _season(c, month) for c in choices]
        return self.rng.choices(choices, weights=weights)[0]

    def plan(
        self,
        received_day: dt.date,
        calendar,
        *,
        channel: str = "",
        demand_type: str = "",
        category: str = "",
        urgency: str = "",
        place: Place | None = None,
        received_at: dt.datetime | None = None,
    ) -> Plan:
        rng = self.rng
        channel = channel or rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        category = category or self.category(received_day.month, demand_type=demand_type, channel=channel)
        templates = [
            t for t in texts.CASE_TEXTS[category] if not demand_type or demand_type in t[0].split()
        ] or list(texts.CASE_TEXTS[category])
        types, title, body = rng.choice(templates)
        demand_type = demand_type or rng.choice(types.split())
        place = place or rng.choice(self.ref.grids)
        slots = Slots(rng, place)
        title = title.format_map(slots)
        body = body.format_map(slots) + rng.choice(texts.DEMAND_CLOSINGS[demand_type])
        if not urgency:
            draw = rng.random()
            if draw < catalogue.MAJOR_SHARE.get(category, 0.002):
                urgency = Urgency.MAJOR
            elif draw < catalogue.URGENT_SHARE.get(category, catalogue.DEFAULT_URGENT):
                urgency = Urgency.URGENT
            else:
                urgency = Urgency.NORMAL
        if channel in (Channel.GRID, Channel.VISIT):
            area_level = "grid"
        elif category.startswith(PLACELESS) and rng.random() < 0.6:
            area_level = ""
        else:
            area_level = "grid" if rng.random() < 0.85 else "community"
        if channel == Channel.GRID:
            worker = self.ref.grid_workers[place.area.pk]
            name, phone, anonymous = worker.full_name, worker.phone, False
        else:
            anonymous = rng.random() < (0.3 if demand_type == DemandType.REPORT else 0.04)
            name, phone = (
                rng.choice(self.regulars) if rng.random() < 0.06 else (random_name(rng), random_phone(rng))
            )
            if anonymous:
                name = ""
                phone = phone if channel == Channel.HOTLINE else ""
        classified = (
            channel in (Channel.HOTLINE, Channel.WINDOW, Channel.GRID, Channel.VISIT) and rng.random() < 0.85
        )
        intake = ""
        if classified and rng.random() < 0.04:  # the operator picked a sibling category; fixed later
            siblings = [c for c in self.thirds if c[:4] == category[:4] and c != category]
            intake = rng.choice(siblings) if siblings else ""
        when = received_at or self.moment(received_day, channel, calendar)
        return Plan(
            received_at=when,
            channel=channel,
            demand_type=demand_type,
            urgency=urgency,
            category=category,
            place=place,
            area_level=area_level,
            slots=slots,
            title=title,
            body=body,
            description=rng.choice(texts.CHANNEL_OPENINGS[channel]) + body,
            requester_name=name,
            requester_phone=phone,
            is_anonymous=anonymous,
            needs_contact=demand_type in (DemandType.COMPLAINT, DemandType.HELP) and rng.random() < 0.5,
            classified=classified,
            intake_category=intake,
        )

    # --- which path ------------------------------------------------------------------------------

    def choose_path(self, plan: Plan) -> None:
        """Decide the plan's path and side paths at random, by how old the case is."""
        rng = self.rng
        age_days = (self.now - plan.received_at).days
        draw = rng.random()
        inquiry = plan.demand_type == DemandType.INQUIRY
        if plan.channel == Channel.GRID and draw < 0.22:
            plan.path = "answer"  # small matters the grid worker settles on the spot
        elif inquiry and draw < 0.45 and plan.channel in (Channel.HOTLINE, Channel.WINDOW):
            plan.path = "answer"
        elif draw > 0.97:
            plan.path = "reject"
        elif draw > 0.95:
            plan.path = "withdraw"
        if plan.path != "handled":
            plan.callbacks = self.callbacks(reopen=False)
            return
        plan.misrouted = rng.random() < 0.05
        plan.upheld_return = not plan.misrouted and rng.random() < 0.02
        if rng.random() < 0.06:
            plan.extension = "approved" if rng.random() < 0.7 else "denied"
        if rng.random() < 0.012:
            plan.suspension = "stays" if age_days < 90 and rng.random() < 0.4 else "resumed"
        plan.late_sign = rng.random() < 0.05
        plan.late = rng.random() < (0.25 if plan.extension == "denied" else 0.09)
        plan.stall = 5 < age_days < 60 and rng.random() < 0.05
        plan.remind = rng.random() < 0.12
        plan.instruct = plan.urgency == Urgency.MAJOR or rng.random() < 0.01
        plan.callbacks = self.callbacks(reopen=True)

    def callbacks(self, *, reopen: bool) -> list[str]:
        return callback_outcomes(self.rng, reopen=reopen)

    def repeats(self, master: Plan, count: int, calendar) -> list[Plan]:
        """Other people (or the same person again) reporting the master case's problem."""
        plans = []
        when = master.received_at
        for _ in range(count):
            minutes = 30 if master.fast else self.rng.randint(20, 600)
            when = calendar.add_working_time(when, dt.timedelta(minutes=minutes))
            if when >= self.now - dt.timedelta(minutes=30):
                break
            plan = self.plan(
                when.date(),
                calendar,
                channel=self.rng.choice((Channel.HOTLINE, Channel.HOTLINE, Channel.WECHAT, Channel.MOBILE)),
                demand_type=master.demand_type,
                category=master.category,
                urgency=master.urgency,
                place=master.place,
                received_at=when,
            )
            # The same problem in the same words the master's texts used (same building, same road).
            plan.slots, plan.title, plan.body = master.slots, master.title, master.body
            plan.description = self.rng.choice(texts.CHANNEL_OPENINGS[plan.channel]) + master.body
            if self.rng.random() < 0.3 and not master.is_anonymous:  # the same person calls again
                plan.requester_name, plan.requester_phone = master.requester_name, master.requester_phone
                plan.description = "再次反映：" + master.body
            plan.path, plan.master, plan.fast = "repeat", master, master.fast
            plan.classified, plan.intake_category = True, ""  # the operator recognises the known problem
            plan.callbacks = self.callbacks(reopen=False)
            plans.append(plan)
        return plans


def callback_outcomes(rng: random.Random, *, reopen: bool) -> list[str]:
    """The callbacks of a replied case: unreachable ones are tried again, a dissatisfied requester's
    case may be reopened and called back once more."""
    outcomes = [_draw(rng, SATISFACTION)]
    if outcomes[0] == "unreachable" and rng.random() < 0.5:
        outcomes.append(_draw(rng, SATISFACTION[:2]))
    elif outcomes[0] == "dissatisfied" and reopen and rng.random() < 0.7:
        outcomes.append(
            _draw(rng, (("satisfied", 0.55), ("basically_satisfied", 0.3), ("dissatisfied", 0.15)))
        )
    return outcomes


def _draw(rng: random.Random, table) -> str:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def _season(code: str, month: int) -> float:
    for prefix in (code, code[:4], code[:2]):
        if prefix in catalogue.SEASON:
            return catalogue.SEASON[prefix].get(month, 1.0)
    return 1.0


# --- coverage: every status and path, anchored near now --------------------------------------------

# (overrides of the plan, working days before now it is received). Channels and demand types not set
# here are spread over these plans so that each appears at least once too; urgency is normal unless set.
COVERAGE: tuple[tuple[dict, float], ...] = (
    (dict(stop_after="create"), 0.05),  # 待受理
    (dict(stop_after="accept"), 0.4),  # 已受理
    (dict(stop_after="assign"), 0.5),  # 已交办, green
    (dict(stop_after="assign", category="020401"), 2.5),  # sign-for overdue: red
    (dict(misrouted=True, stop_after="return"), 0.8),  # 退单待审
    (dict(stop_after="sign_for"), 1.0),  # 办理中, green
    (dict(stop_after="sign_for", remind=True, assign_fraction=0.9, category="010201"), 0),  # yellow
    (dict(stall=True, instruct=True, category="050101", demand_type="complaint"), 24),  # red, red card
    (dict(stall=True, category="010801"), 9),  # red, yellow card
    (dict(extension="pending", category="010701", demand_type="complaint"), 4.5),  # 延期待审
    (dict(extension="approved", callbacks=["satisfied"]), 15),
    (dict(extension="denied", late=True, callbacks=["basically_satisfied"]), 20),
    (dict(suspension="stays", category="010802"), 12),  # 挂起
    (dict(suspension="resumed", callbacks=["satisfied"]), 30),
    (dict(stop_after="reply"), 7),  # 已答复, awaiting callback
    (dict(stop_after="callback", callbacks=["satisfied"]), 10),  # 已回访
    (dict(callbacks=["satisfied"]), 40),  # 已归档
    (dict(callbacks=["basically_satisfied"]), 45),
    (dict(callbacks=["dissatisfied", "satisfied"]), 50),  # reopened (重办), replied again
    (dict(callbacks=["dissatisfied"]), 55),  # archived dissatisfied, with a note
    (dict(callbacks=["unreachable", "satisfied"]), 35),
    (dict(callbacks=["unreachable"]), 38),
    (dict(path="reject"), 4),  # 不予受理
    (dict(path="answer", demand_type="inquiry", callbacks=["satisfied"]), 3),  # 直接办结
    (dict(path="answer", channel="grid", callbacks=["satisfied"]), 6),
    (dict(path="withdraw"), 2.5),  # 撤单
    (dict(path="withdraw", channel="wechat"), 10),
    (dict(misrouted=True, callbacks=["satisfied"]), 25),  # 退单 → 改派
    (dict(upheld_return=True, callbacks=["satisfied"]), 28),  # 退单 → 维持原派
    (dict(late=True, callbacks=["dissatisfied"]), 22),  # replied late, after a supervision order
    (dict(late_sign=True, callbacks=["satisfied"]), 24),
    (dict(urgency="major", instruct=True, callbacks=["satisfied"], category="050101"), 18),
    (dict(urgency="urgent", category="010102", callbacks=["satisfied"]), 3),  # heating: 2 h / 24 h
    (dict(stop_after="sign_for", category="010101", repeats=2), 1.5),  # repeats stay merged (已并单)
    # repeats follow it: the extension, its reply, 重办 after a dissatisfied callback, the archive
    (dict(extension="approved", callbacks=["dissatisfied", "satisfied"], category="010101", repeats=2), 26),
    (dict(category="050301", demand_type="inquiry", callbacks=["satisfied"]), 8),
)
