"""The JSON API: django-ninja, versioned under /api/v1/, OpenAPI 3 at /api/openapi.json.

Each domain app contributes a router from its `api.py`; errors share one shape:
{"code", "message" (Vietnamese), "message_en", "errors": [{"field", "row"?, "message", "message_en"}]}.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from mekong.accounts.api import router as accounts_router
from mekong.catalog.api import router as catalog_router
from mekong.community.api import router as community_router
from mekong.core.errors import DomainError, FieldError
from mekong.dossiers.api import router as dossiers_router
from mekong.faceid.api import router as faceid_router
from mekong.feedback.api import router as feedback_router
from mekong.geo.api import router as geo_router
from mekong.ioc.api import router as ioc_router
from mekong.notify.api import router as notify_router
from mekong.payments.api import router as payments_router

api = NinjaAPI(
    title="Mekong API",
    version="1",
    description="Nền tảng dịch vụ công Mekong — API phiên bản 1. Mekong digital-government platform, API v1.",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


def _error_field(location: tuple[object, ...]) -> str:
    # ninja reports ("body", "<parameter name>", "field", ...) or ("query", "field"): keep the field path.
    parts = location[2:] if location[:1] == ("body",) and len(location) > 2 else location[1:]
    return ".".join(str(part) for part in parts) or str(location[0] if location else "body")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        FieldError(
            field=_error_field(tuple(error.get("loc", ()))),
            message=_("Giá trị không hợp lệ: {detail}"),
            params={"detail": error.get("msg", "")},
        )
        for error in exc.errors
    ]
    wrapped = DomainError(
        _("Dữ liệu gửi lên không hợp lệ."), errors=errors, code="validation_error", status=422
    )
    return api.create_response(request, wrapped.as_dict(), status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    wrapped = DomainError(_("Cần đăng nhập: thiếu hoặc sai mã truy cập."), code="unauthorized", status=401)
    return api.create_response(request, wrapped.as_dict(), status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals (an unparsable body, say) in the shared bilingual shape.
    wrapped = DomainError(
        _("Yêu cầu không hợp lệ: {detail}"), code="bad_request", status=exc.status_code, detail=str(exc)
    )
    return api.create_response(request, wrapped.as_dict(), status=exc.status_code)


api.add_router("/v1/auth", accounts_router, tags=["accounts"])
api.add_router("/v1/procedures", catalog_router, tags=["catalog"])
api.add_router("/v1/units", geo_router, tags=["geo"])
api.add_router("/v1/dossiers", dossiers_router, tags=["dossiers"])
api.add_router("/v1/faceid", faceid_router, tags=["faceid"])
api.add_router("/v1/notifications", notify_router, tags=["notifications"])
api.add_router("/v1/community", community_router, tags=["community"])
# Payment paths hang off the dossier (/v1/dossiers/{code}/fees, …/payment-request, …/payments); no path of the
# dossiers router matches them.
api.add_router("/v1/dossiers", payments_router, tags=["payments"])
api.add_router("/v1/ioc", ioc_router, tags=["ioc"])
# Rating paths: /v1/dossiers/{code}/rating and /v1/feedback/{id}/handle.
api.add_router("/v1", feedback_router, tags=["feedback"])
