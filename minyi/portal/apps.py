from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The citizen portal (群众端): raise a demand, follow it, rate the reply, public statistics."""

    name = "minyi.portal"
    label = "portal"
    verbose_name = _("Citizen portal")
