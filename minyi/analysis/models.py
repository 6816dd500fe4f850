"""What the analysis keeps: the versions of the category classifier and the suggestions it made."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ClassifierModel(models.Model):
    """One trained version of the category classifier (分类模型). The model itself is a file in the
    data directory (shared by every server, like uploaded files); this row says which file, what it
    learned from and whether it is the active one. At most one version is active."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    file = models.CharField(_("file"), max_length=255, help_text=_("Relative to the data directory."))
    trained_at = models.DateTimeField(_("trained at"))
    examples = models.PositiveIntegerField(_("examples"))
    labels = models.JSONField(_("categories learned"), default=dict)  # category code → examples
    held_out_macro_f1 = models.FloatField(_("held-out macro-F1"), null=True, blank=True)
    info = models.JSONField(_("training details"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("classifier model")
        verbose_name_plural = _("classifier models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_classifier"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class CategorySuggestion(models.Model):
    """The categories the classifier proposed for a case, kept so that accuracy in production can be
    reported against the category the dispatcher finally chose (the case's category once assigned)."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="category_suggestion"
    )
    model = models.ForeignKey(
        ClassifierModel, verbose_name=_("model"), on_delete=models.PROTECT, related_name="suggestions"
    )
    suggested = models.JSONField(_("suggested"))  # [{"code": …, "confidence": 0.83}, …] likeliest first
    top_code = models.CharField(_("first suggestion"), max_length=32)
    created_at = models.DateTimeField(_("suggested at"))

    class Meta:
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")
        indexes = [models.Index(fields=["created_at"], name="suggestion_created")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.top_code}"


class CaseKeyword(models.Model):
    """The keywords of a case (its inverted index for similar-case search): a case has about a dozen
    rows; a look-up reads the rows of a few words within a time window through (term, received_at).
    The index carries case and weight too, so a look-up reads the index alone (an index-only scan on
    PostgreSQL, a covering index on SQLite), not one table row per posting."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="keywords")
    term = models.CharField(max_length=24)
    weight = models.FloatField()
    received_at = models.DateTimeField()  # the case's, copied so the index alone answers the window

    class Meta:
        verbose_name = _("case keyword")
        verbose_name_plural = _("case keywords")
        indexes = [models.Index(fields=["term", "-received_at", "case", "weight"], name="keyword_postings")]
        constraints = [models.UniqueConstraint(fields=["case", "term"], name="keyword_unique_case_term")]

    def __str__(self) -> str:
        return self.term


class JobRun(models.Model):
    """One run of a daily analysis job (hot issues, surges) for one day. The unique row is the claim:
    of several workers on several machines, the one whose insert succeeds does the day's work."""

    job = models.CharField(max_length=32)
    day = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="jobrun_unique_job_day")]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"


class HotIssue(models.Model):
    """A hot issue (热点问题) found among the cases of a period, as the daily job left it: the 30 days
    up to a day (the dashboard shows the latest day's list), or a whole month once it has ended (the
    monthly report's list, mined once instead of in every report request)."""

    class Span(models.TextChoices):
        DAYS = "30d", _("30 days")
        MONTH = "month", _("Month")

    span = models.CharField(_("span"), max_length=8, choices=Span.choices, default=Span.DAYS)
    computed_on = models.DateField(_("computed on"))
    since = models.DateField(_("from"))
    until = models.DateField(_("to"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    title = models.CharField(_("title"), max_length=200)
    keywords = models.JSONField(_("keywords"), default=list)
    places = models.JSONField(_("places"), default=list)
    count = models.PositiveIntegerField(_("cases"))
    people = models.PositiveIntegerField(_("people"))
    heat = models.FloatField(_("heat"))
    start = models.DateTimeField(_("first"))
    end = models.DateTimeField(_("last"))
    case_ids = models.JSONField(_("cases"), default=list)

    class Meta:
        verbose_name = _("hot issue")
        verbose_name_plural = _("hot issues")
        ordering = ["-computed_on", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["span", "computed_on", "rank"], name="hotissue_unique_span_day_rank"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SurgeAlert(models.Model):
    """A rising topic (上升苗头): more demands of a category in a place, or of a keyword, than expected."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")  # 待处理
        DISMISSED = "dismissed", _("Dismissed")  # 已忽略
        ESCALATED = "escalated", _("Turned into a supervised case")  # 已转督办

    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    area = models.ForeignKey(
        "org.Area", verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT
    )
    term = models.CharField(_("keyword"), max_length=24, blank=True)
    key = models.CharField(_("key"), max_length=80)  # "c<category>@a<area>" or "k<term>": one per topic
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    observed = models.PositiveIntegerField(_("demands"))
    expected = models.FloatField(_("expected"))
    seasonal_factor = models.FloatField(_("seasonal factor"), default=1.0)
    p_value = models.FloatField(_("probability by chance"))
    explanation = models.CharField(_("explanation"), max_length=300)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("responsible unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("supervised case"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("raised at"))
    handled_by = models.ForeignKey(
        "org.User",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("surge alert")
        verbose_name_plural = _("surge alerts")
        ordering = ["-end", "p_value"]
        indexes = [models.Index(fields=["status", "-end"], name="surge_status_end")]
        constraints = [models.UniqueConstraint(fields=["key", "end"], name="surge_unique_key_day")]

    def __str__(self) -> str:
        return self.explanation
