from django.urls import path

from minyi.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.ledger, name="ledger"),
]
