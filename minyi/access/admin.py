"""The audit trail of personal-data reveals, for administrators to inspect."""

from __future__ import annotations

from django.contrib import admin

from minyi.access.models import PersonalDataAccess, RequesterLookup
from minyi.core.admin_site import ReadOnlyAdmin, site


@admin.register(PersonalDataAccess, site=site)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "case", "fields", "purpose")
    list_filter = ("fields",)
    date_hierarchy = "created_at"
    search_fields = ("user__username", "user__full_name", "case__tracking_number", "purpose")
    list_select_related = ("user", "case")
    fields = ("created_at", "user", "case", "fields", "purpose")
    show_full_result_count = False


@admin.register(RequesterLookup, site=site)
class RequesterLookupAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "found")
    date_hierarchy = "created_at"
    search_fields = ("user__username", "user__full_name")
    list_select_related = ("user",)
    fields = ("created_at", "user", "found", "digest")
    show_full_result_count = False
