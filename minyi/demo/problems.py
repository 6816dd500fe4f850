"""The demo district's problem registers (问题台账, see minyi/problems/).

The medical-insurance bureau (区医疗保障局) keeps its "麻雀诊室" register — named after the saying
that a sparrow, small as it is, has every organ: one office's problems show those of the whole
service. Its 19 categories of service problems, some dozens of problems (a few found in the
bureau's own cases, the rest in its own review) and about fifteen improvement measures, in every
status. The heating company keeps a smaller one. Everything is written through the services, as
the staff would, each on the day it happened (the demo's clock is moved to it): problems entered
the day they were found, measures when their problems were known and done on their done day, status
changes on their days — so the history, the register's dates and the measures' dates agree.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from minyi.cases.models import Case
from minyi.core import clock
from minyi.problems import services
from minyi.problems.models import Problem, ProblemSource, ProblemStatus

MEDINS_CATEGORIES = (
    "参保登记",
    "医保缴费",
    "异地就医备案",
    "异地就医直接结算",
    "门诊慢特病认定",
    "门诊统筹报销",
    "住院费用结算",
    "药品目录与用药",
    "定点医药机构管理",
    "医保电子凭证",
    "社保卡办理",
    "生育保险待遇",
    "城乡居民医保",
    "灵活就业人员参保",
    "大病保险与医疗救助",
    "窗口服务态度",
    "办事流程与材料",
    "政策宣传与解答",
    "信息系统与线上办理",
)

# (category index, title) of the problems the bureau found in its own review (自查): each is entered
# once or twice, with the place it was seen.
MEDINS_REVIEW = (
    (0, "新生儿参保登记需往返窗口两次"),
    (0, "参保信息变更后系统同步滞后"),
    (1, "城乡居民医保缴费渠道提示不清"),
    (1, "退休人员补缴年限计算口径不一"),
    (2, "异地就医备案线上办理入口难找"),
    (2, "临时外出就医备案材料要求过多"),
    (3, "部分定点医院未开通异地直接结算"),
    (3, "异地住院结算后报销明细无法查询"),
    (4, "门诊慢特病认定周期过长"),
    (4, "慢特病认定所需病历材料重复提交"),
    (5, "门诊统筹报销比例告知不到位"),
    (5, "基层医疗机构门诊统筹刷卡失败"),
    (6, "出院结算排队时间长"),
    (6, "住院费用清单项目解释不清"),
    (7, "国谈药品在定点药店供应不足"),
    (7, "目录外用药未履行告知义务"),
    (8, "定点药店串换药品问题"),
    (8, "定点机构医保标识张贴不规范"),
    (9, "老年人激活医保电子凭证困难"),
    (9, "电子凭证在部分药店无法扫码"),
    (10, "社保卡补换卡领取点少"),
    (10, "社保卡金融功能激活流程繁琐"),
    (11, "生育津贴申领材料说明不一致"),
    (11, "生育医疗费用报销到账慢"),
    (12, "城乡居民医保待遇享受期告知不清"),
    (12, "学生参保由学校代收存在遗漏"),
    (13, "灵活就业人员参保登记需单位证明"),
    (13, "灵活就业人员断缴后续保规则不清"),
    (14, "大病保险二次报销需再次申请"),
    (14, "医疗救助与基本医保结算未一站式"),
    (15, "窗口工作人员答复生硬"),
    (15, "午间窗口无人值守"),
    (16, "办事指南材料清单与实际要求不符"),
    (16, "同一事项不同窗口要求不一"),
    (17, "医保政策调整宣传不及时"),
    (17, "12345转办医保咨询答复口径不统一"),
    (18, "医保服务平台高峰期卡顿"),
    (18, "线上报销进度无法实时查询"),
)
REVIEW_PLACES = ("区政务服务中心医保窗口", "东城街道便民服务中心", "区人民医院医保办", "城西社区卫生服务中心")
REVIEW_NOTES = (
    "在{place}自查时发现：群众反映较集中，已现场记录并拍照留存。",
    "{place}暗访发现，同类情况近一个月出现多次，需从制度上解决。",
    "科室交叉检查时在{place}发现，涉及办事体验，列入本期整改。",
)

# (title, responsible, category indexes of the problems it addresses, weeks to the due date)
MEDINS_MEASURES = (
    ("编制医保经办事项“一次告知”清单", "刘敏（待遇保障科）", (0, 16), 6),
    ("新生儿“出生一件事”参保联办", "王海（参保登记科）", (0,), 10),
    ("异地就医备案全面推行线上自助办理", "张涛（异地就医科）", (2, 3), 8),
    ("扩大异地直接结算定点医院覆盖", "张涛（异地就医科）", (3,), 16),
    ("门诊慢特病认定压缩至10个工作日", "赵静（医药服务科）", (4,), 8),
    ("基层医疗机构门诊统筹系统升级", "孙磊（信息中心）", (5, 18), 12),
    ("出院“床旁结算”试点", "赵静（医药服务科）", (6,), 12),
    ("定点医药机构专项检查", "陈刚（基金监管科）", (7, 8), 10),
    ("医保电子凭证进社区帮办", "李娜（宣传办）", (9, 10), 6),
    ("生育待遇申领材料统一规范", "刘敏（待遇保障科）", (11,), 6),
    ("居民医保参保缴费告知书改版", "王海（参保登记科）", (1, 12, 13), 8),
    ("大病保险与医疗救助“一站式”结算", "刘敏（待遇保障科）", (14,), 20),
    ("窗口服务规范培训与弹性午间值守", "周琳（办公室）", (15,), 4),
    ("12345医保诉求答复口径库", "李娜（宣传办）", (17,), 6),
    ("医保服务平台扩容与进度查询功能", "孙磊（信息中心）", (18,), 14),
)
# The register category a problem found in one of the bureau's cases is filed under, by the case's
# category (the third level of the demo catalogue); other cases go under the last entry's category.
MEDINS_CASE_CATEGORIES = {
    "医保报销": "门诊统筹报销",
    "异地就医备案": "异地就医备案",
    "医保缴费": "医保缴费",
    "医保电子凭证": "医保电子凭证",
    "": "政策宣传与解答",
}
CLOSE_REASONS = (
    "经核实属上级系统统一设置，已向市医保局反映，本单位不作整改。",
    "经复核为个别群众误解，已做好解释，不构成问题。",
)

RECENT_DAYS = 60

HEATING_CATEGORIES = ("供热温度", "管网维修", "收费与开栓", "客服热线", "施工恢复")
HEATING_REVIEW = (
    (0, "老旧小区顶层住户室温偏低"),
    (0, "供热初期楼宇末端温度不达标"),
    (1, "管网抢修后未及时告知住户"),
    (2, "停供申请办理需到营业厅现场"),
    (2, "缴费后开栓时间不确定"),
    (3, "供热高峰期热线接通率低"),
    (4, "管网施工后路面恢复不及时"),
)
HEATING_CASE_CATEGORIES = {
    "供热不足": "供热温度",
    "停暖": "供热温度",
    "暖气漏水": "管网维修",
    "供热收费": "收费与开栓",
    "": "客服热线",
}
HEATING_MEASURES = (
    ("楼宇末端温度巡测与水力平衡调节", "郑海波（客服部）", (0,), 4),
    ("热线高峰期增开坐席并设回拨", "郑海波（客服部）", (3,), 2),
    ("施工“完工即恢复”承诺制", "吴志刚（工程部）", (1, 4), 6),
)


def build(ref, rng: random.Random, now: dt.datetime) -> str:
    """Create the demo's problem registers inside load_demo's transaction; return one line for the
    progress."""
    medins = _register(
        ref,
        rng,
        now,
        unit_code="medins",
        categories=MEDINS_CATEGORIES,
        review=[*MEDINS_REVIEW, *rng.sample(MEDINS_REVIEW, 12)],
        measures=MEDINS_MEASURES,
        case_categories=MEDINS_CASE_CATEGORIES,
        cases_taken=8,
    )
    heating = _register(
        ref,
        rng,
        now,
        unit_code="heating",
        categories=HEATING_CATEGORIES,
        review=list(HEATING_REVIEW),
        measures=HEATING_MEASURES,
        case_categories=HEATING_CASE_CATEGORIES,
        cases_taken=3,
    )
    return (
        f"problem registers: {ref.units['medins'].name} {medins[0]} categories, {medins[1]} problems, "
        f"{medins[2]} measures; {ref.units['heating'].name} {heating[1]} problems, {heating[2]} measures"
    )


class _Days:
    """Moves the demo's clock to the day something happened (never past the demo's now)."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def at(self, day: dt.date, hour: int):
        moment = dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())
        return clock.frozen_at(min(moment, self.now))


