from django.urls import path

from mekong.portal import dossier_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/tim-kiem", views.procedure_search, name="search"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
    # Filing a dossier: step 1 creates the draft, the other steps work on it.
    path("thu-tuc/<str:code>/nop-ho-so/", dossier_views.start, name="dossier_start"),
    path("ho-so/nhap/<int:draft_id>/", dossier_views.resume, name="dossier_resume"),
    path("ho-so/nhap/<int:draft_id>/to-khai/", dossier_views.form_step, name="dossier_form"),
    path("ho-so/nhap/<int:draft_id>/giay-to/", dossier_views.documents_step, name="dossier_documents"),
    path("ho-so/nhap/<int:draft_id>/giay-to/<int:file_id>/", dossier_views.draft_file, name="draft_file"),
    path("ho-so/nhap/<int:draft_id>/nhan-ket-qua/", dossier_views.delivery_step, name="dossier_delivery"),
    path("ho-so/nhap/<int:draft_id>/xem-lai/", dossier_views.review_step, name="dossier_review"),
    # The citizen's dossiers.
    path("ho-so/", dossier_views.my_dossiers, name="my_dossiers"),
    path("ho-so/<str:code>/", dossier_views.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/da-nop/", dossier_views.submitted, name="dossier_submitted"),
    path("ho-so/<str:code>/bo-sung/", dossier_views.supplement, name="dossier_supplement"),
    path("ho-so/<str:code>/rut/", dossier_views.withdraw, name="dossier_withdraw"),
    path("ho-so/<str:code>/tep/<int:file_id>/", dossier_views.dossier_file, name="dossier_file"),
    path(
        "ho-so/<str:code>/van-ban/<uuid:document_id>/",
        dossier_views.issued_document,
        name="dossier_document",
    ),
    # Public status lookup.
    path("tra-cuu/", dossier_views.lookup, name="lookup"),
]
