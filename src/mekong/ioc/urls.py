from django.urls import path, re_path

from mekong.ioc import views

app_name = "ioc"
urlpatterns = [
    path("dieu-hanh/", views.dashboard, name="dashboard"),
    re_path(r"^dieu-hanh/xuat\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
    path("chi-so-phuc-vu/", views.public, name="public"),
]
