"""Turns database overflows from absurd numeric input (ids beyond 64 bits in a URL) into a 400, not a 500."""

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class BadNumberMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            return HttpResponseBadRequest(_("请求中的数字超出范围。"))
        return None


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose another language with the switcher (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, which on shared office computers with
    English systems would show English to Chinese staff; the platform is Chinese by default.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
