"""Drive the demo's plans through `case_create` and `case_apply`, in the order things happened.

Each plan becomes a *story*: a generator that yields the moment of its next step and, when resumed
with the clock set to that moment, performs the step through the services as the right persona. A
heap runs all stories interleaved in time order, so tracking numbers, events and notifications are
in the order a real year would have produced them. Steps that would fall after now are not taken:
the case stays where it is, which is what leaves recent cases open.
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
import itertools
import random
import struct
import zlib
from collections import ChainMap
from collections.abc import Callable, Generator, Iterable

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from minyi.access.principals import SYSTEM_ACTOR, Citizen
from minyi.cases.models import Case
from minyi.cases.services import case_apply, case_create
from minyi.cases.workflow import Status, held_by_master, may_be_master
from minyi.catalog.choices import Channel, DemandType, Urgency
from minyi.catalog.services import limits_for, routing_for
from minyi.core import clock
from minyi.demo import catalogue, texts
from minyi.demo.build import Reference
from minyi.demo.plans import COVERAGE, Plan, Planner
from minyi.org.models import Unit, User
from minyi.workcal.calendar import WorkCalendar
from minyi.workcal.services import current_calendar

Story = Generator[dt.datetime, None, object]
MINUTE = dt.timedelta(minutes=1)
REPEATED = (DemandType.COMPLAINT, DemandType.HELP, DemandType.REPORT)  # what others report again

# Channels where the requester acts for themselves (withdraws, rates) in the portal.
ONLINE_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE, Channel.WECHAT})


class Driver:
    """The personas, the calendar and the helpers the stories share."""

    def __init__(self, ref: Reference, rng: random.Random, now: dt.datetime):
        self.ref, self.rng, self.now = ref, rng, now
        self.cal: WorkCalendar = current_calendar()
        self.operators = [ref.users["operator"], ref.users["operator2"]]
        self.dispatchers = [ref.users["dispatcher"], ref.users["dispatcher"], ref.users["dispatcher2"]]
        self.callback_agents = [ref.users["callback"], ref.users["callback2"]]
        self.supervisor = ref.users["supervisor"]
        self.leaders = [ref.users["leader"], ref.users["leader2"]]
        self.counter = itertools.count(1)

    # --- time ------------------------------------------------------------------------------------

    def work(self, t: dt.datetime, minutes: float) -> dt.datetime:
        """`minutes` of working time after t (nights, weekends and holidays skipped)."""
        return self.cal.add_working_time(t, dt.timedelta(minutes=minutes))

    def minutes(self, p: Plan, lo: float, hi: float) -> float:
        return lo if p.fast else self.rng.uniform(lo, hi)

    def intake(self, p: Plan, t: dt.datetime, lo: float, hi: float) -> dt.datetime:
        """The centre's next step: round the clock for urgent cases, else in office hours."""
        minutes = self.minutes(p, lo, hi)
        if p.urgency != Urgency.NORMAL:
            return t + dt.timedelta(minutes=minutes / 4 + 2)
        return self.work(t, minutes)

    def unit_time(self, case: Case, t: dt.datetime, minutes: float) -> dt.datetime:
        """The unit's next step, on the clock its deadline runs on."""
        if case.handle_unit == "hours":
            return t + dt.timedelta(minutes=minutes / 6 + 5)
        return self.work(t, minutes)

    def fraction(self, case: Case, share: float, after: dt.datetime) -> dt.datetime:
        """The moment `share` of the handling time allowed has passed, but at least ten minutes (on
        the case's clock) after `after`."""
        start, due, unit = case.handle_started_at, case.handle_due_at, case.handle_unit
        moment = self.cal.advance(start, self.cal.elapsed(start, due, unit) * share, unit)
        return max(moment, self.unit_time(case, after, 10))

    def before(self, working_days: float) -> dt.datetime:
        """The moment that lies `working_days` of working time before now."""
        target = self.cal.working_day_length * working_days
        lo, hi = self.now - dt.timedelta(days=working_days * 2 + 14), self.now
        for _ in range(40):
            mid = lo + (hi - lo) / 2
            if self.cal.elapsed(mid, self.now, "working_hours") >= target:
                lo = mid
            else:
                hi = mid
        return lo.replace(microsecond=0)

    def received_for_fraction(self, p: Plan, share: float) -> dt.datetime:
        """A receipt moment such that now lies at `share` of the handling time (for a yellow light)."""
        category = self.ref.categories[p.category]
        limits = limits_for(demand_type=p.demand_type, urgency=p.urgency, category=category)
        for i in range(1, 600):  # look back in steps of 0.05 working days, up to 30 days
            received = self.before(i * 0.05)
            assigned = self.intake(p, self.intake(p, received, 5, 5), 1, 1)
            due = self.cal.due_after(assigned, limits.handle_limit, limits.handle_unit)
            total = self.cal.elapsed(assigned, due, limits.handle_unit)
            if self.cal.elapsed(assigned, self.now, limits.handle_unit) >= total * share:
                return received
        raise AssertionError(f"no receipt moment puts now at {share:.0%} of {limits.handle_text}")

    # --- who -------------------------------------------------------------------------------------

    def dispatcher(self) -> User:
        return self.rng.choice(self.dispatchers)

    def callback_agent(self) -> User:
        return self.rng.choice(self.callback_agents)

    def staff(self, unit: Unit) -> User:
        """Someone acting for the unit: mostly its handler, sometimes its head."""
        people = self.ref.unit_staff[unit.code]
        return people[-1] if len(people) > 1 and self.rng.random() < 0.15 else people[0]

    def registrar(self, p: Plan):
        if p.channel == Channel.GRID:
            return self.ref.grid_workers[p.place.area.pk]
        if p.channel == Channel.VISIT:
            return self.ref.visit_secretaries[p.place.street.key]
        if p.channel in ONLINE_CHANNELS:
            return Citizen()
        if p.channel in (Channel.OPEN311, Channel.API, Channel.IMPORT):
            return SYSTEM_ACTOR
        return self.rng.choice(self.operators)

    # --- doing -----------------------------------------------------------------------------------

    def register(self, p: Plan) -> Case:
        community = p.place.community
        area = {
            "grid": p.place.area,
            "community": self.ref.communities[community.key],
            "": None,
        }[p.area_level]
        located = area is not None
        case = case_create(
            actor=self.registrar(p),
            channel=p.channel,
            demand_type=p.demand_type,
            title=p.title,
            description=p.description,
            urgency=p.urgency,
            area=area,
            address=p.slots.address() if located else "",
            latitude=f"{community.latitude + self.rng.uniform(-0.004, 0.004):.6f}" if located else None,
            longitude=f"{community.longitude + self.rng.uniform(-0.005, 0.005):.6f}" if located else None,
            requester_name=p.requester_name,
            requester_phone=p.requester_phone,
            is_anonymous=p.is_anonymous,
            needs_contact=p.needs_contact,
            category=(p.intake_category or p.category) if p.classified else None,
            external_id=(
                f"{p.channel.upper()}-{clock.local(p.received_at):%Y%m%d}-{next(self.counter):05d}"
                if p.channel in (Channel.OPEN311, Channel.API, Channel.IMPORT)
                else ""
            ),
        )
        p.case_id = case.pk
        return case

    def do(self, case: Case, operation: str, actor, **params) -> Case:
        return case_apply(case_id=case.pk, operation=operation, actor=actor, **params)

    def assign(self, case: Case, dispatcher: User, *, lead: Unit | None = None) -> Case:
        """交办 as a dispatcher does it in the console: the lead unit named (the routing catalogue's,
        unless mistaken for another) and the co-units ticked (`co_units_for`)."""
        routing = routing_for(category=case.category, area=case.area)
        co = [] if lead is not None else self.co_units_for(case, routing)
        return self.do(case, "assign", dispatcher, lead_unit=lead or routing.lead_unit, co_units=co)

    def co_units_for(self, case: Case, routing) -> list[Unit]:
        """The catalogue suggests co-units for many categories; the dispatcher ticks them for urgent
        and major cases, which need several units at once, and leaves the others to the lead unit."""
        return list(routing.co_units) if case.urgency != Urgency.NORMAL else []

    def accept(self, p: Plan, case: Case, dispatcher: User) -> Case:
        """受理, classifying the cases that came in without a category (web, WeChat, …)."""
        return self.do(case, "accept", dispatcher, **({} if p.classified else {"category": p.category}))

    def note(self, p: Plan, choices: Iterable[str], **extra: str) -> str:
        return self.rng.choice(tuple(choices)).format_map(ChainMap(extra, p.slots))

    def reply_text(self, p: Plan, case: Case) -> str:
        today = clock.local(clock.now())
        extra = {"date": f"{today.month}月{today.day}日", "unit": case.lead_unit.name}
        if p.demand_type == DemandType.PRAISE:
            return self.note(p, texts.PRAISE_REPLIES, **extra)
        if p.demand_type == DemandType.SUGGESTION:
            return self.note(p, texts.SUGGESTION_REPLIES, **extra)
        entry = self.knowledge_for(p.category) if p.demand_type == DemandType.INQUIRY else None
        if entry is not None:
            return texts.INQUIRY_REPLY.format(answer=entry.answer)
        return self.note(p, texts.REPLIES.get(p.category) or texts.REPLIES[p.category[:4]], **extra)

    def knowledge_for(self, category: str):
        for code in (category, category[:4], category[:2]):
            if code in self.ref.knowledge:
                return self.rng.choice(self.ref.knowledge[code])
        return None

    def wrong_unit(self, case: Case) -> Unit:
        right = routing_for(category=case.category, area=case.area).lead_unit
        code = catalogue.CONFUSED_WITH.get(right.code, "urban" if right.code != "urban" else "housing")
        return self.ref.units[code]


