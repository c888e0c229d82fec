from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from mekong.api import api
from mekong.community.views import activate as activate_account
from mekong.core.health import healthz

admin.site.site_header = "Mekong — Quản trị hệ thống"
admin.site.site_title = "Mekong"
admin.site.index_title = "Cấu hình nền tảng"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("tai-khoan/kich-hoat/", activate_account, name="account_activation"),
    path("tai-khoan/", include("mekong.accounts.urls")),
    path("cong-dong/", include("mekong.community.urls")),
    path("can-bo/", include("mekong.backoffice.urls")),
    path("verify/", include("mekong.dossiers.urls")),
    path("", include("mekong.faceid.urls")),
    path("thong-bao/", include("mekong.notify.urls")),
    path("thanh-toan/", include("mekong.payments.urls")),
    path("sandbox-gateway/", include("mekong.payments.gateways.contrib.sandbox.urls")),
    path("", include("mekong.ioc.urls")),
    path("", include("mekong.feedback.urls")),
    path("", include("mekong.portal.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
