"""Addresses of the citizen portal, mounted at the site root."""

from django.urls import path

from minyi.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submit/done/", views.submitted, name="submitted"),
    path("areas/", views.areas, name="areas"),
    path("follow/", views.follow, name="follow"),
    path("follow/<str:tracking_number>/", views.case, name="case"),
    path("follow/<str:tracking_number>/rate/", views.rate, name="rate"),
    path("follow/<str:tracking_number>/photos/<int:attachment_id>/", views.reply_photo, name="reply_photo"),
    path("stats/", views.stats, name="stats"),
]
