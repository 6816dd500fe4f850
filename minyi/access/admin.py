"""The audit trail of personal-data reveals, for administrators to inspect."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from minyi.access.models import PersonalDataAccess, RequesterLookup
from minyi.core.admin_site import ReadOnlyAdmin, site


class FieldsShownFilter(admin.SimpleListFilter):
    """By what was shown, named in the reader's language."""

    title = _("fields")
    parameter_name = "fields"

    def lookups(self, request, model_admin):
        seen = PersonalDataAccess.objects.order_by("fields").values_list("fields", flat=True).distinct()
        return [(fields, PersonalDataAccess(fields=fields).fields_read()) for fields in seen]

    def queryset(self, request, queryset):
        return queryset.filter(fields=self.value()) if self.value() else queryset


@admin.register(PersonalDataAccess, site=site)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "case", "fields_shown", "purpose")
    list_filter = (FieldsShownFilter,)
    date_hierarchy = "created_at"
    search_fields = ("user__username", "user__full_name", "case__tracking_number", "purpose")
    list_select_related = ("user", "case")
    fields = ("created_at", "user", "case", "fields_shown", "purpose")
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("fields"), ordering="fields")
    def fields_shown(self, obj: PersonalDataAccess) -> str:
        return obj.fields_read()


@admin.register(RequesterLookup, site=site)
class RequesterLookupAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "found")
    date_hierarchy = "created_at"
    search_fields = ("user__username", "user__full_name")
    list_select_related = ("user",)
    fields = ("created_at", "user", "found", "digest")
    show_full_result_count = False
