from django.urls import include, path

from minyi.core import health
from minyi.core.admin_site import site as admin_site

urlpatterns = [
    # For load balancers and monitoring (docs/production.md): no login, no personal data.
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin_site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("minyi.console.urls")),
    path("console/import/", include("minyi.transfer.urls")),
    path("console/projects/", include("minyi.projects.urls")),
    path("console/visits/", include("minyi.visits.urls")),
    path("console/problems/", include("minyi.problems.urls")),
    path("api/v1/", include("minyi.api.urls")),
    path("open311/v2/", include("minyi.open311.urls")),
    path("", include("minyi.portal.urls")),
]

handler400 = "minyi.web.views.bad_request"
handler500 = "minyi.web.views.server_error"

# Attachments are not served from MEDIA_URL on purpose: they may show people and addresses, so the
# console serves them through the access module (console:attachment), never as public files.
