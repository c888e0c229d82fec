from django.urls import path

from mekong.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/tim-kiem", views.procedure_search, name="search"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
]
