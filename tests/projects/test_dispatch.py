"""月调度: reports missing and overdue, and the reminders of `minyi worker` (each sent once)."""

import datetime as dt

from django.utils import translation

from minyi.notifications.models import Notification
from minyi.notifications.worker import run_once
from minyi.projects import dispatch
from minyi.projects.models import ReportReminder, SubItem
from minyi.projects.services import report_file

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def reminders(user, kind=Notification.Kind.PROJECT_REPORT):
    return list(Notification.objects.filter(user=user, kind=kind).values_list("message", flat=True))


def test_missing_reports_leave_out_filed_and_finished_sub_items(world, ledger):
    report_file(
        actor=world.heating_handler,
        item=ledger.mains,
        month=OCT,
        percent=100,
        done="完工",
        completion="substantive",
    )
    report_file(actor=world.housing_handler, item=ledger.risers, month=NOV, percent=60, done="更新立管")
    assert set(dispatch.missing(SubItem.objects.all(), NOV)) == {ledger.stations}
    assert set(dispatch.missing(SubItem.objects.all(), OCT)) == {ledger.risers, ledger.stations}


def test_overdue_are_the_last_due_months_reports_not_filed(world, ledger, clock):
    clock.set("2026-11-25 09:00")  # the 25th itself: November is not overdue yet, October is
    assert {(o.item, o.month) for o in dispatch.overdue(SubItem.objects.all())} == {
        (ledger.mains, OCT),
        (ledger.risers, OCT),
        (ledger.stations, OCT),
    }
    clock.set("2026-11-26 09:00")
    report_file(actor=world.heating_handler, item=ledger.mains, month=NOV, percent=90, done="更换管网")
    overdue = dispatch.overdue(SubItem.objects.all())
    assert {(o.item, o.month, o.due) for o in overdue} == {
        (ledger.risers, NOV, dt.date(2026, 11, 25)),
        (ledger.stations, NOV, dt.date(2026, 11, 25)),
    }


def test_units_are_reminded_before_the_due_day_and_when_it_has_passed_once_each(world, ledger, clock):
    clock.set("2026-11-21 09:00")  # more than three days before the 25th
    with translation.override("en"):
        run_once()
    # October's reports (due Monday 26 October, the 25th being a Sunday) were never filed
    assert reminders(world.heating_handler) == [
        "2026年第一批民生实事: 1 sub-item report on 2026-10 is overdue (due 10-26)."
    ]
    soon = ReportReminder.objects.filter(kind=ReportReminder.Kind.DUE_SOON)
    assert not soon.exists()
    clock.set("2026-11-23 09:00")
    run_once()
    run_once()  # a second worker round (or a second worker) sends nothing again
    assert set(soon.values_list("item", flat=True)) == {ledger.mains.pk, ledger.risers.pk, ledger.stations.pk}
    assert Notification.objects.filter(user=world.heating_handler, kind="project_report").count() == 2
    report_file(actor=world.housing_handler, item=ledger.risers, month=NOV, percent=70, done="更新立管")
    clock.set("2026-11-26 09:00")
    run_once()
    late = ReportReminder.objects.filter(kind=ReportReminder.Kind.OVERDUE, month=NOV)
    assert set(late.values_list("item", flat=True)) == {ledger.mains.pk, ledger.stations.pk}
    assert (
        Notification.objects.filter(user=world.housing_handler, kind="project_report").count() == 2
    )  # Oct + soon
    note = Notification.objects.filter(user=world.heating_handler).latest("pk")
    assert note.url == "/console/projects/dispatch/" and note.case_id is None


def test_a_reminder_claimed_by_another_worker_is_not_sent_again(world, ledger, clock):
    clock.set("2026-11-23 09:00")
    ReportReminder.objects.create(
        item=ledger.mains, month=NOV, kind="due_soon", sent_at=clock.set("2026-11-23 08:00")
    )
    clock.set("2026-11-23 09:00")
    assert dispatch.remind() == 2 + 3  # risers and stations due soon; all three overdue for October
    assert dispatch.remind() == 0


def test_a_due_day_moved_into_the_next_month_is_not_overdue_before_it(world, ledger, clock):
    ledger.batch.report_day = 28
    ledger.batch.save()
    # 2026-09-28 is a Monday: the September report is due that day and overdue only after it.
    from minyi.projects.services import report_due

    assert report_due(ledger.batch, dt.date(2026, 9, 1)) == dt.date(2026, 9, 28)
    assert dispatch.last_due_month(ledger.batch, dt.date(2026, 9, 28)) == dt.date(2026, 8, 1)
    assert dispatch.last_due_month(ledger.batch, dt.date(2026, 9, 29)) == dt.date(2026, 9, 1)
    from minyi.workcal.models import HolidayOverride

    # the office closes from 28 September to 3 October: September's report is due in October
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(day=dt.date(2026, 9, d), is_workday=False) for d in (28, 29, 30)]
    )
    assert report_due(ledger.batch, dt.date(2026, 9, 1)) == dt.date(2026, 10, 8)
    assert dispatch.last_due_month(ledger.batch, dt.date(2026, 10, 2)) == dt.date(2026, 8, 1)
    clock.set("2026-10-06 09:00")
    dispatch.remind()
    soon = ReportReminder.objects.filter(kind=ReportReminder.Kind.DUE_SOON, month=dt.date(2026, 9, 1))
    assert soon.count() == 3
    assert not ReportReminder.objects.filter(
        kind=ReportReminder.Kind.OVERDUE, month=dt.date(2026, 9, 1)
    ).exists()
