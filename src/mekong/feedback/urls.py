from django.urls import path

from mekong.feedback import views

app_name = "feedback"
urlpatterns = [path("ho-so/<str:code>/danh-gia/", views.rate, name="rate")]