def _register(
    ref, rng, now, *, unit_code, categories, review, measures, case_categories, cases_taken
) -> tuple[int, int, int]:
    keeper = ref.unit_staff[unit_code][0]
    unit = ref.units[unit_code]
    today = clock.local(now).date()
    days = _Days(now)
    made = [services.category_create(actor=keeper, name=name) for name in categories]
    entries: list[tuple[int, str, str, str, dt.date]] = []  # category, title, description, number, found
    for index, title in review:
        found = today - dt.timedelta(days=rng.randint(20, 330))
        place = rng.choice(REVIEW_PLACES)
        entries.append((index, title, rng.choice(REVIEW_NOTES).format(place=place), "", found))
    # A few problems the unit saw in its own cases, filed under the register category that matches
    # the case's category (case_categories; "" for the rest).
    cases = list(
        Case.objects.filter(lead_unit=unit)
        .select_related("category")
        .order_by("received_at")[: cases_taken * 4]
    )
    for case in rng.sample(cases, min(cases_taken, len(cases))):
        found = max(clock.local(case.received_at).date(), today - dt.timedelta(days=330))
        note = f"办理工单时发现：{case.title}。同类诉求反复出现，需从源头整改。"
        name = case_categories.get(case.category.name, case_categories[""])
        entries.append((categories.index(name), case.title[:60], note, case.tracking_number, found))
    entries.sort(key=lambda e: e[4])  # entered as they were found: numbers follow the dates
    problems: list[Problem] = []
    for index, title, description, tracking_number, found in entries:
        with days.at(found, 11):
            problems.append(
                services.problem_create(
                    actor=keeper,
                    title=title,
                    description=description,
                    category=made[index],
                    source=ProblemSource.CASE if tracking_number else ProblemSource.REVIEW,
                    tracking_number=tracking_number,
                    found_on=found,
                )
            )
    by_category: dict[int, list[Problem]] = {}
    for problem in problems:
        by_category.setdefault(problem.category_id, []).append(problem)
    addressed: dict[
        int, list[tuple[dt.date, dt.date | None]]
    ] = {}  # problem id → (started, done) of its measures
    settled = today - dt.timedelta(days=RECENT_DAYS)
    for title, responsible, indexes, weeks in measures:
        # Problems found in the last weeks wait for a measure: they are still 待整改.
        targets = [p for i in indexes for p in by_category.get(made[i].pk, []) if p.found_on <= settled]
        if not targets:
            continue
        # Drawn up once its problems are known, due some weeks after the first of them was found.
        started = max(p.found_on for p in targets) + dt.timedelta(days=rng.randint(1, 5))
        due = max(
            min(p.found_on for p in targets) + dt.timedelta(weeks=weeks), started + dt.timedelta(weeks=2)
        )
        done = None
        if due < today and rng.random() < 0.75:
            done = min(max(due - dt.timedelta(days=rng.randint(0, 10)), started), today)
        fields = dict(
            title=title,
            responsible=responsible,
            problem_numbers=[p.number for p in targets],
            description=f"针对{'、'.join(categories[i] for i in indexes)}方面的问题制定，按月调度推进。",
            due_on=due,
        )
        with days.at(started, 10):
            measure = services.measure_create(actor=keeper, **fields)
        if done:
            with days.at(done, 17):
                services.measure_update(actor=keeper, measure_id=measure.pk, done_on=done, **fields)
        for p in targets:
            addressed.setdefault(p.pk, []).append((started, done))
    closed = 0
    for problem in problems:
        measures_of = addressed.get(problem.pk)
        if measures_of:
            # Being rectified from its first measure on; rectified once its last measure is done.
            with days.at(min(started for started, _done in measures_of), 14):
                services.problem_set_status(
                    actor=keeper, problem_id=problem.pk, status=ProblemStatus.RECTIFYING
                )
            dones = [done for _started, done in measures_of]
            if all(dones):
                on = min(today, max(dones) + dt.timedelta(days=rng.randint(0, 7)))
                with days.at(on, 16):
                    services.problem_set_status(
                        actor=keeper,
                        problem_id=problem.pk,
                        status=ProblemStatus.RECTIFIED,
                        on=on,
                        note="整改措施已落实。",
                    )
        elif closed < len(CLOSE_REASONS) and rng.random() < 0.5:
            with days.at(min(today, problem.found_on + dt.timedelta(days=rng.randint(7, 30))), 15):
                services.problem_set_status(
                    actor=keeper,
                    problem_id=problem.pk,
                    status=ProblemStatus.CLOSED,
                    note=CLOSE_REASONS[closed],
                )
            closed += 1
    return len(made), len(problems), unit.measures.count()
