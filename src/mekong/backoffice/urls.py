from django.urls import path

from mekong.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
]
