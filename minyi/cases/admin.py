"""Cases (工单), read-only: every change goes through `cases.services.case_apply`, never the admin.

The requester's name, phone and ID number are shown masked only; revealing them is the job of the
staff console, which audits each reveal (access.personal_data).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from minyi.access.personal_data import mask_id_number, mask_name, mask_phone
from minyi.cases.models import Attachment, Case, CaseEvent
from minyi.core.admin_site import ReadOnlyAdmin, ReadOnlyInline, site


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("created_at", "operation", "from_status", "to_status", "actor_name", "actor_unit", "note")
    readonly_fields = fields
    ordering = ("created_at", "id")
    verbose_name = _("event")
    verbose_name_plural = _("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "actor_unit")

    @admin.display(description=_("actor"))
    def actor_name(self, obj: CaseEvent) -> str:
        return str(obj.actor) if obj.actor_id else obj.actor_label


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("name", "file", "size", "content_type", "uploaded_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(Case, site=site)
class CaseAdmin(ReadOnlyAdmin):
    list_display = (
        "tracking_number",
        "title",
        "status",
        "channel",
        "demand_type",
        "urgency",
        "requester_name_masked",
        "requester_phone_masked",
        "lead_unit",
        "received_at",
        "handle_due_at",
    )
    list_display_links = ("tracking_number", "title")
    list_filter = (
        "status",
        "channel",
        "demand_type",
        "urgency",
        "supervision_level",
        ("lead_unit", admin.RelatedOnlyFieldListFilter),
    )
    # No search by requester: a search box that answers "does this phone number have a case?" would
    # reveal personal data without an audit row.
    search_fields = ("=tracking_number", "title")
    date_hierarchy = "received_at"
    list_select_related = ("lead_unit",)
    list_per_page = 50
    show_full_result_count = False
    inlines = (CaseEventInline, AttachmentInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "tracking_number",
                    "status",
                    ("channel", "demand_type", "urgency"),
                    "title",
                    "description",
                    "category",
                    ("area", "address"),
                    ("latitude", "longitude"),
                )
            },
        ),
        (
            _("Requester"),
            {
                "fields": (
                    ("requester_name_masked", "requester_phone_masked", "requester_id_number_masked"),
                    ("is_anonymous", "is_confidential", "needs_contact"),
                )
            },
        ),
        (
            _("Assignment and deadlines"),
            {
                "fields": (
                    "lead_unit",
                    "co_units",
                    ("received_at", "accepted_at", "assigned_at"),
                    ("signed_at", "replied_at", "closed_at"),
                    "reply_text",
                    ("satisfaction", "resolved", "replied_on_time"),
                    "master",
                    "created_by",
                    "external_id",
                )
            },
        ),
        (
            _("Deadlines"),
            {
                "classes": ("collapse",),
                "fields": (
                    ("sign_limit", "sign_unit", "sign_due_at", "sign_warn_at"),
                    ("handle_limit", "handle_unit", "handle_started_at"),
                    ("handle_due_at", "handle_warn_at", "handle_due_original_at"),
                    ("suspended_at", "suspended_from"),
                    "alert_at",
                    "extension_days_requested",
                ),
            },
        ),
        (
            _("Counters"),
            {
                "classes": ("collapse",),
                "fields": (
                    ("rework_count", "return_count", "extension_count", "remind_count"),
                    ("supervision_level", "version"),
                ),
            },
        ),
    )
    readonly_fields = ("requester_name_masked", "requester_phone_masked", "requester_id_number_masked")

    @admin.display(description=_("requester name"))
    def requester_name_masked(self, obj: Case) -> str:
        return mask_name(obj.requester_name)

    @admin.display(description=_("requester phone"))
    def requester_phone_masked(self, obj: Case) -> str:
        return mask_phone(obj.requester_phone)

    @admin.display(description=_("requester ID number"))
    def requester_id_number_masked(self, obj: Case) -> str:
        return mask_id_number(obj.requester_id_number)
