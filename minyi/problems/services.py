"""Every write to a problem register (问题台账) goes through this module.

Each function runs in one transaction, checks the actor's right through `access/problems.py` and
raises a `MinyiError` whose message says what to fix; a refused call changes nothing. The actor
always writes in the register of their own unit (`access.keeping_unit`).

A problem's status moves along `TRANSITIONS` (data, below); `problem_set_status` is the only code
that changes it, and it appends a `ProblemEvent`.

Locking: a change of a problem or a measure locks its row; numbering a new problem and adding or
renaming a category lock the unit row first, so two people entering at once never draw one number
nor one name. Concurrency: problems and measures carry a `version`, bumped by every change; the
console's forms send the version they showed (`expected_version`), and a form shown before someone
else's change is refused as a `Conflict` under the row lock instead of silently overwriting it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from minyi.access import problems as access
from minyi.cases.models import Case
from minyi.core import clock
from minyi.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound
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
# Long enough for a page of text; a bound keeps pasted documents out of the register and the export
# (an Excel cell holds at most 32,767 characters).
DESCRIPTION_MAX = 4000
NOTE_MAX = 2000
# A measure addresses some problems of one register, not the whole of it many times over.
NUMBERS_MAX = 500
MISSING_SHOWN = 10  # numbers named in the "no such problem" message; the rest are counted
# Dates people can mean in a register (a typing slip like 0226 or 20266 is refused).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2199, 12, 31)


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


def _check_version(expected_version, current: int, message: str) -> None:
    """Refuse a form shown before someone else's change (None: the caller sends no version)."""
    if expected_version is not None and _int(expected_version) != current:
        raise Conflict(message, version=current)


def _lock_unit(unit: Unit) -> None:
    # What is unique or counted within a unit (problem numbers, category names) is checked and
    # written under this lock, so two people entering at once are served one after the other.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()


def _date(value: dt.date | None, *, field: str, required: bool = False, not_after_today: bool = False):
    if value is None:
        if required:
            raise InvalidInput(_("Enter the date (YYYY-MM-DD)."), field=field)
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidInput(_("Enter the date as YYYY-MM-DD."), field=field)
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidInput(_("This date is out of range: check the year."), field=field)
    if not_after_today and value > clock.today():
        raise InvalidInput(_("This date is in the future: enter the day it happened."), field=field)
    return value


# --- categories ----------------------------------------------------------------------------------


@transaction.atomic
def category_create(*, actor: User, name: str) -> ProblemCategory:
    """Add a category (问题分类) to the list of the actor's unit."""
    unit = access.keeping_unit(actor)
    name = _text(name, field="name", label=_("category name"), max_length=CATEGORY_MAX)
    _lock_unit(unit)
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
    name = _text(name, field="name", label=_("category name"), max_length=CATEGORY_MAX)
    _lock_unit(access.keeping_unit(actor))  # the unit before the category, as category_create
    category = _own_category(actor, category_id, for_update=True)
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
    description = _description(description)
    chosen = _category_for_new(unit, category)
    source, case = _source_and_case(actor, source, tracking_number)
    found_on = _date(found_on, field="found_on", required=True, not_after_today=True)
    check_found_on(found_on, case=case)
    now = clock.now()
    _lock_unit(unit)  # numbers are drawn one at a time
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


def _description(value: str | None) -> str:
    return _text(
        value, field="description", label=_("description"), max_length=DESCRIPTION_MAX, required=False
    )


def check_found_on(
    found_on: dt.date,
    *,
    case: Case | None,
    number: str = "",
    year: int | None = None,
    rectified_on: dt.date | None = None,
) -> None:
    """Refuse a day found that contradicts the entry: another year than its number counts, before the
    case it was found in came in, or after it was rectified. (Also the admin's check.)"""
    if year is not None and found_on.year != year:
        raise InvalidInput(
            _("The number %(number)s counts problems found in %(year)s: keep a date in that year.")
            % {"number": number, "year": year},
            field="found_on",
        )
    if case is not None:
        received = clock.local(case.received_at).date()
        if found_on < received:
            raise InvalidInput(
                _(
                    "Case %(case)s came in on %(date)s: a problem cannot be found in it earlier. "
                    "Enter that day or a later one."
                )
                % {"case": case.tracking_number, "date": received.isoformat()},
                field="found_on",
            )
    if rectified_on is not None and found_on > rectified_on:
        raise InvalidInput(
            _(
                "Problem %(number)s was rectified on %(date)s: it cannot have been found later. "
                "Enter that day or an earlier one."
            )
            % {"number": number, "date": rectified_on.isoformat()},
            field="found_on",
        )


