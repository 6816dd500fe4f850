"""The knowledge base (知识库) that operators answer from."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minyi.core import clock
from minyi.core.admin_site import site
from minyi.knowledge.models import KnowledgeEntry


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Valid today")),
            ("future", _("Not yet valid")),
            ("expired", _("Expired")),
        ]

    def queryset(self, request, queryset):
        today = clock.local(clock.now()).date()
        if self.value() == "current":
            return queryset.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=today),
                Q(valid_until__isnull=True) | Q(valid_until__gte=today),
            )
        if self.value() == "future":
            return queryset.filter(valid_from__gt=today)
        if self.value() == "expired":
            return queryset.filter(valid_until__lt=today)
        return queryset


@admin.register(KnowledgeEntry, site=site)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    fields = ("question", "answer", "category", "tags", "valid_from", "valid_until", "is_active")
    list_display = ("question", "category", "tags", "valid_from", "valid_until", "is_active", "updated_at")
    list_filter = ("is_active", ValidityFilter, ("category", admin.RelatedOnlyFieldListFilter))
    search_fields = ("question", "tags", "answer")
    autocomplete_fields = ("category",)
    fields = ("question", "answer", "category", "tags", ("valid_from", "valid_until"), "is_active")
    list_select_related = ("category",)
    ordering = ("question",)
