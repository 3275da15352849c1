from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jiceng.core.audit import client_ip

from . import services


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses further attempts for a while after repeated failures for one username."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if username and services.is_locked_out(username, ip):
            raise forms.ValidationError(_("登录失败次数过多,请稍后再试。"), code="locked_out")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                services.record_login_failure(username, ip)
            raise
        services.clear_login_failures(username)
        return cleaned
