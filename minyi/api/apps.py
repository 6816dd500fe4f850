from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The open interfaces for other systems: the REST API (/api/v1/), API keys, idempotent
    creation and the signed channel webhooks."""

    name = "minyi.api"
    label = "api"
    verbose_name = _("API")
