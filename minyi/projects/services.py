"""Every write to the projects ledger: monthly reports (月调度), case links, and the figures a project
keeps from its sub-items. Each function runs in one transaction, checks the actor's right through
access/projects.py and raises a `MinyiError` that says what to fix; a refused write changes nothing.

Locking: a report locks its project row, then its sub-item row; the refresh of the kept figures (after
a report, by the daily job, after an edit in the admin) locks the project row first too. So two units
reporting sub-items of one project at once queue on the project row, and nothing deadlocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minyi.access import cases as case_access
from minyi.access import projects as access
from minyi.core import clock
from minyi.core.errors import Conflict, InvalidInput
from minyi.core.photos import Photo, photo_copy
from minyi.projects import progress
from minyi.projects.models import (
    Batch,
    Completion,
    ProgressReport,
    Project,
    ProjectCase,
    ReportPhoto,
    SubItem,
)
from minyi.workcal.services import current_calendar

MAX_PHOTOS = 6
PHOTO_MAX_BYTES = 10 * 1024 * 1024
MAX_TEXT = 4000


def report_due(batch: Batch, month: dt.date, cal=None) -> dt.date:
    """The day by which the report on `month` is due: the batch's report day of that month, or the
    next working day when that day is a weekend or holiday."""
    cal = cal or current_calendar()
    day = month.replace(day=batch.report_day)
    return day if cal.is_workday(day) else cal.next_workday(day)


# --- monthly reports ---------------------------------------------------------------------------------


def check_report_month(first_month: dt.date, month: dt.date, day: dt.date) -> None:
    """A report may be on a month from its batch's first month to the current one (of `day`)."""
    if month > progress.month_of(day):
        raise InvalidInput(_("You can report only on this month or earlier months."), field="month")
    if month < progress.month_of(first_month):
        raise InvalidInput(
            _("This batch's monthly reports begin in %(month)s.") % {"month": f"{first_month:%Y-%m}"},
            field="month",
        )


def check_report_values(*, percent, completion: str) -> int:
    """The percent (returned as a number) and the kind of completion must agree: the rules of a report,
    shared by the report form and the Excel import."""
    value = _percent(percent)
    if completion and completion not in Completion.values:
        raise InvalidInput(_("Choose a kind of completion from the list."), field="completion")
    if value == 100 and not completion:
        raise InvalidInput(
            _("At 100 percent, say how the sub-item was completed: substantively, procedurally, suspended."),
            field="completion",
        )
    if completion == Completion.SUBSTANTIVE and value != 100:
        raise InvalidInput(_("A substantively completed sub-item is at 100 %."), field="percent")
    return value


def check_report_sequence(reports: Sequence[progress.Reported], month: dt.date, completion: str) -> None:
    """A completed sub-item takes no later report, and a completion is recorded in the latest month
    reported or later (else a later report would hide it)."""
    finished = min((r.month for r in reports if r.completion and r.month < month), default=None)
    if finished:
        raise InvalidInput(
            _("This sub-item was completed in %(month)s: there is nothing more to report.")
            % {"month": f"{finished:%Y-%m}"},
            field="month",
        )
    later = max((r.month for r in reports if r.month > month), default=None)
    if completion and later:
        raise InvalidInput(
            _("%(month)s is reported already: record the completion in that month or later.")
            % {"month": f"{later:%Y-%m}"},
            field="completion",
        )


def report_file(
    *,
    actor,
    item: SubItem,
    month: dt.date,
    percent: int | str,
    done: str,
    problems: str = "",
    next_steps: str = "",
    completion: str = "",
    photos: Sequence[UploadedFile] = (),
) -> ProgressReport:
    """月调度填报: the responsible unit reports a sub-item's progress in `month` (filed again, it
    replaces that month's figures and texts; the first filing's time decides "on time")."""
    access.check_report(actor, item)
    month = progress.month_of(month)
    now = clock.now()
    batch = item.project.batch
    check_report_month(batch.first_month, month, clock.today())
    value = check_report_values(percent=percent, completion=completion)
    done, problems, next_steps = (
        _text(done, "done"),
        _text(problems, "problems"),
        _text(next_steps, "next_steps"),
    )
    if not done:
        raise InvalidInput(_("Say what was done this month."), field="done")
    checked = _check_photos(photos)
    with transaction.atomic():
        # Lock order: the project, then the sub-item — as refresh_project() and the daily job do.
        Project.objects.select_for_update().get(pk=item.project_id)
        item = SubItem.objects.select_for_update().select_related("project__batch").get(pk=item.pk)
        earlier = [
            progress.Reported(m, p, c)
            for m, p, c in item.reports.values_list("month", "percent", "completion")
        ]
        check_report_sequence(earlier, month, completion)
        report = ProgressReport.objects.filter(item=item, month=month).first()
        if report is None:
            report = ProgressReport(
                item=item,
                month=month,
                reported_at=now,
                on_time=clock.today() <= report_due(batch, month),
            )
        elif checked and report.photos.count() + len(checked) > MAX_PHOTOS:
            raise InvalidInput(
                _("A report holds at most %(n)d photos; this one has %(m)d already.")
                % {"n": MAX_PHOTOS, "m": report.photos.count()},
                field="photos",
            )
        report.percent, report.done, report.problems, report.next_steps = value, done, problems, next_steps
        report.completion, report.unit, report.reported_by, report.updated_at = (
            completion,
            item.unit,
            actor,
            now,
        )
        report.save()
        for photo in checked:
            ReportPhoto.objects.create(
                report=report,
                file=photo,
                name=photo.name[:200],
                content_type=photo.content_type,
                size=photo.size,
                uploaded_at=now,
            )
        refresh_project(item.project)
    return report


