from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.scoping import scope_for

# Navigation by domain area: groups of (label, url name). Later capabilities add their entries here.
NAVIGATION = [
    (_("基础信息"), "database", [
        (_("地域"), "places:place_list"),
        (_("两新组织"), "enterprises:enterprise_list"),
        (_("党组织"), "organizations:organization_list"),
        (_("党员"), "members:member_list"),
    ]),
    (_("党员事务"), "id-badge-2", [
        (_("发展党员"), "members:application_list"),
        (_("转接"), "members:transfer_list"),
        (_("党费"), "members:dues_report"),
        (_("六个月未参加组织生活等"), "members:inactivity"),
        (_("分配的工作"), "members:work_list"),
    ]),
    (_("需求与走访"), "message-report", [
        (_("需求"), "demands:demand_list"),
        (_("我的待办"), "demands:inbox"),
        (_("走访"), "demands:visit_list"),
        (_("服务清单"), "demands:catalog"),
    ]),
    (_("三张清单"), "list-check", [
        (_("需求清单"), "matching:need_list"),
        (_("资源清单"), "matching:resource_list"),
        (_("项目清单"), "matching:project_list"),
        (_("联席会议"), "matching:conference_list"),
        (_("清单统计"), "matching:statistics"),
    ]),
    (_("楼宇治理"), "building-community", [
        (_("楼事会"), "governance:council_list"),
        (_("楼长推选"), "governance:selection_list"),
        (_("楼事会会议"), "governance:meeting_list"),
        (_("决议督办"), "governance:decision_list"),
        (_("四大员"), "governance:officerassignment_list"),
        (_("四大员工作量"), "governance:officer_workload"),
        (_("楼宇党群联盟"), "governance:alliance_list"),
    ]),
    (_("组织生活"), "calendar-event", [
        (_("活动"), "activities:activity_list"),
        (_("社团联盟"), "activities:club_list"),
        (_("三会一课"), "activities:compliance"),
        (_("先锋指数"), "activities:pioneer"),
        (_("阵地预约"), "venues:room_list"),
    ]),
    (_("分析报告"), "chart-pie", [
        (_("稳商"), "risk:board"),
        (_("覆盖报告"), "organizations:coverage"),
        (_("节假日安排"), "holidays:year_list"),
    ]),
]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:  # a capability that is not installed
        return None


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = scope_for(request.user)
    groups = [(label, icon, [(item, _url(name)) for item, name in entries]) for label, icon, entries in NAVIGATION]
    urls = [url for _l, _i, entries in groups for _item, url in entries if url]
    # The entry with the longest matching prefix is the active one (/members/applications/ is not /members/).
    active = max((url for url in urls if request.path.startswith(url)), key=len, default=None)
    nav = []
    for label, icon, entries in groups:
        items = [(item, url, url == active) for item, url in entries if url]
        nav.append({"label": label, "icon": icon, "items": items, "active": any(a for _i, _u, a in items)})
    me = reverse("members:me") if "member" in scope.roles else None
    return {
        "nav_groups": nav,
        "nav_me": me,
        "nav_me_active": request.path == me,
        "user_roles": sorted(scope.roles) if not scope.everything else ["superuser"],
        "unread_notifications": request.user.notifications.filter(read=False).count(),
    }
