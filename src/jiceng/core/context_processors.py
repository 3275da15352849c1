import functools
from types import SimpleNamespace
from typing import NamedTuple

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_urlconf
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jiceng.core.reversing import plain_url
from jiceng.core.scoping import scope_for

# Who sees an entry of the menu (roles as in jiceng.accounts.models.Role). A role sees the sections it can use;
# the pages themselves are governed by scope as before (a page left out of a menu still opens when its link is
# followed, showing what the scope allows). Superusers see every entry.
DISTRICT, STREET = "district_admin", "street_staff"
WORKER, HEAD = "building_worker", "building_head"
SECRETARY, UNIT, MEMBER = "org_secretary", "unit_contact", "member"
DEPARTMENT = "department_staff"
ADMINS = frozenset({DISTRICT, STREET})
PLACE_ROLES = ADMINS | {WORKER, HEAD}
PARTY_AFFAIRS = ADMINS | {SECRETARY}
THREE_LISTS = PLACE_ROLES | {SECRETARY, UNIT}


class NavItem(NamedTuple):
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in


class NavGroup(NamedTuple):
    label: str
    icon: str
    items: tuple[NavItem, ...]


# Navigation by domain area. Later capabilities add their entries here, naming the roles that use them.
NAVIGATION: list[NavGroup] = [
    NavGroup(_("基础信息"), "database", (
        NavItem(_("地域"), "places:place_list", PLACE_ROLES),
        NavItem(_("两新组织"), "enterprises:enterprise_list", PLACE_ROLES | {UNIT}),
        NavItem(_("单位信息更新"), "enterprises:update_list", ADMINS | {WORKER, UNIT}),
        NavItem(_("党组织"), "organizations:organization_list", PLACE_ROLES | {SECRETARY}),
        NavItem(_("党员"), "members:member_list", PLACE_ROLES | {SECRETARY}),
    )),
    NavGroup(_("服务阵地"), "map-pin", (
        NavItem(_("党群服务站点"), "stations:station_list", PLACE_ROLES),
        NavItem(_("500米服务圈"), "stations:gap_report", PLACE_ROLES),
        NavItem(_("地图"), "map:map", PLACE_ROLES),
    )),
    NavGroup(_("党员事务"), "id-badge-2", (
        NavItem(_("发展党员"), "members:application_list", PARTY_AFFAIRS),
        NavItem(_("转接"), "members:transfer_list", PARTY_AFFAIRS),
        NavItem(_("党费"), "members:dues_report", PARTY_AFFAIRS),
        NavItem(_("六个月未参加组织生活等"), "members:inactivity", PARTY_AFFAIRS),
        NavItem(_("分配的工作"), "members:work_list", PARTY_AFFAIRS),
    )),
    NavGroup(_("需求与走访"), "message-report", (
        NavItem(_("需求"), "demands:demand_list"),
        NavItem(_("我的待办"), "demands:inbox", PLACE_ROLES | {DEPARTMENT}),
        NavItem(_("职能部门"), "departments:department_list", PLACE_ROLES | {DEPARTMENT}),
        NavItem(_("走访"), "demands:visit_list", PLACE_ROLES),
        NavItem(_("服务清单"), "demands:catalog", PLACE_ROLES | {UNIT}),
    )),
    NavGroup(_("三张清单"), "list-check", (
        NavItem(_("需求清单"), "matching:need_list", THREE_LISTS),
        NavItem(_("资源清单"), "matching:resource_list", THREE_LISTS),
        NavItem(_("项目清单"), "matching:project_list", THREE_LISTS),
        NavItem(_("联席会议"), "matching:conference_list", THREE_LISTS),
        NavItem(_("清单统计"), "matching:statistics", ADMINS),
    )),
    NavGroup(_("楼宇治理"), "building-community", (
        NavItem(_("楼事会"), "governance:council_list", PLACE_ROLES),
        NavItem(_("楼长推选"), "governance:selection_list", PLACE_ROLES),
        NavItem(_("楼事会会议"), "governance:meeting_list", PLACE_ROLES),
        NavItem(_("决议督办"), "governance:decision_list", PLACE_ROLES),
        NavItem(_("四大员"), "governance:officerassignment_list", PLACE_ROLES),
        NavItem(_("四大员工作量"), "governance:officer_workload", PLACE_ROLES),
        NavItem(_("楼宇党群联盟"), "governance:alliance_list", PLACE_ROLES),
    )),
    NavGroup(_("网格与联系户"), "grid-dots", (
        NavItem(_("微网格"), "grids:grid_list", PLACE_ROLES),
        NavItem(_("党员联系户"), "grids:household_list", PLACE_ROLES),
        NavItem(_("联系户覆盖"), "grids:coverage", PLACE_ROLES),
        NavItem(_("旧区改造"), "grids:project_list", PLACE_ROLES),
    )),
    NavGroup(_("组织生活"), "calendar-event", (
        NavItem(_("活动"), "activities:activity_list"),
        NavItem(_("社团联盟"), "activities:club_list", PLACE_ROLES | {SECRETARY}),
        NavItem(_("留言审核"), "activities:wall_queue", ADMINS | {WORKER, SECRETARY}),
        NavItem(_("三会一课"), "activities:compliance", PARTY_AFFAIRS),
        NavItem(_("先锋指数"), "activities:pioneer", PLACE_ROLES | {SECRETARY}),
        NavItem(_("党建矩阵"), "matrix:report", PLACE_ROLES | {SECRETARY}),
        NavItem(_("阵地预约"), "venues:room_list", PLACE_ROLES | {SECRETARY, UNIT}),
    )),
    NavGroup(_("分析报告"), "chart-pie", (
        NavItem(_("大屏"), "screen:screen", ADMINS | {WORKER}),
        NavItem(_("稳商"), "risk:board", PLACE_ROLES),
        NavItem(_("覆盖报告"), "organizations:coverage", PLACE_ROLES),
        NavItem(_("节假日安排"), "holidays:year_list", ADMINS),
        NavItem(_("通知投递记录"), "channels:delivery_list", ADMINS),
    )),
    # The reports a street or district owes upward each year (issue 17): for the staff who file them.
    NavGroup(_("上报报表"), "report", (
        NavItem(_("党内统计"), "reports:party_statistics", ADMINS),
        NavItem(_("三张清单年度项目"), "reports:projects", ADMINS),
        NavItem(_("需求年度报表"), "reports:demands", ADMINS),
    )),
]


