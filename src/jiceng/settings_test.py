"""Test settings: the normal settings with fast hashing and tasks run inline."""

from .settings import *  # noqa: F403
from .settings import HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "huey_class": "huey.MemoryHuey", "immediate": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