def _percent(value) -> int:
    try:
        number = int(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        raise InvalidInput(_("The percent done is a whole number from 0 to 100."), field="percent") from None
    if not 0 <= number <= 100:
        raise InvalidInput(_("The percent done is a whole number from 0 to 100."), field="percent")
    return number


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise InvalidInput(_("Keep each text under %(n)d characters.") % {"n": MAX_TEXT}, field=field)
    return value


def _check_photos(photos: Sequence[UploadedFile]) -> list[Photo]:
    """The photos re-encoded without their EXIF (core/photos.py refuses what does not decode)."""
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(
            _("Send at most %(n)d photos with one report.") % {"n": MAX_PHOTOS}, field="photos"
        )
    checked = []
    for photo in photos:
        if photo.size > PHOTO_MAX_BYTES:
            raise InvalidInput(
                _("%(name)s is larger than %(mb)d MB: send a smaller photo.")
                % {"name": photo.name, "mb": PHOTO_MAX_BYTES // (1024 * 1024)},
                field="photos",
            )
        checked.append(photo_copy(photo, field="photos"))
    return checked


# --- the figures kept on sub-items and projects ------------------------------------------------------


@transaction.atomic  # its own transaction, or a savepoint inside the caller's
def refresh_project(project: Project, month: dt.date | None = None) -> Project:
    """Keep the figures of every sub-item of the project, then the project's own: as read today by
    `progress.item_status_on`, the reading the monthly summary and the wall chart show too (a month
    not yet reported on and not yet due is held to the month before's plan); with a `month`, as at
    the end of that month. Locks the project row (the caller may hold it already); writes only the
    rows that change."""
    project = Project.objects.select_for_update().select_related("batch").get(pk=project.pk)
    cal = current_calendar()
    today = clock.today()
    current = progress.month_of(today)
    due = report_due(project.batch, current, cal)
    items = list(project.items.prefetch_related("milestones", "reports"))
    for item in items:
        plan = {m.month: m.planned for m in item.milestones.all()}
        rows = sorted(item.reports.all(), key=lambda r: r.month)
        reports = [progress.Reported(r.month, r.percent, r.completion) for r in rows]
        if month is None:
            reading = progress.item_status_on(
                plan,
                item.deadline,
                reports,
                current,
                first_month=project.batch.first_month,
                due=due,
                today=today,
            )
        else:
            reading = progress.item_status(plan, item.deadline, reports, month)
        _keep_item(item, rows, reading, month or current, cal)
    figures = (
        progress.project_status(i.status for i in items),
        progress.mean_percent(i.percent for i in items),
        progress.project_completion(i.completion for i in items),
    )
    if figures != (project.status, project.percent, project.completion):
        project.status, project.percent, project.completion = figures
        project.save(update_fields=["status", "percent", "completion"])
    return project


def _keep_item(item: SubItem, rows, reading: tuple[str, progress.Standing, int], month: dt.date, cal) -> None:
    status, standing, _planned = reading
    finished = next((r for r in rows if r.completion and r.month <= month), None)
    completed_on = finished.reported_at.astimezone(cal.tz).date() if finished else None
    figures = (status, standing.percent, standing.completion, completed_on)
    if figures != (item.status, item.percent, item.completion, item.completed_on):
        item.status, item.percent, item.completion, item.completed_on = figures
        item.save(update_fields=["status", "percent", "completion", "completed_on"])


def refresh_all(month: dt.date | None = None) -> int:
    """Recompute every sub-item and project (a new month turns "on track" into "lagging" by the plan
    alone, without a report): the daily job of analysis/jobs.py; idempotent, so workers may race."""
    count = 0
    for project in Project.objects.all():
        with transaction.atomic():
            count += len(refresh_project(project, month).items.all())
    return count


# --- cases linked to a project -----------------------------------------------------------------------


def case_link(*, actor, project: Project, tracking_number: str) -> ProjectCase:
    """Link a case (by its tracking number) to a project, e.g. a heating complaint to the heating
    renovation project; the case must be one the actor may see."""
    access.check_link_cases(actor, project)
    number = (tracking_number or "").strip()
    if not number:
        raise InvalidInput(_("Give the tracking number of the case to link."), field="tracking_number")
    case = case_access.access_case_by_tracking_number(actor, number)
    try:
        with transaction.atomic():
            return ProjectCase.objects.create(
                project=project, case=case, linked_by=actor, linked_at=clock.now()
            )
    except IntegrityError:
        raise Conflict(
            _("Case %(number)s is linked to this project already.") % {"number": case.tracking_number},
            field="tracking_number",
        ) from None


def case_unlink(*, actor, project: Project, case_id: int) -> None:
    access.check_link_cases(actor, project)
    case = case_access.access_case_by_id(actor, case_id)
    ProjectCase.objects.filter(project=project, case=case).delete()
