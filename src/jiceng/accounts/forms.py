from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jiceng.core.network import client_ip as client_address

from . import services


class LoginBackoffMixin:
    """Refuses attempts for a while after repeated failures (accounts.services: per username and address, and per
    address); while locked, the password is not even checked, so a lock cannot be used to test passwords."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        wait = services.login_wait(username, address) if username else 0
        if wait:
            raise forms.ValidationError(_("登录失败次数过多,请在 %(seconds)s 秒后再试。"), code="locked_out",
                                        params={"seconds": wait})
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                services.record_login_failure(username, address)
            raise
        if username and self.get_user() is not None:  # a password was checked and was right (not just absent)
            services.record_login_success(username, address)
        return cleaned


class ThrottledAuthenticationForm(LoginBackoffMixin, AuthenticationForm):
    """The application's login form."""


class ThrottledAdminAuthenticationForm(LoginBackoffMixin, AdminAuthenticationForm):
    """The Django admin's login form, with the same back-off (admin.site.login_form, accounts/admin.py)."""
