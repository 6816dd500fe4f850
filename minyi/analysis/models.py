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
    rows; a look-up reads the rows of a few words within a time window through (term, received_at)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="keywords")
    term = models.CharField(max_length=24)
    weight = models.FloatField()
    received_at = models.DateTimeField()  # the case's, copied so the index alone answers the window

    class Meta:
        verbose_name = _("case keyword")
        verbose_name_plural = _("case keywords")
        indexes = [models.Index(fields=["term", "-received_at"], name="keyword_term_received")]
        constraints = [models.UniqueConstraint(fields=["case", "term"], name="keyword_unique_case_term")]

    def __str__(self) -> str:
        return self.term
