from django.urls import include, path
from django.views.generic import RedirectView

from minyi.core.admin_site import site as admin_site

urlpatterns = [
    path("admin/", admin_site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]

# Attachments are not served from MEDIA_URL on purpose: they may show people and addresses, so the
# console serves them through the access module (a later issue), never as public files.
