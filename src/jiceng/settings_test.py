"""Test settings: the normal settings with fast hashing and tasks run inline."""

from .settings import *  # noqa: F403
from .settings import CACHES, HUEY, JICENG, REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "huey_class": "huey.MemoryHuey", "immediate": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Write throttles: counts in memory, and rates no ordinary test reaches (tests of the throttle set their own).
CACHES = {**CACHES, "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"},
          "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"},
          "kept": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kept"},
          "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessions"}}
# Every test rolls its rows back, and ids come again: a board kept from one test could match the next one's key.
# The tests of the boards themselves turn them on.
JICENG = {**JICENG, "PIONEER_BOARD_SECONDS": 0, "COMPLIANCE_REPORT_SECONDS": 0,
           "WORKBENCH_OVERVIEW_SECONDS": 0, "WORKBENCH_STREET_SECONDS": 0, "IDENTITY_SECONDS": 0,
           "SCREEN_PANELS_SECONDS": 0, "SCREEN_STREAM_SECONDS": 3, "SCREEN_POLL_SECONDS": 0.2}
REST_FRAMEWORK = {**REST_FRAMEWORK,
                  "DEFAULT_THROTTLE_RATES": {"user_write": "100000/min", "anon_write": "100000/min"}}
# Deliveries run after commit in the request, retried at once (no waiting), with a short HTTP timeout.
JICENG_DELIVERY_MODE = "inline"
JICENG_DELIVERY_BACKOFF = 0
JICENG_DELIVERY_TIMEOUT = 0.5
