"""A unit's problem register (问题台账): the problems a unit found — in the cases it handled or in its
own review — sorted by the unit's own categories, and the improvement measures (改进措施) it took.

Every unit keeps its own register: categories, problem numbers and measures belong to one unit. A
measure may address several problems and a problem may have several measures (the 医保局's
"麻雀诊室" register: 463 problems, 78 measures), hence the many-to-many link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minyi.org.models import Unit


class ProblemCategory(models.Model):
    """One entry of a unit's own list of problem categories (问题分类)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="problem_categories"
    )
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")
        ordering = ["unit", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="problemcategory_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("To be rectified")  # 待整改
    RECTIFYING = "rectifying", _("Being rectified")  # 整改中
    RECTIFIED = "rectified", _("Rectified")  # 已整改
    CLOSED = "closed", _("Closed without action")  # 不予整改（关闭）


class ProblemSource(models.TextChoices):
    CASE = "case", _("From a case")  # 工单发现
    REVIEW = "review", _("Own review or inspection")  # 自查/检查发现


class Problem(models.Model):
    """A problem in a unit's register (台账问题), numbered per unit and year: "2026-001"."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="problems")
    number = models.CharField(_("number"), max_length=16)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(pgettext_lazy("problem", "description"), blank=True)
    category = models.ForeignKey(
        ProblemCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="problems"
    )
    source = models.CharField(_("source"), max_length=8, choices=ProblemSource.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="register_problems",
    )
    found_on = models.DateField(_("found on"))
    status = models.CharField(
        _("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    status_note = models.TextField(_("status note"), blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"))
    updated_at = models.DateTimeField(_("updated at"))
    # Bumped by every change; a form sends the version it showed, so a stale one is a conflict.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("register problem")
        verbose_name_plural = _("register problems")
        ordering = ["unit", "-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="problem_unique_number"),
            models.UniqueConstraint(fields=["unit", "year", "sequence"], name="problem_unique_sequence"),
            models.CheckConstraint(
                condition=(Q(source=ProblemSource.CASE) & Q(case__isnull=False))
                | (Q(source=ProblemSource.REVIEW) & Q(case__isnull=True)),
                name="problem_case_iff_source_case",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProblemStatus.CLOSED) | ~Q(status_note=""),
                name="problem_closed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="problem_unit_status"),
            models.Index(fields=["unit", "category", "status"], name="problem_unit_category"),
            models.Index(fields=["unit", "source"], name="problem_unit_source"),
            models.Index(fields=["unit", "-found_on"], name="problem_unit_found"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ProblemEvent(models.Model):
    """One change of a problem's status (who, when, from, to, why): the register's history."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from"), max_length=12, choices=ProblemStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=ProblemStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("problem status change")
        verbose_name_plural = _("problem status changes")
        ordering = ["problem", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.problem_id}: {self.from_status} → {self.to_status}"


class Measure(models.Model):
    """An improvement measure (改进措施) of a unit, addressing one or several of its problems."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="measures")
    title = models.CharField(_("measure"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    responsible = models.CharField(_("responsible person"), max_length=50)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    problems = models.ManyToManyField(
        Problem, verbose_name=_("problems"), related_name="measures", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"))
    updated_at = models.DateTimeField(_("updated at"))
    # Bumped by every change, a link or unlink included (see services.measure_update).
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("improvement measure")
        verbose_name_plural = _("improvement measures")
        ordering = ["unit", "done_on", "due_on", "pk"]
        indexes = [models.Index(fields=["unit", "done_on", "due_on"], name="measure_unit_done")]

    def __str__(self) -> str:
        return self.title

    def state(self, today) -> str:
        """done, overdue or in progress (a measure's status follows from its dates)."""
        if self.done_on:
            return MeasureState.DONE
        if self.due_on and self.due_on < today:
            return MeasureState.OVERDUE
        return MeasureState.IN_PROGRESS


class MeasureState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")  # 推进中
    OVERDUE = "overdue", _("Overdue")  # 已逾期
    DONE = "done", _("Done")  # 已完成