def _category_for_new(unit: Unit, category) -> ProblemCategory:
    pk = category.pk if isinstance(category, ProblemCategory) else _int(category)
    chosen = ProblemCategory.objects.filter(unit=unit, pk=pk).first() if pk else None
    if chosen is None:
        raise InvalidInput(_("Choose a category of your unit's list."), field="category")
    if not chosen.is_active:
        raise InvalidInput(_("This category is no longer in use: choose another."), field="category")
    return chosen


def _problem_changed(problem: Problem) -> str:
    return _(
        "Problem %(number)s was changed by someone else after you opened it (now “%(status)s”): "
        "check its current state and try again."
    ) % {"number": problem.number, "status": problem.get_status_display()}


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
    expected_version: int | None = None,
) -> Problem:
    """Correct what was entered about a problem (its status moves only by `problem_set_status`).
    `expected_version`: the version the form showed; a newer one is a `Conflict`."""
    problem = _lock_problem(actor, problem_id)
    _check_version(expected_version, problem.version, _problem_changed(problem))
    problem.title = _text(title, field="title", label=_("title"), max_length=TITLE_MAX)
    problem.description = _description(description)
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
    check_found_on(
        new_found,
        case=problem.case,
        number=problem.number,
        year=problem.year,
        rectified_on=problem.rectified_on,
    )
    problem.found_on = new_found
    problem.updated_at = clock.now()
    problem.version += 1
    problem.save()
    return problem


def _lock_problem(actor: User, problem_id) -> Problem:
    seen = access.access_problem_by_id(actor, problem_id)  # NotFound outside the actor's scope
    access.check_keeps(actor, seen.unit)
    return Problem.objects.select_for_update(of=("self",)).select_related("unit", "case").get(pk=seen.pk)


