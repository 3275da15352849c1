"""The layout on a phone and the navbar on a desktop, in Chromium (issue 15, docs/decisions/044).

Data-driven: the pages come from the menu (`NAVIGATION`, whatever entries it has when the test runs), "我的" for a
member, and the lists reached from a list's tabs (LIST_TABS), so a new menu page is checked by existing. On the demo
(with a few demands and visits added where it has none), as roles that see data, at 390×844 every page must:

- not scroll sideways (document.scrollingElement.scrollWidth <= 390);
- have no table row taller than ROW_MAX px and no table that scrolls inside its box;
- give every link and button in a table row a tap target of at least TAP_MIN px (WCAG 2.5.5; Apple's Human
  Interface Guidelines ask 44 pt), unless it is not a target there (pointer-events: none, see jiceng.css).

The navbar, at 1024/1280/1366 px (and 800, where the Chinese navbar lost its right side) in both languages, shows
the bell, the user and the log-out button inside the viewport, and no two of its entries overlap.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jiceng.core.context_processors import menu_url_names
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
ROW_MAX = 160
TAP_MIN = 43.5  # 44 px, less half a pixel of rounding
DEMO_PASSWORD = "jiceng-demo"
# Roles that see data in the demo: the widest scope, a secretary (member affairs of one branch), a member; and a
# street officer in English, whose longer labels pushed headings' buttons, tabs and small tables past 390 px.
PHONE_RUNS = [("admin", "zh-hans"), ("street_staff", "zh-hans"), ("org_secretary", "zh-hans"), ("member", "zh-hans"),
              ("street_staff", "en")]
# Lists reached from another list's tabs or buttons rather than from the menu.
LIST_TABS = ["risk:list", "risk:follow_ups", "venues:booking_list", "venues:my_bookings", "venues:approvals",
             "members:due_list", "activities:mine"]
NAV_WIDTHS = [800, 1024, 1280, 1366]
LANGUAGES = ["zh-hans", "en"]


def menu_pages() -> list[str]:
    names = menu_url_names() + LIST_TABS
    urls = []
    for name in names:
        try:
            urls.append(reverse(name))
        except NoReverseMatch:  # a capability that is not installed
            continue
    return list(dict.fromkeys(urls))


MEASURE = """(limits) => {
  const [rowMax, tapMin] = limits;
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const problems = [];
  const sw = document.scrollingElement.scrollWidth;
  if (sw > window.innerWidth) problems.push(`scrolls sideways: ${sw} px wide`);
  let rows = 0;
  for (const table of document.querySelectorAll("table")) {
    if (!visible(table)) continue;
    for (let box = table.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if ((overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth + 1) {
        const name = table.dataset.testid || "";
        problems.push(`table ${name} scrolls inside its box (${box.scrollWidth} > ${box.clientWidth})`);
        break;
      }
    }
    for (const tr of table.querySelectorAll("tbody > tr")) {
      if (!visible(tr)) continue;
      rows += 1;
      const h = tr.getBoundingClientRect().height;
      if (h > rowMax) problems.push(`row ${Math.round(h)} px tall: ${tr.innerText.slice(0, 40).replace(/\\s+/g, " ")}`);
      for (const el of tr.querySelectorAll("a, button")) {
        if (!visible(el) || getComputedStyle(el).pointerEvents === "none") continue;
        const t = el.getBoundingClientRect().height;
        if (t < tapMin) problems.push(`tap target ${Math.round(t)} px high: ${el.innerText.slice(0, 30)}`);
      }
    }
  }
  return {problems: [...new Set(problems)].slice(0, 5), rows};
}"""


def add_demands_and_visits() -> None:
    """The demo may hold no demands or visits: give the place roles a few, so those lists show cards."""
    from jiceng.demands.models import Demand, DemandStatus, Visit
    from jiceng.enterprises.models import Enterprise

    User = get_user_model()
    worker = User.objects.get(username="building_worker")
    today = timezone.localdate()
    for enterprise in Enterprise.objects.restrict(User.objects.get(username="street_staff")).order_by("pk")[:3]:
        Visit.objects.create(enterprise=enterprise, place=enterprise.place, worker=worker,
                             date=today - dt.timedelta(days=3), notes="例行走访")
        for status in (DemandStatus.SUBMITTED, DemandStatus.ASSIGNED):
            Demand.objects.create(text="会议室空调需要维修,已影响三层的两家企业日常办公", place=enterprise.place,
                                  status=status, requester_enterprise=enterprise, due_date=today + dt.timedelta(days=5))


@pytest.fixture
def demo():
    from jiceng.operations.demo import load_demo

    load_demo()
    add_demands_and_visits()


def contrast(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio of two computed `rgb(...)` colours."""

    def luminance(css: str) -> float:
        parts = [float(x) / 255 for x in css[css.index("(") + 1: css.index(")")].replace(",", " ").split()[:3]]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_list_page_reads_on_a_phone(browser, live_server, default_data, demo):
    pages = menu_pages()
    problems: dict[str, list[str]] = {}
    rows_seen: dict[str, int] = dict.fromkeys(pages, 0)
    badge_contrasts = []
    for role, language in PHONE_RUNS:
        context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        login(page, role, DEMO_PASSWORD)
        badge = page.locator("[data-testid=unread]")
        if badge.count():
            colours = badge.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
            badge_contrasts.append(contrast(*colours))
        extra = [reverse("members:me")] if role == "member" else []
        for url in pages + extra:
            response = page.goto(url)
            if response.status != 200:  # a page this role may not open is not this test's business
                continue
            result = page.evaluate(MEASURE, [ROW_MAX, TAP_MIN])
            rows_seen[url] = rows_seen.get(url, 0) + result["rows"]
            if result["problems"]:
                problems[f"{role} ({language}) {url}"] = result["problems"]
        context.close()
    assert not problems, "pages that do not read on a 390 px phone:\n" + "\n".join(
        f"{where}: {'; '.join(found)}" for where, found in problems.items())
    # The check is not vacuous: most pages were measured with rows in their tables.
    with_rows = [url for url, n in rows_seen.items() if n]
    assert len(with_rows) >= len(pages) * 2 // 3, f"too few pages showed rows: {sorted(set(pages) - set(with_rows))}"
    assert badge_contrasts and min(badge_contrasts) >= 4.5  # the unread count: WCAG 2.1 AA for small text


@pytest.fixture
def superuser(default_data):
    tree = f.district_tree()
    f.enterprise(tree["building1"], "攀达科技")
    return f.user("a-rather-long-username-2026", superuser=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_navbar_keeps_the_account_in_sight_at_desktop_widths(browser, live_server, superuser, language):
    failures = []
    for width in NAV_WIDTHS:
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        login(page, superuser.username)
        page.goto("/enterprises/")
        found = page.evaluate("""() => {
          const vw = document.documentElement.clientWidth;
          const out = {outside: [], overlaps: [], scroll: document.scrollingElement.scrollWidth - vw};
          for (const id of ["bell", "current-user", "logout"]) {
            const el = document.querySelector(`[data-testid="${id}"]`);
            const r = el ? el.getBoundingClientRect() : null;
            if (!r || r.width === 0 || r.left < 0 || r.right > vw || r.top < 0) out.outside.push(id);
          }
          const items = [...document.querySelectorAll(
            ".topbar .navbar-brand, .topbar [data-testid=bell], .topbar select, .topbar [data-testid=current-user], " +
            ".topbar [data-testid=logout], .menubar .navbar-nav > .nav-item")]
            .map(e => [e.innerText.trim() || e.tagName, e.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
          for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
            const [a, b] = [items[i][1], items[j][1]];
            if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
              out.overlaps.push(`${items[i][0]} / ${items[j][0]}`);
          }
          for (const item of document.querySelectorAll(".menubar .navbar-nav > .nav-item")) {
            const r = item.getBoundingClientRect();
            if (r.width > 0 && (r.left < 0 || r.right > vw)) out.outside.push(item.innerText.trim());
          }
          return out;
        }""")
        assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-hans")
        if found["outside"] or found["overlaps"] or found["scroll"] > 0:
            failures.append(f"{width} px: {found}")
        # The language switcher names each language in its own script, whatever the interface language.
        assert page.locator("select[name=language] option").all_inner_texts() == ["中文", "English"]
        context.close()
    assert not failures, "\n".join(failures)


def test_phone_navbar_filters_and_more_menu(browser, live_server, superuser):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    login(page, superuser.username)
    page.goto("/enterprises/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

    def height(selector: str) -> float:
        return page.locator(selector).first.bounding_box()["height"]

    # The top bar: the bell, the account menu and the menu toggler, each a full-size target.
    for selector in ("[data-testid=bell]", "[data-testid=user-menu] > button", ".navbar-toggler"):
        assert height(selector) >= TAP_MIN, selector
    assert not page.get_by_test_id("logout").is_visible()
    page.locator("[data-testid=user-menu] > button").click()
    assert page.get_by_test_id("logout").is_visible() and height("[data-testid=logout]") >= TAP_MIN
    assert page.get_by_test_id("current-user").inner_text() == superuser.username
    page.keyboard.press("Escape")
    # The menu folds behind the toggler; opened, its entries are full-size targets.
    assert not page.locator(".menubar .nav-link").first.is_visible()
    page.locator(".navbar-toggler").click()
    page.locator(".menubar .nav-link").first.wait_for()
    links = page.locator(".menubar .nav-link")
    assert links.count() >= 1 and all(links.nth(i).bounding_box()["height"] >= TAP_MIN for i in range(links.count()))
    page.locator(".navbar-toggler").click()

    # Filters: the search in sight, the rest in a drawer closed by default.
    assert page.locator("input[name=q]").is_visible()
    drawer = page.get_by_test_id("filter-drawer")
    assert not drawer.is_visible()
    page.get_by_test_id("filter-toggle").click()
    drawer.locator("select, input").first.wait_for()
    # Export and the other secondary actions are in the "more" menu.
    assert not page.get_by_test_id("export").is_visible()
    page.locator(".more-toggle").click()
    assert page.get_by_test_id("export").is_visible() and height("[data-testid=export]") >= TAP_MIN
    # The rows are cards: the title links to the row's page; the secondary columns are hidden.
    card = page.get_by_test_id("object-table").locator("tbody tr").first
    assert card.locator("td[data-role=title] a").is_visible()
    assert not card.locator("td[data-role=secondary]").first.is_visible()
    assert card.locator("td[data-role=key]").first.is_visible()
    context.close()


def test_desktop_keeps_the_table_the_filters_and_the_buttons(browser, live_server, superuser):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    login(page, superuser.username)
    page.goto("/enterprises/")
    assert page.get_by_test_id("export").is_visible() and not page.locator(".more-toggle").is_visible()
    assert page.get_by_test_id("filter-drawer").locator("select").first.is_visible()
    assert not page.get_by_test_id("filter-toggle").is_visible()
    assert page.get_by_test_id("object-table").locator("thead th").first.is_visible()
    assert page.get_by_test_id("object-table").locator("td[data-role=secondary]").first.is_visible()
    context.close()
