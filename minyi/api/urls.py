from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from minyi.api import errors
from minyi.api.views import cases, reference, webhooks

app_name = "api"

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("cases/", cases.CaseList.as_view(), name="cases"),
    path("cases/<str:ref>/", cases.CaseRead.as_view(), name="case"),
    path("cases/<str:ref>/events/", cases.CaseEvents.as_view(), name="case_events"),
    path("cases/<str:ref>/operations/", cases.CaseOperations.as_view(), name="case_operations"),
    path("cases/<str:ref>/operations/<str:operation>/", cases.CaseOperate.as_view(), name="case_operate"),
    path("cases/<str:ref>/attachments/", cases.CaseAttachments.as_view(), name="case_attachments"),
    path("cases/<str:ref>/requester/", cases.CaseRequester.as_view(), name="case_requester"),
    path("attachments/<int:attachment_id>/", cases.AttachmentDownload.as_view(), name="attachment"),
    path("categories/", reference.Categories.as_view(), name="categories"),
    path("areas/", reference.Areas.as_view(), name="areas"),
    path("units/", reference.Units.as_view(), name="units"),
    path("knowledge/", reference.Knowledge.as_view(), name="knowledge"),
    path("measures/", reference.Measures.as_view(), name="measures"),
    path("webhooks/<str:channel>/", webhooks.ChannelWebhook.as_view(), name="webhook"),
    re_path(r"^.*$", errors.not_found),
]
