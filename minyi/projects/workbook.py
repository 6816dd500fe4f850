"""The ledger as an Excel workbook (民生实事台账.xlsx): what the district office keeps today, as the way in
and out of minyi. Export and import use the same layout, so a ledger exported and imported again is
the same ledger (tested as a round trip).

Sheets (headers in Chinese, as the office writes them):
- 批次: 批次名称, 年度, 月调度起始月份 (YYYY-MM), 每月填报截止日 (1–28).
- 项目台账: one row per sub-item — 批次, 项目编号, 项目名称, 领衔领导, 牵头单位, 配合单位 (separated by
  、or ,), 目标任务, 项目完成时限, 子项编号, 子项内容, 子项责任单位, 子项完成时限, then one column
  "计划YYYY-MM" per month: the percent planned by the end of that month, optionally followed by what
  the milestone is ("40：完成主体施工"). Project columns left empty continue the project of the row
  above (so sheets with merged cells read as written).
- 月调度: the monthly reports — 批次, 项目编号, 子项编号, 月份, 完成进度(%), 本月完成情况, 存在问题,
  下步计划, 办结类型, 填报时间, 是否按时.

Leaders are named by their full name (or user name) and must hold the leader role; units by name or
code. Import is all or nothing: every row is checked first, and the problems are reported by sheet,
row and column; a batch that exists already is refused (nothing is merged into a live ledger).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from minyi.access import projects as access
from minyi.core import clock
from minyi.core.errors import InvalidInput
from minyi.core.sheets import unguarded, write_sheet
from minyi.org.models import Unit, User
from minyi.org.roles import Role
from minyi.projects import progress, services
from minyi.projects.models import Batch, Completion, Milestone, ProgressReport, Project, SubItem
from minyi.projects.services import refresh_project

BATCH_SHEET, LEDGER_SHEET, REPORT_SHEET = "批次", "项目台账", "月调度"
BATCH_COLUMNS = ["批次名称", "年度", "月调度起始月份", "每月填报截止日"]
LEDGER_COLUMNS = [
    "批次",
    "项目编号",
    "项目名称",
    "领衔领导",
    "牵头单位",
    "配合单位",
    "目标任务",
    "项目完成时限",
    "子项编号",
    "子项内容",
    "子项责任单位",
    "子项完成时限",
]
PROJECT_COLUMNS = LEDGER_COLUMNS[1:8]
REPORT_COLUMNS = [
    "批次",
    "项目编号",
    "子项编号",
    "月份",
    "完成进度(%)",
    "本月完成情况",
    "存在问题",
    "下步计划",
    "办结类型",
    "填报时间",
    "是否按时",
]
PLAN_PREFIX = "计划"
REPORT_FIELDS = {"percent": "完成进度(%)", "completion": "办结类型", "month": "月份"}
COMPLETION_WORDS = {
    "实质性办结": Completion.SUBSTANTIVE,
    "程序性终结": Completion.PROCEDURAL,
    "问题中止": Completion.SUSPENDED,
}
COMPLETION_NAMES = {v: k for k, v in COMPLETION_WORDS.items()}
YES, NO = "是", "否"
MAX_ROWS = 20_000
MAX_PROBLEMS = 200
PLAN_CELL = re.compile(r"^\s*(\d{1,3})\s*%?\s*(?:[:：]\s*(.*?))?\s*$", re.S)
MONTH_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
SPLIT_UNITS = re.compile(r"[、,，;；]")


# --- export ------------------------------------------------------------------------------------------


def export_ledger(batches: Iterable[Batch], projects) -> bytes:
    """The workbook of `batches`, holding the `projects` (already narrowed to the reader) of them."""
    batches = list(batches)
    projects = projects.filter(batch__in=batches).select_related("batch", "leader", "lead_unit")
    items = list(
        SubItem.objects.filter(project__in=projects)
        .select_related("project__batch", "project__leader", "project__lead_unit", "unit")
        .prefetch_related("project__co_units", "milestones")
        .order_by("project__batch__name", "project_id", "id")
    )
    months = sorted({m.month for i in items for m in i.milestones.all()})
    unit_name, leader_name = _unit_names(), _leader_names()
    book = Workbook()
    book.remove(book.active)
    write_sheet(
        book.create_sheet(BATCH_SHEET),
        BATCH_COLUMNS,
        [
            [b.name, b.year, f"{b.first_month:%Y-%m}", b.report_day]
            for b in sorted(batches, key=lambda b: b.name)
        ],
    )
    rows = []
    for item in items:
        p = item.project
        plan = {m.month: m for m in item.milestones.all()}
        row = [
            p.batch.name,
            p.number,
            p.name,
            leader_name(p.leader),
            unit_name(p.lead_unit),
            "、".join(unit_name(u) for u in sorted(p.co_units.all(), key=lambda u: u.name)),
            p.target,
            p.deadline,
            item.number,
            item.name,
            unit_name(item.unit),
            item.deadline,
        ]
        for month in months:
            m = plan.get(month)
            row.append(
                None if m is None else (f"{m.planned}：{m.description}" if m.description else m.planned)
            )
        rows.append(row)
    write_sheet(
        book.create_sheet(LEDGER_SHEET), LEDGER_COLUMNS + [f"{PLAN_PREFIX}{m:%Y-%m}" for m in months], rows
    )
    reports = (
        ProgressReport.objects.filter(item__in=[i.pk for i in items])
        .select_related("item__project__batch")
        .order_by("item__project__batch__name", "item__project_id", "item_id", "month")
    )
    write_sheet(
        book.create_sheet(REPORT_SHEET),
        REPORT_COLUMNS,
        (
            [
                r.item.project.batch.name,
                r.item.project.number,
                r.item.number,
                f"{r.month:%Y-%m}",
                r.percent,
                r.done,
                r.problems,
                r.next_steps,
                COMPLETION_NAMES.get(r.completion, ""),
                clock.local(r.reported_at).replace(second=0, microsecond=0),
                YES if r.on_time else NO,
            ]
            for r in reports
        ),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _unit_names():
    """A unit is written by its name, or by its code where another active unit has the same name (so
    that the import finds it again)."""
    names = Counter(Unit.objects.filter(is_active=True).values_list("name", flat=True))
    return lambda unit: unit.code if names[unit.name] > 1 else unit.name


def _leader_names():
    names = Counter(
        User.objects.filter(is_active=True, grants__role=Role.LEADER)
        .distinct()
        .values_list("full_name", flat=True)
    )
    return lambda user: user.full_name if user.full_name and names[user.full_name] == 1 else user.username


# --- import ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int  # the spreadsheet's row number (1 is the header)
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} 第{self.row}行" if self.row else self.sheet
        return f"{where}{'「' + self.column + '」' if self.column else ''}: {self.message}"


class LedgerInvalid(InvalidInput):
    """The workbook has problems; nothing was imported."""

    code = "ledger_invalid"

    def __init__(self, problems: list[Problem]):
        shown = problems[:MAX_PROBLEMS]
        super().__init__(
            _("The ledger was not imported: %(n)d problem(s) to fix first.") % {"n": len(problems)},
            problems=[str(p) for p in shown],
        )
        self.problems = shown


@dataclass
class Imported:
    batches: int = 0
    projects: int = 0
    items: int = 0
    milestones: int = 0
    reports: int = 0


@dataclass
class _Plan:
    """What the workbook says, checked, before anything is written."""

    batches: dict[str, dict] = field(default_factory=dict)
    projects: dict[tuple[str, str], dict] = field(default_factory=dict)
    items: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    reports: list[dict] = field(default_factory=list)


def import_ledger(*, actor, data: bytes) -> Imported:
    """Read a ledger workbook and create its batches, projects, sub-items, plans and reports — all of
    them, or nothing when any row has a problem (LedgerInvalid lists them)."""
    access.check_keep_ledger(actor)
    book = _open(data)
    problems: list[Problem] = []
    plan = _Plan()
    reader = _Reader(problems)
    for name in (BATCH_SHEET, LEDGER_SHEET):
        if name not in book.sheetnames:
            problems.append(Problem(name, 0, "", _("the workbook has no sheet of this name")))
    if problems:
        raise LedgerInvalid(problems)
    try:
        reader.batches(book[BATCH_SHEET], plan)
        reader.ledger(book[LEDGER_SHEET], plan)
        if REPORT_SHEET in book.sheetnames:
            reader.reports(book[REPORT_SHEET], plan)
    except (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _not_a_workbook() from exc  # a sheet's XML is broken (SyntaxError: XML parse errors)
    if problems:
        raise LedgerInvalid(problems)
    return _write(plan)


def _not_a_workbook() -> InvalidInput:
    return InvalidInput(
        _("This is not an Excel workbook (.xlsx): save the ledger as .xlsx and upload it again."),
        field="file",
    )


def _open(data: bytes):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _not_a_workbook() from None
    except Exception:  # openpyxl raises its own errors for broken parts (a workbook of charts only)
        raise _not_a_workbook() from None


class _Reader:
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        self.leaders = _leaders()
        self.units = _units()

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

    def rows(self, ws, required: list[str]):
        """(row number, header, {header: value}) for the non-empty rows, after checking the header. A
        number shown as a percentage (0.8 shown as 80%) is read as the percent it shows."""
        if not hasattr(ws, "iter_rows"):
            self.problem(ws.title, 0, "", _("this is a chart, not a sheet of cells"))
            return
        # The sheet's own claim of its size is not trusted: read-only openpyxl would drop the rows
        # past a claimed size too small, and pad every row to a claimed 16,384 columns.
        ws.reset_dimensions()
        iterator = ([_shown(c) for c in row] for row in ws.iter_rows())
        header = [str(h).strip() if h is not None else "" for h in next(iterator, ())]
        missing = [c for c in required if c not in header]
        if missing:
            self.problem(ws.title, 1, "", _("columns missing: %(columns)s") % {"columns": "、".join(missing)})
            return
        for number, values in enumerate(iterator, start=2):
            if number > MAX_ROWS + 1:
                self.problem(ws.title, number, "", _("too many rows: split the ledger into several files"))
                return
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            values += [None] * (len(header) - len(values))  # a row ends at its last cell
            yield number, header, dict(zip(header, values, strict=False))

    def batches(self, ws, plan: _Plan) -> None:
        existing = set(Batch.objects.values_list("name", flat=True))
        for n, _h, row in self.rows(ws, BATCH_COLUMNS):
            name = _text(row["批次名称"])
            if not name:
                self.problem(ws.title, n, "批次名称", _("a batch needs a name"))
                continue
            if len(name) > 100:
                self.problem(ws.title, n, "批次名称", _("keep it under %(n)d characters") % {"n": 100})
            if name in existing:
                self.problem(
                    ws.title, n, "批次名称", _("this batch exists already: rename it or delete the old one")
                )
            if name in plan.batches:
                self.problem(ws.title, n, "批次名称", _("this batch is listed twice"))
            year = self.integer(ws.title, n, "年度", row["年度"], 2000, 2100)
            first = self.month(ws.title, n, "月调度起始月份", row["月调度起始月份"])
            day = self.integer(ws.title, n, "每月填报截止日", row["每月填报截止日"], 1, 28)
            plan.batches[name] = {"name": name, "year": year, "first_month": first, "report_day": day}

    def ledger(self, ws, plan: _Plan) -> None:
        rows = self.rows(ws, LEDGER_COLUMNS)
        previous: dict = {}
        for n, header, row in rows:
            plan_columns = [h for h in header if h.startswith(PLAN_PREFIX)]
            batch = _text(row["批次"]) or previous.get("批次", "")
            if batch not in plan.batches:
                self.problem(ws.title, n, "批次", _("no such batch on the sheet 批次"))
                continue
            # Empty project columns continue the project above (merged cells).
            if not _text(row["项目编号"]) or _text(row["项目编号"]) == _text(previous.get("项目编号")):
                for column in PROJECT_COLUMNS:
                    if _blank(row[column]):
                        row[column] = previous.get(column)
            previous = {**row, "批次": batch}
            number = _text(row["项目编号"])
            if not number or len(number) > 16:
                self.problem(ws.title, n, "项目编号", _("a project needs a number of at most 16 characters"))
                continue
            project = {
                "batch": batch,
                "number": number,
                "name": self.required(ws.title, n, "项目名称", row["项目名称"], 200),
                "leader": self.leader(ws.title, n, row["领衔领导"]),
                "lead_unit": self.unit(ws.title, n, "牵头单位", row["牵头单位"]),
                "co_units": [
                    self.unit(ws.title, n, "配合单位", name)
                    for name in SPLIT_UNITS.split(_text(row["配合单位"]))
                    if name.strip()
                ],
                "target": _text(row["目标任务"]),
                "deadline": self.date(ws.title, n, "项目完成时限", row["项目完成时限"]),
            }
            key = (batch, project["number"])
            known = plan.projects.setdefault(key, project)
            if known is not project and known != project:
                self.problem(
                    ws.title, n, "项目编号", _("this project's columns differ from its earlier rows")
                )
            item_number = _text(row["子项编号"])
            if not item_number or len(item_number) > 16:
                self.problem(ws.title, n, "子项编号", _("a sub-item needs a number of at most 16 characters"))
                continue
            item_key = (batch, project["number"], item_number)
            if item_key in plan.items:
                self.problem(ws.title, n, "子项编号", _("this sub-item is listed twice in its project"))
                continue
            plan.items[item_key] = {
                "name": self.required(ws.title, n, "子项内容", row["子项内容"], 300),
                "unit": self.unit(ws.title, n, "子项责任单位", row["子项责任单位"]),
                "deadline": self.date(ws.title, n, "子项完成时限", row["子项完成时限"]),
                "milestones": self.milestones(ws.title, n, row, plan_columns),
                "row": n,
            }

    def milestones(self, sheet: str, n: int, row: dict, columns: list[str]) -> list[tuple[dt.date, int, str]]:
        out, months = [], set()
        for column in columns:
            value = row[column]
            if _blank(value):
                continue
            month = _month(column[len(PLAN_PREFIX) :])
            if month is None:
                self.problem(sheet, 1, column, _("a plan column is named 计划YYYY-MM"))
                continue
            if month in months:
                self.problem(sheet, 1, column, _("two plan columns name the same month"))
                continue
            months.add(month)
            match = PLAN_CELL.match(
                str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
            )
            if not match or int(match.group(1)) > 100:
                self.problem(
                    sheet, n, column, _("write the planned percent (0–100), optionally “40：what is done”")
                )
                continue
            out.append((month, int(match.group(1)), (match.group(2) or "")[:200]))
        return out

    def reports(self, ws, plan: _Plan) -> None:
        seen, numbered = set(), []
        for n, _h, row in self.rows(ws, REPORT_COLUMNS):
            key = (_text(row["批次"]), _text(row["项目编号"]), _text(row["子项编号"]))
            if key not in plan.items:
                self.problem(ws.title, n, "子项编号", _("no such sub-item on the sheet 项目台账"))
                continue
            month = self.month(ws.title, n, "月份", row["月份"])
            if (key, month) in seen:
                self.problem(ws.title, n, "月份", _("this sub-item's month is reported twice"))
            seen.add((key, month))
            completion_word = _text(row["办结类型"])
            completion = COMPLETION_WORDS.get(completion_word, "")
            if completion_word and not completion:
                self.problem(
                    ws.title, n, "办结类型", _("write 实质性办结, 程序性终结 or 问题中止, or leave it empty")
                )
            percent = self.integer(ws.title, n, "完成进度(%)", row["完成进度(%)"], 0, 100)
            done = self.required(ws.title, n, "本月完成情况", row["本月完成情况"], 4000)
            batch = plan.batches.get(key[0], {})
            self.report_rules(ws.title, n, batch, month, percent, completion)
            plan.reports.append(
                {
                    "item": key,
                    "month": month,
                    "percent": percent,
                    "done": done,
                    "problems": _text(row["存在问题"]),
                    "next_steps": _text(row["下步计划"]),
                    "completion": completion,
                    "reported_at": self.moment(ws.title, n, "填报时间", row["填报时间"]),
                    "on_time": _text(row["是否按时"]) != NO,
                }
            )
            numbered.append((n, plan.reports[-1]))
        self.report_order(plan, numbered)

    def report_rules(self, sheet, n, batch: dict, month, percent, completion) -> None:
        """The rules of services.report_file for one row (its month and its figures)."""
        checks = []
        if month and batch.get("first_month"):
            first = batch["first_month"]
            checks.append(lambda: services.check_report_month(first, month, clock.today()))
        if percent is not None:
            checks.append(lambda: services.check_report_values(percent=percent, completion=completion))
        for check in checks:
            try:
                check()
            except InvalidInput as exc:
                self.problem(sheet, n, REPORT_FIELDS.get(exc.field, ""), exc.message)

    def report_order(self, plan: _Plan, rows: list[tuple[int, dict]]) -> None:
        """Per sub-item, in month order: nothing after a completion (services.check_report_sequence)."""
        by_item: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)
        for n, values in rows:
            if values["month"]:
                by_item[values["item"]].append((n, values))
        for reports in by_item.values():
            reports.sort(key=lambda nv: nv[1]["month"])
            earlier = []
            for n, values in reports:
                try:
                    services.check_report_sequence(earlier, values["month"], "")
                except InvalidInput as exc:
                    self.problem(REPORT_SHEET, n, "月份", exc.message)
                earlier.append(
                    progress.Reported(values["month"], values["percent"] or 0, values["completion"])
                )

    # --- cells ---

    def required(self, sheet, n, column, value, limit: int) -> str:
        text = _text(value)
        if not text:
            self.problem(sheet, n, column, _("this cell may not be empty"))
        elif len(text) > limit:
            self.problem(sheet, n, column, _("keep it under %(n)d characters") % {"n": limit})
        return text[:limit]

    def integer(self, sheet, n, column, value, low: int, high: int) -> int | None:
        try:
            figure = float(str(value).strip().rstrip("%"))
            number = int(figure) if figure.is_integer() else None
        except (TypeError, ValueError, OverflowError):
            number = None
        if number is None or not low <= number <= high:
            self.problem(
                sheet,
                n,
                column,
                _("write a whole number from %(low)d to %(high)d") % {"low": low, "high": high},
            )
            return None
        return number

    def date(self, sheet, n, column, value) -> dt.date | None:
        day = _date(value)
        if day is None:
            self.problem(sheet, n, column, _("write a date such as 2026-12-31"))
        return day

    def month(self, sheet, n, column, value) -> dt.date | None:
        month = _month(value)
        if month is None:
            self.problem(sheet, n, column, _("write a month such as 2026-03"))
        return month

    def moment(self, sheet, n, column, value) -> dt.datetime:
        if isinstance(value, dt.datetime):
            moment = value
        else:
            try:
                moment = dt.datetime.fromisoformat(_text(value)) if _text(value) else None
            except ValueError:
                self.problem(sheet, n, column, _("write a time such as 2026-03-20 16:30"))
                moment = None
        if moment is None:
            return clock.now()
        # Before 2000 or ahead of now is a typing error (and year 1 cannot even be turned into UTC).
        if moment.year < 2000 or moment.date() > clock.today():
            self.problem(sheet, n, column, _("write a time such as 2026-03-20 16:30"))
            return clock.now()
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)

    def leader(self, sheet, n, value) -> User | None:
        name = _text(value)
        found = self.leaders.get(name, [])
        if len(found) != 1:
            message = (
                _("no leader of this name: the leading official must be a user with the leader role")
                if not found
                else _("several leaders have this name: write the user name instead")
            )
            self.problem(sheet, n, "领衔领导", message)
            return None
        return found[0]

    def unit(self, sheet, n, column, value) -> Unit | None:
        name = _text(value)
        found = self.units.get(name, [])
        if len(found) != 1:
            message = (
                _("no unit of this name or code")
                if not found
                else _("several units have this name: write its code")
            )
            self.problem(sheet, n, column, message)
            return None
        return found[0]


def _leaders() -> dict[str, list[User]]:
    out: dict[str, list[User]] = defaultdict(list)
    for user in User.objects.filter(is_active=True, grants__role=Role.LEADER).distinct():
        for key in {user.full_name, user.username} - {""}:
            out[key].append(user)
    return out


def _units() -> dict[str, list[Unit]]:
    out: dict[str, list[Unit]] = defaultdict(list)
    for unit in Unit.objects.filter(is_active=True):
        out[unit.name].append(unit)
        if unit.code != unit.name:
            out[unit.code].append(unit)
    return out


def _shown(cell):
    """A cell's value as the sheet shows it: a number formatted as a percentage is its percent."""
    value = cell.value
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "%" in (getattr(cell, "number_format", "") or "")
    ):
        return round(value * 100, 6)
    return value


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # The export's guard against formulas: a "'" before what a spreadsheet would compute.
    return unguarded(str(value).strip())


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = DATE_TEXT.match(_text(value))
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _month(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return progress.month_of(value if not isinstance(value, dt.datetime) else value.date())
    match = MONTH_TEXT.match(_text(value))
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def _write(plan: _Plan) -> Imported:
    try:
        return _create(plan)
    except IntegrityError:
        # Another import of the same batch committed between the check and the write.
        raise LedgerInvalid(
            [
                Problem(
                    BATCH_SHEET,
                    0,
                    "批次名称",
                    _("this batch exists already: rename it or delete the old one"),
                )
            ]
        ) from None


@transaction.atomic
def _create(plan: _Plan) -> Imported:
    result = Imported()
    batches = {name: Batch.objects.create(**values) for name, values in plan.batches.items()}
    result.batches = len(batches)
    projects = {}
    for (batch, number), values in plan.projects.items():
        co_units = values.pop("co_units")
        projects[(batch, number)] = project = Project.objects.create(**{**values, "batch": batches[batch]})
        project.co_units.set(co_units)
    result.projects = len(projects)
    items = {}
    for (batch, project, number), values in sorted(plan.items.items(), key=lambda kv: kv[1]["row"]):
        item = SubItem.objects.create(
            project=projects[(batch, project)],
            number=number,
            name=values["name"],
            unit=values["unit"],
            deadline=values["deadline"],
        )
        items[(batch, project, number)] = item
        Milestone.objects.bulk_create(
            [Milestone(item=item, month=m, planned=p, description=d) for m, p, d in values["milestones"]]
        )
        result.milestones += len(values["milestones"])
    result.items = len(items)
    for values in plan.reports:
        item = items[values.pop("item")]
        ProgressReport.objects.create(item=item, unit=item.unit, updated_at=values["reported_at"], **values)
    result.reports = len(plan.reports)
    for project in projects.values():
        refresh_project(project)
    return result
