from django.urls import path

from mekong.payments import views

app_name = "payments"
urlpatterns = [
    path("ho-so/<str:code>/", views.pay, name="pay"),
    path("<slug:gateway>/ket-qua/", views.gateway_return, name="return"),
    path("<slug:gateway>/ipn/", views.notification, name="ipn"),
]