@transaction.atomic
def problem_set_status(
    *,
    actor: User,
    problem_id: int,
    status: str,
    note: str = "",
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Problem:
    """Move a problem to `status` (see TRANSITIONS). Closing without action needs the reason;
    rectified takes the day it was done (`on`, today if not given). `expected_version`: the version
    the form showed; a newer one is a `Conflict`, so a stale page cannot undo a newer change."""
    problem = _lock_problem(actor, problem_id)
    _check_version(expected_version, problem.version, _problem_changed(problem))
    if status not in ProblemStatus.values:
        raise InvalidInput(_("Choose the new status."), field="status")
    if status not in TRANSITIONS[problem.status]:
        allowed = "、".join(str(ProblemStatus(s).label) for s in sorted(TRANSITIONS[problem.status]))
        raise IllegalTransition(
            _("Problem %(number)s is “%(status)s”: from there it can become %(allowed)s.")
            % {"number": problem.number, "status": problem.get_status_display(), "allowed": allowed},
            field="status",
        )
    note = _text(note, field="note", label=_("note"), max_length=NOTE_MAX, required=False)
    if status == ProblemStatus.CLOSED and not note:
        raise InvalidInput(_("Say why the problem is closed without action."), field="note")
    rectified_on = None
    if status == ProblemStatus.RECTIFIED:
        rectified_on = _date(on, field="on", not_after_today=True) or clock.today()
        if rectified_on < problem.found_on:
            raise InvalidInput(
                _("A problem cannot be rectified before it was found: check the date."), field="on"
            )
        _check_after_last_move(problem, rectified_on)
    now = clock.now()
    ProblemEvent.objects.create(
        problem=problem, actor=actor, at=now, from_status=problem.status, to_status=status, note=note
    )
    problem.status, problem.status_note, problem.rectified_on = status, note, rectified_on
    problem.updated_at = now
    problem.version += 1
    problem.save(update_fields=["status", "status_note", "rectified_on", "updated_at", "version"])
    return problem


def _check_after_last_move(problem: Problem, rectified_on: dt.date) -> None:
    # The history reads in order: work is not done before the day it was last recorded as started,
    # reopened or closed. The entry itself is not a move: a register may be filled in afterwards,
    # and for it the day found is the bound (checked above).
    last = problem.events.exclude(from_status="").order_by("-at", "-pk").first()
    if last is None:
        return
    moved_on = clock.local(last.at).date()
    if rectified_on < moved_on:
        raise InvalidInput(
            _(
                "Problem %(number)s became “%(status)s” on %(date)s: it cannot have been rectified "
                "earlier. Enter that day or a later one."
            )
            % {
                "number": problem.number,
                "status": last.get_to_status_display(),
                "date": moved_on.isoformat(),
            },
            field="on",
        )


# --- measures ------------------------------------------------------------------------------------


# A number as people type it: "2026-1", "2026-001" or with a full-width dash "2026－1".
NUMBER = re.compile(r"(\d{4})[-－—–](\d{1,6})")


def parse_numbers(text: str) -> list[str]:
    """Problem numbers written as people write them: "2026-001, 2026-004；2026-10" (leading zeros
    may be left out: "2026-1" is 2026-001). Anything else is kept as typed, to be reported."""
    for separator in "，、；;\n\t":
        text = (text or "").replace(separator, ",")
    parts = [part for part in (p.strip() for p in text.replace(" ", ",").split(",")) if part]
    return [_canonical(part) for part in parts]


def _canonical(number: str) -> str:
    match = NUMBER.fullmatch(number)
    return f"{match[1]}-{int(match[2]):03d}" if match else number


def _problems_of(unit: Unit, numbers: Iterable[str]) -> list[Problem]:
    wanted = list(dict.fromkeys(numbers))
    if len(wanted) > NUMBERS_MAX:
        raise InvalidInput(
            _("A measure may address at most %(n)d problems: split it into several measures.")
            % {"n": NUMBERS_MAX},
            field="problems",
        )
    found = {p.number: p for p in Problem.objects.filter(unit=unit, number__in=wanted)}
    missing = [n for n in wanted if n not in found]
    if len(missing) > MISSING_SHOWN:
        raise InvalidInput(
            _("Your unit's register has no problem %(numbers)s and %(more)d more: check the numbers.")
            % {"numbers": "、".join(missing[:MISSING_SHOWN]), "more": len(missing) - MISSING_SHOWN},
            field="problems",
        )
    if missing:
        raise InvalidInput(
            _("Your unit's register has no problem %(numbers)s: check the numbers.")
            % {"numbers": "、".join(missing)},
            field="problems",
        )
    return [found[n] for n in wanted]


def _measure_fields(title, responsible, due_on, done_on, description) -> dict:
    fields = {
        "title": _text(title, field="title", label=_("measure"), max_length=TITLE_MAX),
        "responsible": _text(
            responsible, field="responsible", label=_("responsible person"), max_length=RESPONSIBLE_MAX
        ),
        "due_on": _date(due_on, field="due_on"),
        "done_on": _date(done_on, field="done_on", not_after_today=True),
        "description": _text(
            description, field="description", label=_("details"), max_length=DESCRIPTION_MAX, required=False
        ),
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
    fields = _measure_fields(title, responsible, due_on, done_on, description)
    problems = _problems_of(unit, problem_numbers)
    now = clock.now()
    measure = Measure.objects.create(unit=unit, created_by=actor, created_at=now, updated_at=now, **fields)
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
    expected_version: int | None = None,
) -> Measure:
    """Change a measure: what it is, who answers for it, its dates (done_on marks it done) and the
    problems it addresses (the numbers given replace the earlier list). `expected_version`: the
    version the form showed. Linking a problem from its page bumps the version too, so a form shown
    before is refused as a `Conflict` rather than dropping that link with its older list."""
    measure = _lock_measure(actor, measure_id)
    _check_version(expected_version, measure.version, _measure_changed(measure))
    fields = _measure_fields(title, responsible, due_on, done_on, description)
    problems = _problems_of(measure.unit, problem_numbers)
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.updated_at = clock.now()
    measure.version += 1
    measure.save()
    measure.problems.set(problems)
    return measure


def _measure_changed(measure: Measure) -> str:
    return _(
        "The measure “%(measure)s” was changed by someone else after you opened it: check its current "
        "state and try again."
    ) % {"measure": measure.title}


@transaction.atomic
def measure_link(
    *, actor: User, measure_id: int, problem_id: int, linked: bool = True
) -> tuple[Measure, bool]:
    """Link a measure to one more problem of the unit (or unlink it, `linked=False`). Returns the
    measure and whether the link changed: linking a linked problem, or unlinking one that was not
    linked, changes nothing (and leaves the measure's version, so open forms stay valid)."""
    measure = _lock_measure(actor, measure_id)
    problem = Problem.objects.filter(unit=measure.unit, pk=_int(problem_id)).first()
    if problem is None:
        raise InvalidInput(_("Choose a problem of your unit's register."), field="problem")
    is_linked = measure.problems.filter(pk=problem.pk).exists()
    if is_linked == linked:
        return measure, False
    if linked:
        measure.problems.add(problem)
    else:
        measure.problems.remove(problem)
    measure.updated_at = clock.now()
    measure.version += 1
    measure.save(update_fields=["updated_at", "version"])
    return measure, True


def _lock_measure(actor: User, measure_id) -> Measure:
    seen = access.access_measure_by_id(actor, measure_id)
    access.check_keeps(actor, seen.unit)
    return Measure.objects.select_for_update(of=("self",)).select_related("unit").get(pk=seen.pk)
