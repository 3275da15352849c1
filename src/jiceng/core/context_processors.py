from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.scoping import scope_for

# Navigation by domain area; later capabilities add their entries here.
NAVIGATION = [
    (_("地域"), "places:place_list", "map-pin"),
    (_("两新组织"), "enterprises:enterprise_list", "building"),
    (_("党组织"), "organizations:organization_list", "flag"),
    (_("党员"), "members:member_list", "users"),
    (_("覆盖报告"), "organizations:coverage", "chart-pie"),
]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = scope_for(request.user)
    return {
        "nav_items": [(label, reverse(name), icon, request.path.startswith(reverse(name)))
                      for label, name, icon in NAVIGATION],
        "user_roles": sorted(scope.roles) if not scope.everything else ["superuser"],
    }
