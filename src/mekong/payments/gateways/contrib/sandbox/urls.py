from django.urls import path

from mekong.payments.gateways.contrib.sandbox import views

app_name = "sandbox_gateway"
urlpatterns = [
    path("paymentv2/vpcpay.html", views.pay, name="pay"),
]
