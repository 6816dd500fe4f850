"""The knowledge base (知识库): answers operators give on the spot."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class KnowledgeEntry(models.Model):
    question = models.CharField(_("question"), max_length=200)
    answer = models.TextField(_("answer"))
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_entries",
    )
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Separated by commas."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The question, tags and answer segmented into words (jieba), space separated, for search.
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("knowledge entry")
        verbose_name_plural = _("knowledge base")
        ordering = ["question"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="knowledge_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.question

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError(
                {"valid_until": _("An entry cannot stop being valid before it becomes valid.")}
            )

    def save(self, *args, **kwargs) -> None:
        from minyi.knowledge.search import index_text

        self.search_text = index_text(self)
        super().save(*args, **kwargs)
