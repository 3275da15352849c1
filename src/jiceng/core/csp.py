"""A strict Content-Security-Policy on every response.

Every script, style sheet, font and image is served from the application itself (vendored under
static/vendor), so the policy allows 'self' only: no inline <script> or <style>, no on* handlers, no style
attributes, no eval. A script injected into a page therefore cannot run even if escaping failed somewhere
(OWASP Content Security Policy Cheat Sheet: "strict policy"; CSP Level 3). Pages put their data in
data-* attributes or json_script tags and their behaviour in static files (jiceng/jiceng.js).
"""

from __future__ import annotations

from django.conf import settings

POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # Tabler draws select arrows and check marks as data: SVG backgrounds; ECharts draws on canvas.
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def header_value(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds the policy unless the response set its own. JICENG_CSP_REPORT_ONLY sends it as report-only
    (for trying a change of policy on a live site without breaking pages)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = header_value(POLICY)
        self.name = ("Content-Security-Policy-Report-Only" if getattr(settings, "CSP_REPORT_ONLY", False)
                     else "Content-Security-Policy")

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(self.name, self.value)
        return response
