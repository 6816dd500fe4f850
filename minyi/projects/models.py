"""The livelihood-projects ledger (民生实事项目台账).

A batch (批次) holds projects (项目); a project is broken into sub-items (子项, the ledger's 条), each
with its own responsible unit, monthly plan (计划节点) and monthly progress reports (月调度). The
sub-item is the unit of progress: a project's percent, status and completion follow from its
sub-items (progress.py holds those rules), so a project can never disagree with its rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minyi.org.models import Unit
from minyi.projects import progress


class Progress(models.TextChoices):
    NOT_STARTED = progress.NOT_STARTED, _("Not started")  # 未启动
    ON_TRACK = progress.ON_TRACK, _("On track")  # 按序推进
    LAGGING = progress.LAGGING, _("Lagging")  # 滞后
    DONE = progress.DONE, _("Done")  # 已完成


class Completion(models.TextChoices):
    SUBSTANTIVE = progress.SUBSTANTIVE, _("Substantively completed")  # 实质性办结
    PROCEDURAL = progress.PROCEDURAL, _("Procedurally concluded")  # 程序性终结
    SUSPENDED = progress.SUSPENDED, pgettext_lazy("completion", "Suspended")  # 问题中止


PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Batch(models.Model):
    """批次: one list of livelihood projects the district adopted (e.g. 2026年第一批民生实事)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    first_month = models.DateField(
        _("reports from"), help_text=_("The first month whose progress the units report (its first day).")
    )
    report_day = models.PositiveSmallIntegerField(
        _("monthly report due day"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_(
            "Units report each month's progress by this day (the next working day if it is not one)."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("project batch")
        verbose_name_plural = _("project batches")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """项目: one livelihood project, led by one official (领衔领导) and one lead unit (牵头单位)."""

    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, related_name="projects", verbose_name=_("batch")
    )
    number = models.CharField(_("number"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("leading official"),
    )
    lead_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=pgettext_lazy("project", "lead unit"),
    )
    co_units = models.ManyToManyField(
        Unit, blank=True, related_name="co_projects", verbose_name=pgettext_lazy("project", "co-units")
    )
    target = models.TextField(_("target"), blank=True)
    deadline = models.DateField(pgettext_lazy("project", "deadline"))
    # Kept by services.refresh_project() from the sub-items, for lists and filters.
    status = models.CharField(
        _("status"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    completion = models.CharField(_("completion"), max_length=12, choices=Completion.choices, blank=True)
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0, validators=PERCENT)
    cases = models.ManyToManyField(
        "cases.Case", through="ProjectCase", related_name="projects", verbose_name=_("linked cases")
    )

    class Meta:
        verbose_name = _("livelihood project")
        verbose_name_plural = _("livelihood projects")
        ordering = ["batch", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="project_unique_number")]
        indexes = [models.Index(fields=["leader"], name="project_leader")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class SubItem(models.Model):
    """子项: one line of a project with its own responsible unit, plan and monthly reports."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="items", verbose_name=_("project")
    )
    number = models.CharField(_("number"), max_length=16)
    name = models.CharField(_("content"), max_length=300)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="project_items", verbose_name=_("unit")
    )
    deadline = models.DateField(pgettext_lazy("project", "deadline"))
    # The latest report's figures, kept by the report service.
    status = models.CharField(
        _("status"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    completion = models.CharField(_("completion"), max_length=12, choices=Completion.choices, blank=True)
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0, validators=PERCENT)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("sub-item")
        verbose_name_plural = _("sub-items")
        ordering = ["project", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="subitem_unique_number")]

    def __str__(self) -> str:
        return f"{self.project.number}-{self.number} {self.name}"


class Milestone(models.Model):
    """计划节点: the percent a sub-item should have reached by the end of a month, and what that means."""

    item = models.ForeignKey(
        SubItem, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("sub-item")
    )
    month = models.DateField(_("month"))  # always the first day of the month
    planned = models.PositiveSmallIntegerField(_("planned percent"), validators=PERCENT)
    description = models.CharField(_("milestone"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["item", "month"]
        constraints = [models.UniqueConstraint(fields=["item", "month"], name="milestone_unique_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.planned}%"


class ProgressReport(models.Model):
    """月调度: a responsible unit's report of one sub-item's progress in one month."""

    item = models.ForeignKey(
        SubItem, on_delete=models.CASCADE, related_name="reports", verbose_name=_("sub-item")
    )
    month = models.DateField(_("month"))  # the first day of the month reported on
    percent = models.PositiveSmallIntegerField(_("percent done"), validators=PERCENT)
    done = models.TextField(_("what was done"))
    problems = models.TextField(_("problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    completion = models.CharField(_("completion"), max_length=12, choices=Completion.choices, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"))
    updated_at = models.DateTimeField(_("updated at"))
    on_time = models.BooleanField(_("on time"), default=True)

    class Meta:
        verbose_name = _("monthly progress report")
        verbose_name_plural = _("monthly progress reports")
        ordering = ["item", "month"]
        constraints = [models.UniqueConstraint(fields=["item", "month"], name="report_unique_month")]
        indexes = [models.Index(fields=["month"], name="report_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.percent}%"


class ReportPhoto(models.Model):
    """A photo sent with a monthly report (served only through the access module)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="projects/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class ProjectCase(models.Model):
    """A case linked to a project (e.g. heating complaints to the heating renovation project)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="project_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("linked case")
        verbose_name_plural = _("linked cases")
        constraints = [models.UniqueConstraint(fields=["project", "case"], name="projectcase_unique")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.case_id}"


class ReportReminder(models.Model):
    """One reminder about one sub-item's monthly report: the unique row makes it go out once, whichever
    worker gets there first and however often it restarts."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    item = models.ForeignKey(SubItem, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "month", "kind"], name="reminder_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.month:%Y-%m} {self.kind}"
