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
