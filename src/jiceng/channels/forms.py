from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from jiceng.core.validators import normalize_cn_mobile, validate_cn_mobile

from .events import DEFAULTS
from .models import EventKind, UserContact


def mobile_in_use(mobile: str) -> bool:
    User = get_user_model()
    return UserContact.objects.filter(mobile=mobile).exists() or User.objects.filter(username=mobile).exists()


class MobileForm(forms.Form):
    mobile = forms.CharField(label=_("手机号码"), max_length=20, validators=[validate_cn_mobile],
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    def clean_mobile(self) -> str:
        mobile = normalize_cn_mobile(self.cleaned_data["mobile"])
        if mobile_in_use(mobile):
            raise forms.ValidationError(_("该手机号已注册,请直接登录。"), code="mobile_used")
        return mobile


class RegisterForm(MobileForm):
    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    name = forms.CharField(label=_("姓名"), max_length=30)
    password = forms.CharField(label=_("密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


class PreferencesForm(forms.Form):
    """One checkbox per (kind, channel): in-app is always on; one-time codes always go by SMS."""

    CHANNELS = (("email", _("电子邮件")), ("sms", _("短信")), ("wecom", _("企业微信群")))
    KINDS = [(k, label) for k, label in EventKind.choices if k != EventKind.ACCOUNT]

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in self.KINDS:
            for channel, channel_label in self.CHANNELS:
                self.fields[f"{kind}__{channel}"] = forms.BooleanField(
                    required=False, label=f"{label} · {channel_label}",
                    initial=current.get(kind, DEFAULTS[kind])[channel])

    def rows(self):
        return [(label, [self[f"{kind}__{channel}"] for channel, _l in self.CHANNELS]) for kind, label in self.KINDS]

    def choices(self) -> dict:
        return {kind: {channel: self.cleaned_data[f"{kind}__{channel}"] for channel, _l in self.CHANNELS}
                for kind, _label in self.KINDS}
