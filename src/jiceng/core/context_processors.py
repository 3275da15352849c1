from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.scoping import scope_for

# Navigation by domain area; later capabilities add their entries here.
NAVIGATION = [
    (_("地域"), "places:place_list", "map-pin"),
    (_("两新组织"), "enterprises:enterprise_list", "building"),
    (_("党组织"), "organizations:organization_list", "flag"),
    (_("党员"), "members:member_list", "users"),
    (_("发展党员"), "members:application_list", "user-plus"),
    (_("转接"), "members:transfer_list", "transfer"),
    (_("党费"), "members:dues_report", "coin-yuan"),
    (_("需求"), "demands:demand_list", "message-report"),
    (_("走访"), "demands:visit_list", "walk"),
    (_("覆盖报告"), "organizations:coverage", "chart-pie"),
]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = scope_for(request.user)
    urls = [(label, reverse(name), icon) for label, name, icon in NAVIGATION]
    # The entry with the longest matching prefix is the active one (/members/applications/ is not /members/).
    active = max((url for _label, url, _icon in urls if request.path.startswith(url)), key=len, default=None)
    items = [(label, url, icon, url == active) for label, url, icon in urls]
    if "member" in scope.roles:
        items.insert(0, (_("我的"), reverse("members:me"), "user", request.path == reverse("members:me")))
    return {
        "nav_items": items,
        "user_roles": sorted(scope.roles) if not scope.everything else ["superuser"],
        "unread_notifications": request.user.notifications.filter(read=False).count(),
    }
