from django.urls import URLPattern, path

from mekong.dossiers import views

app_name = "dossiers"
urlpatterns: list[URLPattern] = [
    path("<uuid:document_id>/", views.verify, name="verify"),
    path("<uuid:document_id>/qr.svg", views.verify_qr, name="verify_qr"),
]
