from django.urls import path

from mekong.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("ho-so/", views.queue, name="queue"),
    path("ho-so/thao-tac-hang-loat/", views.bulk, name="bulk"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/tep/<int:file_id>/", views.dossier_file, name="dossier_file"),
    path("ho-so/<str:code>/van-ban/<uuid:document_id>/", views.issued_document, name="issued_document"),
    path("ho-so/<str:code>/<slug:action>/", views.dossier_action, name="dossier_action"),
    path("phieu-xin-loi/", views.apologies, name="apologies"),
    path("phieu-xin-loi/<int:pk>/gui/", views.apology_confirm, name="apology_confirm"),
    path("phieu-xin-loi/<int:pk>/khong-dung/", views.apology_discard, name="apology_discard"),
    path("phan-anh/", views.feedback, name="feedback"),
    path("phan-anh/<int:pk>/tra-loi/", views.feedback_answer, name="feedback_answer"),
]
