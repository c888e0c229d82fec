"""Vietnamese first: web pages are Vietnamese unless the person chose English with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a phone set to English (common on
cheap Android phones) would get English pages the person never asked for. The API keeps Accept-Language:
API clients set it on purpose.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
