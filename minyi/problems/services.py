"""Every write to a problem register (问题台账) goes through this module.

Each function runs in one transaction, checks the actor's right through `access/problems.py` and
raises a `MinyiError` whose message says what to fix; a refused call changes nothing. The actor
always writes in the register of their own unit (`access.keeping_unit`).

A problem's status moves along `TRANSITIONS` (data, below); `problem_set_status` is the only code
that changes it, and it appends a `ProblemEvent`. Locking: a status change locks the problem row;
numbering a new problem locks the unit row, so two people entering at once never draw one number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from minyi.access import problems as access
from minyi.cases.models import Case
from minyi.core import clock
from minyi.core.errors import IllegalTransition, InvalidInput, NotFound
from minyi.org.models import Unit, User
from minyi.problems.models import (
    Measure,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemSource,
    ProblemStatus,
)

# Where a problem's status may go from each status. A rectified problem that comes back, or a
# closed one that turns out to need work after all, is reopened rather than entered twice.
TRANSITIONS: dict[str, frozenset[str]] = {
    ProblemStatus.OPEN: frozenset({ProblemStatus.RECTIFYING, ProblemStatus.RECTIFIED, ProblemStatus.CLOSED}),
    ProblemStatus.RECTIFYING: frozenset({ProblemStatus.RECTIFIED, ProblemStatus.CLOSED, ProblemStatus.OPEN}),
    ProblemStatus.RECTIFIED: frozenset({ProblemStatus.RECTIFYING, ProblemStatus.OPEN}),
    ProblemStatus.CLOSED: frozenset({ProblemStatus.OPEN}),
}

TITLE_MAX = 200
CATEGORY_MAX = 60
RESPONSIBLE_MAX = 50
# Dates people can mean in a register (a typing slip like 0226 or 20266 is refused).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2199, 12, 31)


def _today() -> dt.date:
    return clock.local(clock.now()).date()


def _text(value: str | None, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("Enter the %(label)s.") % {"label": label}, field=field)
    if len(text) > max_length:
        raise InvalidInput(
            _("The %(label)s may hold at most %(n)d characters: shorten it.")
            % {"label": label, "n": max_length},
            field=field,
        )
    return text


def _date(value: dt.date | None, *, field: str, required: bool = False, not_after_today: bool = False):
    if value is None:
        if required:
            raise InvalidInput(_("Enter the date (YYYY-MM-DD)."), field=field)
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidInput(_("Enter the date as YYYY-MM-DD."), field=field)
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidInput(_("This date is out of range: check the year."), field=field)
    if not_after_today and value > _today():
        raise InvalidInput(_("This date is in the future: enter the day it happened."), field=field)
    return value


# --- categories ----------------------------------------------------------------------------------


@transaction.atomic
def category_create(*, actor: User, name: str) -> ProblemCategory:
    """Add a category (问题分类) to the list of the actor's unit."""
    unit = access.keeping_unit(actor)
    name = _text(name, field="name", label=_("category name"), max_length=CATEGORY_MAX)
    if ProblemCategory.objects.filter(unit=unit, name=name).exists():
        raise InvalidInput(
            _("Your unit already has the category “%(name)s”: choose another name.") % {"name": name},
            field="name",
        )
    last = ProblemCategory.objects.filter(unit=unit).order_by("-position").first()
    return ProblemCategory.objects.create(unit=unit, name=name, position=(last.position + 1) if last else 1)


@transaction.atomic
def category_update(*, actor: User, category_id: int, name: str, is_active: bool = True) -> ProblemCategory:
    """Rename a category or take it out of use (its problems keep it; new ones cannot choose it)."""
    category = _own_category(actor, category_id, for_update=True)
    name = _text(name, field="name", label=_("category name"), max_length=CATEGORY_MAX)
    if ProblemCategory.objects.filter(unit=category.unit_id, name=name).exclude(pk=category.pk).exists():
        raise InvalidInput(
            _("Your unit already has the category “%(name)s”: choose another name.") % {"name": name},
            field="name",
        )
    category.name, category.is_active = name, bool(is_active)
    category.save(update_fields=["name", "is_active"])
    return category


def _own_category(actor: User, category_id, *, for_update: bool = False) -> ProblemCategory:
    unit = access.keeping_unit(actor)
    categories = ProblemCategory.objects.filter(unit=unit)
    if for_update:
        categories = categories.select_for_update()
    category = categories.filter(pk=_int(category_id)).first()
    if category is None:
        raise InvalidInput(_("Choose a category of your unit's list."), field="category")
    return category


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- problems ------------------------------------------------------------------------------------


