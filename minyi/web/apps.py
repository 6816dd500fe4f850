from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """What the staff console and the citizen portal share: layout, static files, error pages,
    rate limits."""

    name = "minyi.web"
    label = "web"
    verbose_name = _("Web")
