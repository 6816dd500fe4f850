"""The audit trail of every reveal of a requester's personal data (个人信息查看记录)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The personal data a reveal shows, as `PersonalDataAccess.fields` names them (comma-separated).
FIELD_LABELS = {
    "name": _("requester's name"),
    "phone": _("phone"),
    "id_number": _("ID number"),
}


class PersonalDataAccess(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    fields = models.CharField(_("fields"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.user} {self.case_id} {self.fields}"
        )

    def fields_read(self) -> str:
        """The fields shown, in the reader's language (姓名、电话、证件号码)."""
        return "、".join(str(FIELD_LABELS.get(name, name)) for name in self.fields.split(",") if name)


class RequesterLookup(models.Model):
    """One look-up of cases by a requester's full phone number (来电查询记录), whatever it found.

    The number itself is not kept, only a keyed hash of it (`digest`): enough to count the distinct
    numbers a user looked up (the rate limit) and to answer "did this user look up that number?"
    with the server's key, without a second copy of citizens' numbers. What a look-up found is
    audited as reveals (`PersonalDataAccess`), one row per case."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    digest = models.CharField(_("number (keyed hash)"), max_length=64)
    found = models.PositiveIntegerField(_("cases found"), default=0)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("requester look-up")
        verbose_name_plural = _("requester look-ups")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="requester_lookup_user_time")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.user} {self.found}"
