"""The demo district's livelihood projects (民生实事): two batches with monthly history up to now.

The first batch was adopted ten months ago and the second six months ago, so the ledger, wall chart
and monthly summary have history whatever the day the demo is loaded. Each sub-item follows a pace —
ahead of plan, on plan, slow, stuck, concluded early or suspended — so every status shows. Last
month's reports are filed except a few (overdue on the supervision board); this month's are filed by
about half the units once the month is well under way. The heating renovation project is linked to
the heating complaints of the year, the old-compound renovation to the compound complaints.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from minyi.cases.models import Case
from minyi.core import clock
from minyi.projects import progress
from minyi.projects.models import Batch, Milestone, ProgressReport, Project, ProjectCase, SubItem
from minyi.projects.services import refresh_project, report_due
from minyi.workcal.services import current_calendar


@dataclass(frozen=True)
class Spec:
    name: str
    leader: str  # username
    lead: str  # unit code
    co: tuple[str, ...]
    target: str
    items: tuple[tuple[str, str], ...]  # (content, unit code)
    link: str = ""  # cases whose title holds this word are linked


FIRST = (
    Spec(
        "老旧小区供热管网改造",
        "leader2",
        "heating",
        ("housing",),
        "改造老旧供热管网28公里、换热站12座，解决1.2万户居民冬季室温不达标问题。",
        (
            ("东湖、柳园街道一次管网更换16公里", "heating"),
            ("滨河街道及青山镇一次管网更换12公里", "heating"),
            ("老旧换热站改造12座", "heating"),
            ("楼内供热立管更新3200户", "housing"),
        ),
        link="暖气",
    ),
    Spec(
        "老旧小区综合整治提升",
        "leader",
        "housing",
        ("urban", "donghu", "liuyuan"),
        "完成35个老旧小区的屋面防水、外墙保温、雨污分流和环境整治。",
        (
            ("东湖街道老旧小区整治12个", "donghu"),
            ("柳园街道老旧小区整治10个", "liuyuan"),
            ("滨河街道老旧小区整治13个", "binhe"),
        ),
        link="小区",
    ),
    Spec(
        "新建改扩建中小学和幼儿园",
        "leader2",
        "edu",
        ("housing",),
        "新增学位3600个：新建小学1所、改扩建初中1所、新建公办幼儿园2所。",
        (("滨河第二小学新建工程", "edu"), ("青山镇中学改扩建工程", "edu"), ("公办幼儿园新建2所", "edu")),
    ),
    Spec(
        "社区养老服务设施建设",
        "leader",
        "civil",
        ("health",),
        "建成社区嵌入式养老服务中心4个、老年助餐点20个。",
        (("社区嵌入式养老服务中心4个", "civil"), ("老年助餐点20个", "civil"), ("医养结合签约服务", "health")),
    ),
    Spec(
        "背街小巷环境整治",
        "leader",
        "urban",
        ("donghu", "liuyuan"),
        "整治背街小巷40条，改善路面、照明和立面环境。",
        (("东湖街道背街小巷整治22条", "urban"), ("柳园街道背街小巷整治18条", "urban")),
    ),
    Spec(
        "农贸市场标准化提升改造",
        "leader2",
        "market",
        (),
        "完成6个农贸市场的标准化改造和智慧监管系统建设。",
        (("农贸市场标准化改造6个", "market"), ("农贸市场智慧监管平台", "market")),
    ),
    Spec(
        "医保服务就近办",
        "leader",
        "medins",
        ("donghu", "binhe"),
        "街道医保服务站全覆盖，20项医保高频事项就近办、网上办。",
        (("街道医保服务站全覆盖", "medins"), ("异地就医备案等20项事项网上办", "medins")),
    ),
    Spec(
        "城乡供水管网改造",
        "leader2",
        "water",
        ("housing",),
        "改造老旧供水管网35公里，解决青山镇部分村组水压不足问题。",
        (("城区老旧供水管网改造20公里", "water"), ("青山镇村组供水管网改造15公里", "water")),
    ),
)

SECOND = (
    Spec(
        "新增公共停车泊位",
        "leader2",
        "transport",
        ("police", "urban"),
        "新增公共停车泊位3000个，缓解老旧小区和医院周边停车难。",
        (("医院周边立体停车场1处", "transport"), ("老旧小区周边错时共享泊位", "police")),
    ),
    Spec(
        "口袋公园建设",
        "leader",
        "urban",
        ("env",),
        "新建口袋公园12个，让居民出门300米见绿。",
        (("东湖、柳园街道口袋公园7个", "urban"), ("滨河街道、青山镇口袋公园5个", "urban")),
    ),
    Spec(
        "充电设施进小区",
        "leader2",
        "power",
        ("housing",),
        "在50个小区建成电动汽车和电动自行车充电设施。",
        (("电动自行车集中充电点50处", "power"), ("小区电动汽车充电桩300个", "power")),
    ),
    Spec(
        "消防安全隐患集中整治",
        "leader",
        "fire",
        ("emergency",),
        "整治高层住宅和群租房消防隐患，更新老旧小区消防设施。",
        (("高层住宅消防设施维护更新", "fire"), ("群租房消防隐患排查整治", "emergency")),
    ),
    Spec(
        "困难群体就业帮扶",
        "leader",
        "hrss",
        (),
        "帮扶就业困难人员1500人实现就业，开发公益性岗位300个。",
        (("就业困难人员帮扶就业1500人", "hrss"), ("开发公益性岗位300个", "hrss")),
    ),
)

PHASES = ("完成方案设计", "完成立项审批", "完成招标", "开工建设", "主体完工", "完成验收")
PROBLEMS = (
    "部分居民对施工时段有意见，已协调调整作业时间。",
    "资金拨付进度慢于计划，已报财政部门协调。",
    "地下管线情况复杂，需与产权单位进一步对接。",
    "冬季低温影响室外施工进度。",
    "",
    "",
    "",
)
# How each sub-item actually moves against its plan (a factor on the plan; None: does not start).
PACES = (1.4, 1.3, 1.2, 1.15, 1.1, 1.05, 1.0, 1.0, 1.0, 0.95, 0.8, 0.5, None)


def build(ref, rng: random.Random, now: dt.datetime) -> str:
    rng = random.Random(f"projects-{rng.random()}")  # its own stream: the cases stay the same
    today = clock.local(now).date()
    this_month = progress.month_of(today)
    batches = [
        _batch(ref, rng, "第一批", FIRST, progress.add_months(this_month, -10), 25, now),
        _batch(ref, rng, "第二批", SECOND, progress.add_months(this_month, -6), 20, now),
    ]
    items = SubItem.objects.filter(project__batch__in=batches)
    for project in Project.objects.filter(batch__in=batches):
        refresh_project(project)
    linked = _link_cases(ref)
    done = items.filter(status=progress.DONE).count()
    return (
        f"livelihood projects: 2 batches, {Project.objects.filter(batch__in=batches).count()} projects, "
        f"{items.count()} sub-items ({done} done), {ProgressReport.objects.count()} monthly reports, "
        f"{linked} linked cases"
    )


def _batch(ref, rng, which: str, specs, first: dt.date, report_day: int, now: dt.datetime) -> Batch:
    batch = Batch.objects.create(
        name=f"{first.year}年{which}民生实事项目", year=first.year, first_month=first, report_day=report_day
    )
    suspended = procedural = False
    for pn, spec in enumerate(specs, start=1):
        length = rng.randint(10, 14)
        project = Project.objects.create(
            batch=batch,
            number=str(pn),
            name=spec.name,
            leader=ref.users[spec.leader],
            lead_unit=ref.units[spec.lead],
            target=spec.target,
            deadline=_end_of(progress.add_months(first, length)),
        )
        project.co_units.set([ref.units[c] for c in spec.co])
        for index, (content, unit) in enumerate(spec.items, start=1):
            start = rng.randint(0, 2)
            end = rng.randint(max(start + 4, length - 3), length)
            item = SubItem.objects.create(
                project=project,
                number=str(index),
                name=content,
                unit=ref.units[unit],
                deadline=_end_of(progress.add_months(first, end)),
            )
            plan, phases = _plan(item, first, start, end)
            pace = rng.choice(PACES)
            ending = ""
            if not suspended and pn == 3 and index == 3:
                ending, suspended = progress.SUSPENDED, True  # 问题中止: the site is being re-planned
            elif not procedural and pn == 6 and index == 2:
                ending, procedural = progress.PROCEDURAL, True  # 程序性终结: taken over by the city
            if ending:
                pace = 1.0  # it gets under way before it is stopped
            _history(rng, batch, item, (plan, phases), pace, ending, first, now)
    return batch


def _end_of(month: dt.date) -> dt.date:
    return progress.add_months(month, 1) - dt.timedelta(days=1)


def _plan(
    item: SubItem, first: dt.date, start: int, end: int
) -> tuple[dict[dt.date, int], dict[dt.date, str]]:
    """A rising plan from `start` to the month before the deadline's, with the phases as milestones."""
    steps = max(end - start, 1)
    plan, phases, rows = {}, {}, []
    for k in range(steps):
        month = progress.add_months(first, start + k)
        planned = round(100 * (k + 1) / (steps + 1) / 5) * 5
        phase = PHASES[min(len(PHASES) - 1, k * len(PHASES) // steps)]
        plan[month], phases[month] = planned, phase
        rows.append(
            Milestone(item=item, month=month, planned=planned, description=phase if k % 2 == 0 else "")
        )
    Milestone.objects.bulk_create(rows)
    return plan, phases


def _history(rng, batch, item, planned_phases, pace, ending, first, now) -> None:
    plan, phases = planned_phases
    today = clock.local(now).date()
    cal = current_calendar()
    this_month = progress.month_of(today)
    reports, percent = [], 0
    for month in progress.months(first, this_month):
        due = report_due(batch, month, cal)
        if month == this_month and (today.day < 10 or rng.random() < 0.5):
            break  # this month: about half the units have reported once it is under way
        if month == progress.add_months(this_month, -1) and rng.random() < 0.08:
            break  # last month's report not filed: overdue
        planned = progress.planned_at(plan, item.deadline, month)
        target = 0 if pace is None else min(100, round(planned * pace))
        percent = max(percent, target)
        completion = ""
        if ending and percent >= 40:
            completion = ending
        elif percent >= 100:
            completion = progress.SUBSTANTIVE
        late = rng.random() < 0.1
        shift = dt.timedelta(days=rng.randint(2, 5) if late else -rng.randint(0, 6))
        moment = min(timezone.make_aware(dt.datetime.combine(due, dt.time(16, 30)) + shift), now)
        late = moment.date() > due  # this month's reports are filed by now, never later
        reports.append(
            ProgressReport(
                item=item,
                month=month,
                percent=percent,
                done=_done_text(item, phases, month, percent, completion),
                problems=rng.choice(PROBLEMS) if percent < 100 else "",
                next_steps=""
                if completion
                else f"按计划推进{item.name}，下月力争完成{min(100, percent + 15)}%。",
                completion=completion,
                unit=item.unit,
                reported_at=moment,
                updated_at=moment,
                on_time=not late,
            )
        )
        if completion:
            break
    ProgressReport.objects.bulk_create(reports)


def _done_text(item, phases, month, percent, completion) -> str:
    if completion == progress.SUSPENDED:
        return "因规划调整，项目选址需重新论证，经领衔领导同意问题中止，已向群众做好解释。"
    if completion == progress.PROCEDURAL:
        return "该子项已纳入市级统筹实施，区级按程序终结，相关资料已移交。"
    if completion:
        return f"{item.name}全部完成并通过验收。"
    if percent == 0:
        return "前期准备中，尚未开工。"
    reached = [m for m in phases if m <= month]
    phase = phases[max(reached)] if reached else "推进实施"
    return f"{phase}，累计完成{percent}%。"


def _link_cases(ref) -> int:
    dispatcher = ref.users.get("dispatcher")
    links = []
    for project in Project.objects.exclude(name=""):
        spec = next((s for s in FIRST + SECOND if s.name == project.name), None)
        if spec is None or not spec.link:
            continue
        cases = Case.objects.filter(title__contains=spec.link).order_by("-received_at")[:40]
        links += [
            ProjectCase(project=project, case=c, linked_by=dispatcher, linked_at=c.received_at) for c in cases
        ]
    ProjectCase.objects.bulk_create(links, ignore_conflicts=True)
    return len(links)