# --- the stories -----------------------------------------------------------------------------------


def handled(d: Driver, p: Plan) -> Story:
    """The main loop: accept, assign, (return), sign for, handle, reply, callback, archive."""
    t = p.received_at
    yield t
    case = d.register(p)
    if p.stop_after == "create":
        return
    t = d.intake(p, t, 5, 90)
    yield t
    dispatcher = d.dispatcher()
    case = d.accept(p, case, dispatcher)
    if p.intake_category:
        t = d.intake(p, t, 1, 10)
        yield t
        case = d.do(case, "classify", dispatcher, category=p.category)
    if p.stop_after == "accept":
        return
    t = d.intake(p, t, 1, 30)
    yield t
    wrong = d.wrong_unit(case) if p.misrouted else None
    case = d.assign(case, dispatcher, lead=wrong)
    if p.stop_after == "assign":
        return
    if wrong or p.upheld_return:
        t = d.unit_time(case, t, d.minutes(p, 30, 300))
        yield t
        right = routing_for(category=case.category, area=case.area)
        if wrong:
            note = d.note(p, texts.RETURN_NOTES, topic=case.category.name, right=right.lead_unit.name)
        else:
            note = d.note(p, texts.UPHOLD_RETURN_NOTES)
        case = d.do(case, "return", d.staff(case.lead_unit), note=note)
        if p.stop_after == "return":
            return
        t = d.intake(p, t, 10, 120)
        yield t
        if wrong:
            case = d.do(
                case, "reassign", dispatcher, lead_unit=right.lead_unit, co_units=d.co_units_for(case, right)
            )
        else:
            case = d.do(
                case, "uphold", dispatcher, note=d.note(p, texts.UPHOLD_NOTES, topic=case.category.name)
            )
    if p.late_sign:
        t = d.unit_time(case, max(t, case.sign_due_at), d.minutes(p, 30, 300))
    else:
        t = min(d.unit_time(case, t, d.minutes(p, 10, 240)), max(t + MINUTE, case.sign_due_at - 10 * MINUTE))
    yield t
    case = d.do(case, "sign_for", d.staff(case.lead_unit))
    result = yield from handling(d, p, case, t)
    if result is None:
        return
    case, t = result
    yield from callbacks(d, p, case, t, may_reopen=True)


