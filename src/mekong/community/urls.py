from django.urls import path

from mekong.community import views

app_name = "community"
urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", views.service_worker, name="service_worker"),
    # The registry: teams, members, lists in and out.
    path("to/", views.teams, name="teams"),
    path("to/<int:team_id>/", views.team_detail, name="team"),
    path("danh-sach/nhap/", views.import_members, name="import"),
    path("danh-sach/xuat.xlsx", views.export_members, {"fmt": "xlsx"}, name="export_xlsx"),
    path("danh-sach/xuat.csv", views.export_members, {"fmt": "csv"}, name="export_csv"),
    # Support activities (the log works offline).
    path("hoat-dong/", views.activity_log, name="activities"),
    path("hoat-dong/gui/", views.activity_sync, name="activity_sync"),
    path("hoat-dong/<int:activity_id>/sua/", views.activity_edit, name="activity_edit"),
    # Filing a dossier for a citizen.
    path("nop-ho-so/", views.assisted_start, name="assisted_start"),
    path("nop-ho-so/<str:code>/", views.assisted_citizen, name="assisted_citizen"),
    path("ho-so-ho-tro/", views.assisted_list, name="assisted_list"),
    path("ho-so-ho-tro/<int:assisted_id>/", views.assisted_resume, name="assisted_resume"),
    path("ho-so-ho-tro/<int:assisted_id>/to-khai/", views.assisted_form, name="assisted_form"),
    path("ho-so-ho-tro/<int:assisted_id>/giay-to/", views.assisted_documents, name="assisted_documents"),
    path("ho-so-ho-tro/<int:assisted_id>/xac-nhan/", views.assisted_consent, name="assisted_consent"),
    path("ho-so-ho-tro/<int:assisted_id>/da-nop/", views.assisted_done, name="assisted_done"),
    # Figures.
    path("so-lieu/", views.figures_page, name="figures"),
    path("so-lieu/xuat.xlsx", views.figures_export, name="figures_export"),
]
