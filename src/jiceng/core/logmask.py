"""Masks credentials in log lines: an API key in a URL (``api_key=...``) or a header (``Token ...``).

Access logs record request URLs, and whatever reaches a log is kept, copied and read by more people than the
key's owner (OWASP Logging Cheat Sheet, "Data to exclude": access tokens). Open311 refuses a key in the URL
(decision 011), but the request that carried one is still logged: this filter keeps the key out of the line.
It is on Django's console handler (settings.LOGGING: runserver's request lines, django.request warnings) and on
gunicorn's access and error logs (``--logger-class jiceng.core.logmask.GunicornLogger``, used by ``jiceng serve``).
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as _GunicornLogger

MASK = "***"
_PATTERNS = [
    # api_key=... in a query string or form body (also URL-encoded "api_key%3D...", as in a logged "next" URL)
    re.compile(r"(?i)(api[_-]?key(?:=|%3D))[^&\s\"'#]+"),
    # "api_key": "..." / X-Api-Key: ... (a logged dict or header)
    re.compile(r"(?i)(api[_-]?key[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&}]+"),
    # Authorization: Token <key> / Bearer <key>
    re.compile(r"(?i)(\b(?:token|bearer)\s+)[A-Za-z0-9._~+/=-]{16,}"),  # 16+: a key, not a word
]


def mask_secrets(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class MaskSecretsFilter(logging.Filter):
    """Rewrites a record whose message holds a key, so every handler after it writes the masked text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is the logging module's problem, not ours
            return True
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with MaskSecretsFilter on its access and error logs."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, MaskSecretsFilter) for f in log.filters):
                log.addFilter(MaskSecretsFilter())
