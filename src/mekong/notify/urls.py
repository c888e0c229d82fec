from django.urls import path

from mekong.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:message_id>/da-doc/", views.mark_read, name="mark_read"),
    path("da-doc-tat-ca/", views.mark_all_read, name="mark_all_read"),
    path("cai-dat/", views.preferences, name="preferences"),
]
