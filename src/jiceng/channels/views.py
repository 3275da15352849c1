"""Pages: self-registration (/accounts/register/), notification preferences (/accounts/preferences/) and the
delivery log (/deliveries/)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import generic

from jiceng.core.network import client_ip
from jiceng.core.tables import KEY, SECONDARY, STATUS, TITLE, Column
from jiceng.core.views import ObjectListView, get_scoped_or_404

from . import services
from .events import preferences_of, save_preferences
from .filters import DeliveryFilterSet
from .forms import MobileForm, PreferencesForm, RegisterForm
from .models import Delivery
from .senders import console_sms
from .verification import CodeRefused, send_code

SESSION_MOBILE = "register_mobile"
SESSION_NEXT = "register_next"


def _safe_next(request, value: str) -> str:
    """Where to go after registering (a page of this site only: an open redirect would lend the site's name to
    phishing, OWASP's Unvalidated Redirects cheat sheet)."""
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return ""


class RegisterView(generic.View):
    """Step 1: the mobile number → a code by SMS. Step 2: code, name and password → an account, logged in."""

    template_name = "channels/register.html"

    def get(self, request):
        next_url = _safe_next(request, request.GET.get("next", ""))
        if request.user.is_authenticated:
            return redirect(next_url or "home")
        if next_url:
            # Kept across the two steps (the code's page is a redirect back here): a visitor who came from a
            # building's page (its QR code) returns there, signed in.
            request.session[SESSION_NEXT] = next_url
        mobile = request.session.get(SESSION_MOBILE, "")
        return self.page(request, MobileForm(initial={"mobile": mobile}), RegisterForm(initial={"mobile": mobile})
                         if mobile else None)

    def page(self, request, mobile_form, register_form, status: int = 200):
        return render(request, self.template_name, {"mobile_form": mobile_form, "register_form": register_form},
                      status=status)

    def post(self, request):
        if request.POST.get("action") == "send":
            form = MobileForm(request.POST)
            if not form.is_valid():
                return self.page(request, form, None, status=400)
            mobile = form.cleaned_data["mobile"]
            try:
                sent = send_code(mobile, "register", client_ip(request))
            except CodeRefused as exc:
                form.add_error("mobile", exc.messages[0])
                return self.page(request, form, None, status=429 if exc.wait else 400)
            request.session[SESSION_MOBILE] = mobile
            messages.success(request, _("验证码已发送,5 分钟内有效。"))
            if settings.DEBUG and console_sms():
                # No gateway in development: the code is only in the delivery log and here (never in production).
                messages.info(request, _("(开发环境,未配置短信网关)验证码:%(code)s") % {"code": sent.code})
            return redirect("channels:register")
        form = RegisterForm(request.POST)
        if not form.is_valid():
            return self.page(request, MobileForm(initial={"mobile": request.POST.get("mobile", "")}), form,
                             status=400)
        data = form.cleaned_data
        try:
            user = services.register(data["mobile"], data["code"], data["name"], data["password"])
        except CodeRefused as exc:
            form.add_error("mobile" if exc.code == "mobile_used" else "code", exc.messages[0])
            return self.page(request, MobileForm(initial={"mobile": data["mobile"]}), form, status=400)
        request.session.pop(SESSION_MOBILE, None)
        next_url = _safe_next(request, request.session.pop(SESSION_NEXT, ""))
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(request, _("注册成功,欢迎使用基层平台。"))
        return redirect(next_url or "home")


class PreferencesView(LoginRequiredMixin, generic.View):
    template_name = "channels/preferences.html"

    def get(self, request):
        current = preferences_of([request.user])[request.user.pk]
        return render(request, self.template_name, self.context(request, PreferencesForm(current=current)))

    def post(self, request):
        current = preferences_of([request.user])[request.user.pk]
        form = PreferencesForm(request.POST, current=current)
        if form.is_valid():
            save_preferences(request.user, form.choices())
            messages.success(request, _("通知偏好已保存。"))
            return redirect("channels:preferences")
        return render(request, self.template_name, self.context(request, form), status=400)

    def context(self, request, form):
        contact = getattr(request.user, "contact", None) if hasattr(request.user, "contact") else None
        return {"form": form, "contact": contact}


def _recipient(delivery: Delivery) -> str:
    return delivery.masked_recipient


COLUMNS = [
    Column("summary", _l("内容摘要"), link=True, role=TITLE),
    Column("status", _l("状态"), role=STATUS),
    Column("channel", _l("渠道"), role=KEY),
    Column(_recipient, _l("接收方"), role=KEY),
    Column("attempts", _l("尝试次数"), role=KEY),
    Column("event", _l("事件"), role=SECONDARY),
    Column("created", _l("创建时间"), role=SECONDARY),
]


class DeliveryListView(ObjectListView):
    model = Delivery
    filterset_class = DeliveryFilterSet
    columns = COLUMNS
    related = ("robot",)

    def get_queryset(self):
        return super().get_queryset().order_by("-created", "-pk")


class DeliveryDetailView(LoginRequiredMixin, generic.View):
    def get(self, request, pk: int):
        delivery = get_scoped_or_404(Delivery, request.user, pk=pk)
        return render(request, "channels/delivery_detail.html", {
            "delivery": delivery, "show_text": settings.DEBUG or not delivery.payload.get("secret"),
            "list_url": reverse("channels:delivery_list")})
