from django.urls import path

from minyi.transfer import views

app_name = "transfer"
urlpatterns = [
    path("", views.import_page, name="import"),
    path("errors/", views.error_file, name="errors"),
]