def _source_and_case(actor: User, source: str, tracking_number: str) -> tuple[str, Case | None]:
    if source not in ProblemSource.values:
        raise InvalidInput(
            _("Choose where the problem was found: in a case or in your own review."), field="source"
        )
    number = (tracking_number or "").strip()
    if source == ProblemSource.REVIEW:
        if number:
            raise InvalidInput(
                _("A problem from your own review names no case: clear the tracking number."),
                field="tracking_number",
            )
        return source, None
    if not number:
        raise InvalidInput(
            _("Enter the tracking number of the case the problem was found in."), field="tracking_number"
        )
    try:
        return source, access.case_for_problem(actor, number)
    except NotFound as exc:
        raise InvalidInput(exc.message, field="tracking_number") from None


@transaction.atomic
def problem_create(
    *,
    actor: User,
    title: str,
    category: ProblemCategory | int,
    source: str,
    found_on: dt.date,
    description: str = "",
    tracking_number: str = "",
) -> Problem:
    """Enter a problem in the register of the actor's unit, numbered "<year found>-<nnn>"."""
    unit = access.keeping_unit(actor)
    title = _text(title, field="title", label=_("title"), max_length=TITLE_MAX)
    description = (description or "").strip()
    chosen = _category_for_new(unit, category)
    source, case = _source_and_case(actor, source, tracking_number)
    found_on = _date(found_on, field="found_on", required=True, not_after_today=True)
    now = clock.now()
    Unit.objects.select_for_update().filter(pk=unit.pk).first()  # numbers are drawn one at a time
    last = Problem.objects.filter(unit=unit, year=found_on.year).order_by("-sequence").first()
    sequence = (last.sequence + 1) if last else 1
    problem = Problem.objects.create(
        unit=unit,
        year=found_on.year,
        sequence=sequence,
        number=f"{found_on.year}-{sequence:03d}",
        title=title,
        description=description,
        category=chosen,
        source=source,
        case=case,
        found_on=found_on,
        status=ProblemStatus.OPEN,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    ProblemEvent.objects.create(problem=problem, actor=actor, at=now, to_status=ProblemStatus.OPEN)
    return problem


def _category_for_new(unit: Unit, category) -> ProblemCategory:
    pk = category.pk if isinstance(category, ProblemCategory) else _int(category)
    chosen = ProblemCategory.objects.filter(unit=unit, pk=pk).first() if pk else None
    if chosen is None:
        raise InvalidInput(_("Choose a category of your unit's list."), field="category")
    if not chosen.is_active:
        raise InvalidInput(_("This category is no longer in use: choose another."), field="category")
    return chosen


@transaction.atomic
def problem_update(
    *,
    actor: User,
    problem_id: int,
    title: str,
    category: ProblemCategory | int,
    source: str,
    found_on: dt.date,
    description: str = "",
    tracking_number: str = "",
) -> Problem:
    """Correct what was entered about a problem (its status moves only by `problem_set_status`)."""
    problem = _lock_problem(actor, problem_id)
    problem.title = _text(title, field="title", label=_("title"), max_length=TITLE_MAX)
    problem.description = (description or "").strip()
    pk = category.pk if isinstance(category, ProblemCategory) else _int(category)
    if pk != problem.category_id:  # a problem keeps a category taken out of use
        problem.category = _category_for_new(problem.unit, pk)
    keeps_case = (
        source == ProblemSource.CASE
        and problem.case_id
        and ((tracking_number or "").strip() == problem.case.tracking_number)
    )
    if not keeps_case:  # a case attached earlier stays attached even if it left the actor's scope
        problem.source, problem.case = _source_and_case(actor, source, tracking_number)
    new_found = _date(found_on, field="found_on", required=True, not_after_today=True)
    if new_found.year != problem.year:
        raise InvalidInput(
            _("The number %(number)s counts problems found in %(year)s: keep a date in that year.")
            % {"number": problem.number, "year": problem.year},
            field="found_on",
        )
    problem.found_on = new_found
    problem.updated_at = clock.now()
    problem.save()
    return problem


def _lock_problem(actor: User, problem_id) -> Problem:
    seen = access.access_problem_by_id(actor, problem_id)  # NotFound outside the actor's scope
    access.check_keeps(actor, seen.unit)
    return Problem.objects.select_for_update(of=("self",)).select_related("unit", "case").get(pk=seen.pk)


@transaction.atomic
def problem_set_status(
    *, actor: User, problem_id: int, status: str, note: str = "", on: dt.date | None = None
) -> Problem:
    """Move a problem to `status` (see TRANSITIONS). Closing without action needs the reason;
    rectified takes the day it was done (`on`, today if not given)."""
    problem = _lock_problem(actor, problem_id)
    if status not in ProblemStatus.values:
        raise InvalidInput(_("Choose the new status."), field="status")
    if status not in TRANSITIONS[problem.status]:
        allowed = "、".join(str(ProblemStatus(s).label) for s in sorted(TRANSITIONS[problem.status]))
        raise IllegalTransition(
            _("Problem %(number)s is “%(status)s”: from there it can become %(allowed)s.")
            % {"number": problem.number, "status": problem.get_status_display(), "allowed": allowed},
            field="status",
        )
    note = (note or "").strip()
    if status == ProblemStatus.CLOSED and not note:
        raise InvalidInput(_("Say why the problem is closed without action."), field="note")
    rectified_on = None
    if status == ProblemStatus.RECTIFIED:
        rectified_on = _date(on, field="on", not_after_today=True) or _today()
        if rectified_on < problem.found_on:
            raise InvalidInput(
                _("A problem cannot be rectified before it was found: check the date."), field="on"
            )
    now = clock.now()
    ProblemEvent.objects.create(
        problem=problem, actor=actor, at=now, from_status=problem.status, to_status=status, note=note
    )
    problem.status, problem.status_note, problem.rectified_on = status, note, rectified_on
    problem.updated_at = now
    problem.save(update_fields=["status", "status_note", "rectified_on", "updated_at"])
    return problem


# --- measures ------------------------------------------------------------------------------------


def parse_numbers(text: str) -> list[str]:
    """Problem numbers written as people write them: "2026-001, 2026-004；2026-010"."""
    for separator in "，、；;\n\t":
        text = (text or "").replace(separator, ",")
    return [part for part in (p.strip() for p in text.replace(" ", ",").split(",")) if part]


def _problems_of(unit: Unit, numbers: Iterable[str]) -> list[Problem]:
    wanted = list(dict.fromkeys(numbers))
    found = {p.number: p for p in Problem.objects.filter(unit=unit, number__in=wanted)}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise InvalidInput(
            _("Your unit's register has no problem %(numbers)s: check the numbers.")
            % {"numbers": "、".join(missing)},
            field="problems",
        )
    return [found[n] for n in wanted]


def _measure_fields(title, responsible, due_on, done_on) -> dict:
    fields = {
        "title": _text(title, field="title", label=_("measure"), max_length=TITLE_MAX),
        "responsible": _text(
            responsible, field="responsible", label=_("responsible person"), max_length=RESPONSIBLE_MAX
        ),
        "due_on": _date(due_on, field="due_on"),
        "done_on": _date(done_on, field="done_on", not_after_today=True),
    }
    return fields


@transaction.atomic
def measure_create(
    *,
    actor: User,
    title: str,
    responsible: str,
    problem_numbers: Iterable[str] = (),
    description: str = "",
    due_on: dt.date | None = None,
    done_on: dt.date | None = None,
) -> Measure:
    """Record an improvement measure (改进措施) of the actor's unit, for some of its problems."""
    unit = access.keeping_unit(actor)
    fields = _measure_fields(title, responsible, due_on, done_on)
    problems = _problems_of(unit, problem_numbers)
    now = clock.now()
    measure = Measure.objects.create(
        unit=unit,
        description=(description or "").strip(),
        created_by=actor,
        created_at=now,
        updated_at=now,
        **fields,
    )
    measure.problems.set(problems)
    return measure


@transaction.atomic
def measure_update(
    *,
    actor: User,
    measure_id: int,
    title: str,
    responsible: str,
    problem_numbers: Iterable[str] = (),
    description: str = "",
    due_on: dt.date | None = None,
    done_on: dt.date | None = None,
) -> Measure:
    """Change a measure: what it is, who answers for it, its dates (done_on marks it done) and the
    problems it addresses (the numbers given replace the earlier list)."""
    measure = _lock_measure(actor, measure_id)
    fields = _measure_fields(title, responsible, due_on, done_on)
    problems = _problems_of(measure.unit, problem_numbers)
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.description = (description or "").strip()
    measure.updated_at = clock.now()
    measure.save()
    measure.problems.set(problems)
    return measure


@transaction.atomic
def measure_link(*, actor: User, measure_id: int, problem_id: int, linked: bool = True) -> Measure:
    """Link a measure to one more problem of the unit (or unlink it, `linked=False`)."""
    measure = _lock_measure(actor, measure_id)
    problem = Problem.objects.filter(unit=measure.unit, pk=_int(problem_id)).first()
    if problem is None:
        raise InvalidInput(_("Choose a problem of your unit's register."), field="problem")
    if linked:
        measure.problems.add(problem)
    else:
        measure.problems.remove(problem)
    measure.updated_at = clock.now()
    measure.save(update_fields=["updated_at"])
    return measure


def _lock_measure(actor: User, measure_id) -> Measure:
    seen = access.access_measure_by_id(actor, measure_id)
    access.check_keeps(actor, seen.unit)
    return Measure.objects.select_for_update(of=("self",)).select_related("unit").get(pk=seen.pk)