def menu_url_names() -> list[str]:
    """Every page of the menu, whoever sees it (the page sweep and the link crawl visit them all)."""
    return [item.url_name for group in NAVIGATION for item in group.items]


def visible_items(group: NavGroup, scope) -> list[NavItem]:
    """The entries of `group` that a user with this scope sees."""
    if scope.everything:
        return list(group.items)
    return [item for item in group.items if item.roles is None or item.roles & scope.roles]


def _url(name: str) -> str | None:
    try:
        return plain_url(name)
    except NoReverseMatch:  # a capability that is not installed
        return None


# The menu is the same for everyone with the same roles and language, so its entries (labels translated, links
# reversed) and its markup (one per active entry) are made once per process: drawing it on every page cost each
# page 1.3 ms, a twentieth of a list page's time (decision 081). Keyed by what they are made of, they cannot be
# stale; a test that swaps the URLconf or the translations clears them (`setting_changed`).
@functools.lru_cache(maxsize=64)
def _entries(everything: bool, roles: frozenset[str], language: str, urlconf: str | None) -> tuple:
    scope = SimpleNamespace(everything=everything, roles=roles)
    groups = []
    for group in NAVIGATION:
        items = tuple((str(item.label), url) for item in visible_items(group, scope) if (url := _url(item.url_name)))
        if items:
            groups.append((str(group.label), group.icon, items))
    return tuple(groups)


@functools.lru_cache(maxsize=512)
def _markup(everything: bool, roles: frozenset[str], language: str, urlconf: str | None, active: str | None,
            me: str | None, me_active: bool) -> str:
    nav = _groups(_entries(everything, roles, language, urlconf), active)
    return render_to_string("core/_menu.html", {"nav_groups": nav, "nav_me": me, "nav_me_active": me_active})


def _groups(entries: tuple, active: str | None) -> list[dict]:
    nav = []
    for label, icon, entries_ in entries:
        items = [(item, url, url == active) for item, url in entries_]
        # A group with one entry for this user is that entry, a plain link (a member's 需求, 活动).
        single = items[0] if len(items) == 1 else None
        nav.append({"label": single[0] if single else label, "icon": icon, "items": items,
                    "active": any(a for _i, _u, a in items), "url": single[1] if single else None})
    return nav


@receiver(setting_changed)
def _forget_menus(**kwargs) -> None:
    if kwargs["setting"] in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        _entries.cache_clear()
        _markup.cache_clear()


def unread_count(user) -> int:
    """The user's unread notifications: as kept with the signed-in identity (accounts.identity), or counted."""
    kept = getattr(user, "_jiceng_unread", None)
    return kept if kept is not None else user.notifications.filter(read=False).count()


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = scope_for(request.user)
    key = (scope.everything, frozenset(scope.roles), get_language(), get_urlconf())
    entries = _entries(*key)
    # The entry with the longest matching prefix is the active one (/members/applications/ is not /members/).
    active = max((url for _l, _i, items in entries for _label, url in items if request.path.startswith(url)),
                 key=len, default=None)
    me = plain_url("members:me") if "member" in scope.roles else None
    return {
        "nav_groups": SimpleLazyObject(lambda: _groups(entries, active)),
        "nav_me": me,
        "nav_me_active": request.path == me,
        "nav_html": mark_safe(_markup(*key, active, me, request.path == me)),  # noqa: S308 - our template's output
        "unread_notifications": unread_count(request.user),
    }
