from django.urls import path

from minyi.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.home, name="home"),
]
