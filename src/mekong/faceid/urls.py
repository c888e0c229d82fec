from django.urls import path

from mekong.faceid import views

app_name = "faceid"
urlpatterns = [
    path("tra-cuu/khuon-mat/", views.lookup, name="lookup"),
    path("tai-khoan/khuon-mat/", views.enrolment, name="enrolment"),
    path("tai-khoan/khuon-mat/rut-lai/", views.withdraw, name="withdraw"),
]
