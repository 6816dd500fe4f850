from django.urls import path

from minyi.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.register, name="register"),
]