def site_photo(case: Case) -> SimpleUploadedFile:
    """A tiny real PNG (a grey square) standing for a photo taken on site."""
    side = 8
    pixels = b"".join(b"\x00" + b"\x80" * side for _ in range(side))  # filter byte + one grey row
    png = b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        for kind, data in (
            (b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)),
            (b"IDAT", zlib.compress(pixels)),
            (b"IEND", b""),
        )
    )
    return SimpleUploadedFile(f"现场照片-{case.tracking_number}.png", png, content_type="image/png")


SHOWN_WORK = frozenset({DemandType.COMPLAINT, DemandType.HELP})


def work_photo(case: Case) -> SimpleUploadedFile:
    """A drawn JPEG standing for the photo of the finished work a unit sends with its reply: a
    building under a blue sky, its colours varying from case to case."""
    shade = 150 + case.pk * 37 % 80
    image = Image.new("RGB", (640, 480), (120, 170, 225))
    draw = ImageDraw.Draw(image)
    for y in range(0, 300, 4):  # the sky, lighter towards the horizon
        draw.rectangle((0, y, 640, y + 4), fill=(120 + y // 5, 170 + y // 8, 225))
    draw.rectangle((0, 380, 640, 480), fill=(90, 150, 80))  # the ground
    draw.rectangle((170, 140, 470, 400), fill=(shade, shade - 20, shade - 40))  # the building
    for row in range(4):
        for column in range(5):
            x, y = 195 + column * 56, 165 + row * 55
            draw.rectangle((x, y, x + 30, y + 32), fill=(235, 240, 250))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(f"整改后-{case.tracking_number}.jpg", out.getvalue(), content_type="image/jpeg")


def handling(d: Driver, p: Plan, case: Case, t: dt.datetime, *, rework: bool = False) -> Story:
    """From sign-for (or reopening) to the reply. Returns (case, time) or None if it stops short."""
    rng = d.rng
    if p.suspension and not rework:
        t = d.fraction(case, 0.2 if p.fast else rng.uniform(0.15, 0.4), after=t)
        yield t
        case = d.do(case, "suspend", d.dispatcher(), note=d.note(p, texts.SUSPEND_NOTES))
        if p.suspension == "stays":
            return None
        t = d.work(t, d.minutes(p, 3, 15) * 480)
        yield t
        case = d.do(case, "resume", d.dispatcher())
    if not rework:
        for unit in case.co_units.all():
            t = d.fraction(case, 0.15 if p.fast else rng.uniform(0.1, 0.5), after=t)
            yield t
            d.do(
                case,
                "co_reply",
                d.staff(unit),
                note=d.note(p, texts.CO_REPLY_NOTES, lead=case.lead_unit.name),
            )
    if not rework and case.pk % 11 == 0:  # a site photo taken while handling (补充材料)
        t = d.fraction(case, 0.3, after=t)
        yield t
        d.do(case, "attach", d.staff(case.lead_unit), note="现场照片", attachments=[site_photo(case)])
    if p.remind and not rework and case.handle_warn_at > t:
        t = d.work(case.handle_warn_at, d.minutes(p, 5, 90))
        yield t
        case = d.do(case, "remind", rng.choice((d.supervisor, d.dispatcher())))
    if p.extension and not rework:
        t = d.fraction(case, 0.55 if p.fast else rng.uniform(0.5, 0.75), after=t)
        if t < case.handle_due_at:
            yield t
            days = rng.choice((3, 5, 5, 7, 10))
            case = d.do(
                case,
                "request_extension",
                d.staff(case.lead_unit),
                days=days,
                note=d.note(p, texts.EXTENSION_NOTES),
            )
            if p.extension == "pending":
                return None
            t = d.work(t, d.minutes(p, 60, 300))
            yield t
            if p.extension == "approved":
                case = d.do(case, "approve_extension", d.dispatcher())
            else:
                case = d.do(case, "deny_extension", d.dispatcher(), note=d.note(p, texts.DENY_NOTES))
    due = case.handle_due_at
    replies = rework or not (p.stall or p.stop_after == "sign_for")
    if not replies:
        reply_at = None
    elif p.late and not rework:
        reply_at = d.unit_time(case, due, d.minutes(p, 120, 2400))
    else:
        reply_at = d.fraction(case, 0.3 if p.fast else rng.uniform(0.12, 0.95), after=t)
    if (p.late or p.stall) and not rework:
        # The supervisor follows an overdue case: ordinary, then yellow card, then red card.
        for minutes, level in ((90, "ordinary"), (720, "yellow"), (2400, "red")):
            when = d.work(due, minutes)
            if (reply_at is not None and when >= reply_at) or (level == "red" and not p.stall):
                break
            t = max(t + MINUTE, when)
            yield t
            case = d.do(
                case, "supervise", d.supervisor, level=level, note=d.note(p, texts.SUPERVISE_NOTES[level])
            )
            if level == "red" and (p.instruct or p.stall):
                # With the red card the supervisor asks a leader for an instruction (请示批示); the
                # leader gives it some hours later, or has not yet (待我批示 on the leader home).
                leader = rng.choice(d.leaders)
                note = d.note(p, texts.REQUEST_INSTRUCTION_NOTES, unit=case.lead_unit.name)
                case = d.do(case, "request_instruction", d.supervisor, leader=leader.pk, note=note)
            if level == "red" and p.instruct:
                t = d.work(t, d.minutes(p, 60, 480))
                yield t
                note = d.note(p, texts.INSTRUCT_NOTES, unit=case.lead_unit.name)
                case = d.do(case, "instruct", leader, note=note)
    elif p.instruct and not rework:
        t = d.work(t, d.minutes(p, 30, 240))
        yield t
        case = d.do(
            case,
            "instruct",
            rng.choice(d.leaders),
            note=d.note(p, texts.INSTRUCT_NOTES, unit=case.lead_unit.name),
        )
    if reply_at is None:
        return None
    t = max(reply_at, t + MINUTE)
    yield t
    # Some units show the requester the finished work (a photo for the requester, with the reply).
    shows_work = case.demand_type in SHOWN_WORK and not case.is_confidential and case.pk % 3 == 0
    case = d.do(
        case,
        "reply",
        d.staff(case.lead_unit),
        note=d.reply_text(p, case),
        photos_for_requester=[work_photo(case)] if shows_work else [],
    )
    return case, t


def callbacks(d: Driver, p: Plan, case: Case, t: dt.datetime, *, may_reopen: bool) -> Story:
    """回访 (as often as the plan says), 重办 after a dissatisfied one if planned, then 归档."""
    rng = d.rng
    if p.stop_after == "reply":
        return
    for i, outcome in enumerate(p.callbacks):
        last = i == len(p.callbacks) - 1
        t = d.work(t, d.minutes(p, 240, 1440) if i == 0 else d.minutes(p, 240, 960))
        yield t
        agent = d.callback_agent()
        resolved = {"satisfied": True, "basically_satisfied": rng.random() < 0.8, "dissatisfied": False}
        case = d.do(case, "callback", agent, satisfaction=outcome, resolved=resolved.get(outcome))
        if p.stop_after == "callback":
            return
        if outcome == "dissatisfied" and not last and may_reopen:
            t = d.work(t, d.minutes(p, 20, 240))
            yield t
            case = d.do(case, "reopen", agent, note=d.note(p, texts.REOPEN_NOTES))
            result = yield from handling(d, p, case, t, rework=True)
            case, t = result
    t = d.work(t, d.minutes(p, 10, 480))
    yield t
    final = p.callbacks[-1]
    notes = {"dissatisfied": texts.ARCHIVE_DISSATISFIED_NOTES, "unreachable": texts.ARCHIVE_UNREACHABLE_NOTES}
    note = d.note(p, notes[final]) if final in notes else ""
    case = d.do(case, "archive", rng.choice((*d.callback_agents, d.dispatcher())), note=note)
    if case.channel in ONLINE_CHANNELS and rng.random() < 0.5:  # 评价 in the portal, now and then
        t = d.work(t, d.minutes(p, 60, 2880))
        yield t
        stars = {"satisfied": 5, "basically_satisfied": 4, "dissatisfied": 2, "unreachable": 3}[final]
        d.do(case, "rate", Citizen(case_id=case.pk), stars=stars)


def answered(d: Driver, p: Plan) -> Story:
    """直接办结: the operator answers from the knowledge base, or the grid worker settles it on the spot."""
    t = p.received_at
    yield t
    case = d.register(p)
    t += dt.timedelta(minutes=d.minutes(p, 2, 12))
    yield t
    if p.channel == Channel.GRID:
        actor, note, params = d.ref.grid_workers[p.place.area.pk], d.note(p, texts.GRID_ANSWER_NOTES), {}
    else:
        entry = d.knowledge_for(p.category)
        actor = d.rng.choice(d.operators)
        note = entry.answer if entry else d.note(p, texts.ANSWER_NOTES)
        params = {"knowledge_entry": entry.pk} if entry else {}
    case = d.do(case, "answer", actor, note=note, **params)
    yield from callbacks(d, p, case, t, may_reopen=False)


def rejected(d: Driver, p: Plan) -> Story:
    """不予受理, straight away or after a first acceptance."""
    t = p.received_at
    yield t
    case = d.register(p)
    t = d.intake(p, t, 10, 120)
    yield t
    dispatcher = d.dispatcher()
    if not p.fast and d.rng.random() < 0.3:
        case = d.accept(p, case, dispatcher)
        t = d.intake(p, t, 30, 300)
        yield t
    reasons = texts.REJECT_ANONYMOUS_NOTES if p.is_anonymous else texts.REJECT_NOTES
    d.do(case, "reject", dispatcher, note=d.note(p, reasons))


def withdrawn(d: Driver, p: Plan) -> Story:
    """撤单: the requester withdraws, at some point before the reply."""
    t = p.received_at
    yield t
    case = d.register(p)
    stage = 0.7 if p.fast else d.rng.random()
    if stage > 0.15:
        t = d.intake(p, t, 5, 90)
        yield t
        case = d.accept(p, case, d.dispatcher())
    if stage > 0.4:
        t = d.intake(p, t, 1, 30)
        yield t
        case = d.assign(case, d.dispatcher())
    if stage > 0.65:
        t = d.unit_time(case, t, d.minutes(p, 10, 240))
        yield t
        case = d.do(case, "sign_for", d.staff(case.lead_unit))
    t = d.work(t, d.minutes(p, 30, 1200))
    yield t
    actor = Citizen(case_id=case.pk) if p.channel in ONLINE_CHANNELS else d.rng.choice(d.operators)
    d.do(case, "withdraw", actor, note=d.note(p, texts.WITHDRAW_NOTES))


def repeat(d: Driver, p: Plan) -> Story:
    """并单: a repeat of an open case is merged into it and follows it (workflow.FOLLOW_MASTER):
    answered with each of its replies, archived with it. Its own requester is called back on a reply
    that stands (not while the master's callback has rejected it)."""
    t = p.received_at
    yield t
    case = d.register(p)
    t = d.intake(p, t, 10, 120)
    yield t
    dispatcher = d.dispatcher()
    if d.rng.random() < 0.4:
        case = d.accept(p, case, dispatcher)
    master = Case.objects.get(pk=p.master.case_id)
    if not may_be_master(master):  # closed meanwhile: the matter was answered, not merged into
        d.do(
            case, "reject", dispatcher, note=texts.REPEAT_OF_CLOSED_NOTE.format(number=master.tracking_number)
        )
        return
    case = d.do(case, "merge", dispatcher, master=master.pk)
    called_on = None  # the reply its requester was called back on
    for _ in range(120):  # look once a working day how the master's course has gone
        case = Case.objects.select_related("master").get(pk=case.pk)
        if case.status == Status.ARCHIVED or case.master_id is None:
            return  # archived with its master
        waiting = case.status == Status.REPLIED and case.replied_at != called_on
        if waiting and not held_by_master("callback", case):
            t = d.work(t, d.minutes(p, 120, 960))
            yield t
            for outcome in p.callbacks:  # unreachable ones are tried again; a dissatisfied one stays
                case = Case.objects.select_related("master").get(pk=case.pk)
                on_reply = case.status in (Status.REPLIED, Status.CALLED_BACK)
                if not on_reply or held_by_master("callback", case):
                    break  # the master went on meanwhile
                resolved = {"satisfied": True, "dissatisfied": False}.get(outcome)
                d.do(case, "callback", d.callback_agent(), satisfaction=outcome, resolved=resolved)
                called_on = case.replied_at
                t = d.work(t, d.minutes(p, 240, 960))
                yield t
            continue
        t = d.work(t, 480)
        yield t


STORIES: dict[str, Callable[[Driver, Plan], Story]] = {
    "handled": handled,
    "answer": answered,
    "reject": rejected,
    "withdraw": withdrawn,
    "repeat": repeat,
}


# --- planning and running --------------------------------------------------------------------------


def make_plans(d: Driver, planner: Planner, count: int) -> list[Plan]:
    """The coverage plans first (every status and path), then random ones up to `count`."""
    plans = coverage_plans(d, planner)
    for day in planner.days(max(count - len(plans), 0), d.cal):
        if len(plans) >= count:
            break
        plan = planner.plan(day, d.cal)
        planner.choose_path(plan)
        plans.append(plan)
        if plan.path == "handled" and plan.demand_type in REPEATED and d.rng.random() < 0.07:
            plans += planner.repeats(plan, d.rng.choice((1, 1, 2, 3)), d.cal)[: count - len(plans)]
    for seq, plan in enumerate(plans):
        plan.seq = seq
    return plans


def coverage_plans(d: Driver, planner: Planner) -> list[Plan]:
    channels = itertools.cycle(Channel.values)
    demand_types = itertools.cycle(DemandType.values)
    plans: list[Plan] = []
    plan_fields = ("channel", "demand_type", "category", "urgency")
    for overrides, ago in COVERAGE:
        options = dict(overrides)
        repeats = options.pop("repeats", 0)
        args = {k: options.pop(k) for k in plan_fields if k in options}
        args.setdefault("channel", next(channels))
        if "category" not in args:
            args.setdefault("demand_type", next(demand_types))
        args.setdefault("urgency", Urgency.NORMAL)
        received = d.before(ago) if ago else d.now
        plan = planner.plan(clock.local(received).date(), d.cal, received_at=received, **args)
        plan.fast, plan.intake_category, plan.callbacks = True, "", ["satisfied"]
        for key, value in options.items():
            setattr(plan, key, value)
        if plan.assign_fraction is not None:
            plan.classified = True
            plan.received_at = d.received_for_fraction(plan, plan.assign_fraction)
        plans.append(plan)
        plans += planner.repeats(plan, repeats, d.cal)
    return plans


def run(d: Driver, plans: list[Plan], *, progress: Callable[[int], None] | None = None) -> int:
    """Play all stories in time order up to now. Returns the number of steps taken."""
    heap: list[tuple[dt.datetime, int, Story]] = []
    for plan in plans:
        story = STORIES[plan.path](d, plan)
        heapq.heappush(heap, (next(story), plan.seq, story))
    steps = 0
    while heap:
        when, seq, story = heapq.heappop(heap)
        if when > d.now:
            continue  # not yet happened: the case stays as it is now
        with clock.frozen_at(when):
            try:
                following = next(story)
            except StopIteration:
                continue
        steps += 1
        if progress and steps % 2000 == 0:
            progress(steps)
        heapq.heappush(heap, (max(following, when), seq, story))
    return steps
