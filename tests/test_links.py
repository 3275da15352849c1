"""Pages link only to what the reader may open.

For every demo login, a bounded crawl: the menu pages, then detail pages reached from them (breadth first).
Every internal link on every page visited is followed once (a few per URL pattern) and must not answer 403 or
404: a link to a page the reader cannot open is a bug (it also tells them the object exists).
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from jiceng.core.context_processors import menu_url_names
from jiceng.operations.demo import DEMO_USERS, load_demo

pytestmark = pytest.mark.django_db

# Bounds: the whole test (the demo load included) stays well under a minute on this 2-core machine. Links are
# sampled per (page pattern, link pattern): two links from members' pages to organizations' pages are followed,
# not three hundred; the breadcrumbs of a place page are two links of the same pair, so both are followed.
PAGES_PER_USER = 40       # pages parsed for links per login (the menu pages first)
PAGES_PER_PATTERN = 1     # pages of one URL pattern parsed per login
CHECKS_PER_PAIR = 2       # links followed per (page pattern, link pattern) and login
REQUESTS_PER_USER = 90   # requests per login, the menu's included (about 33 with the report and grid pages)

# Links that are not pages to open: downloads, feeds, the Django admin (its own permissions), static files.
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/api/", "/open311/", "/screen/stream/", "/accounts/logout/")
SKIP_QUERY = ("export=",)
SKIP_URL_NAMES = {"application_document_download", "attachment", "feed", "room_feed", "transfer_letter", "photo",
                  "import_template", "member_import_template", "enterprise_import_template", "set_language"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _internal_links(page_url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        if href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(page_url, href)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue
        path = parts.path
        if path.startswith(SKIP_PREFIXES) or any(q in parts.query for q in SKIP_QUERY):
            continue
        links.append(path + (f"?{parts.query}" if parts.query else ""))
    return links


def _pattern(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.url_name in SKIP_URL_NAMES:
        return None
    return match.route


def _is_detail(url: str) -> bool:
    """Pages about one object (a pattern with an argument): the crawl goes on from these."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    return bool(match.kwargs) and "edit" not in (match.url_name or "") and "add" not in (match.url_name or "")


def _menu_urls() -> list[str]:
    return [reverse(name) for name in menu_url_names()] + ["/"]


def _crawl(client: Client, username: str) -> tuple[list[tuple[str, str, int]], int, int]:
    """Returns the broken links (page, link, status), the pages parsed and the requests made."""
    status_of: dict[str, int] = {}
    html_of: dict[str, str] = {}
    broken: list[tuple[str, str, int]] = []

    def fetch(url: str) -> int:
        response = client.get(url)
        status_of[url] = response.status_code
        html_of[url] = response.content.decode() if response.status_code == 200 and \
            response.get("Content-Type", "").startswith("text/html") else ""
        return response.status_code

    # The menu first: every entry must open.
    menu = _menu_urls()
    for url in menu:
        if fetch(url) in (403, 404):
            broken.append(("(menu)", url, status_of[url]))

    # Then the pages they link to, breadth first, within the bounds.
    queue, queued = deque(menu), set(menu)
    parsed_per_pattern: dict[str, int] = defaultdict(int)
    checked_per_pair: dict[tuple[str, str], int] = defaultdict(int)
    pages = 0
    while queue and pages < PAGES_PER_USER and len(status_of) < REQUESTS_PER_USER:
        url = queue.popleft()
        pattern = _pattern(url) or url
        if parsed_per_pattern[pattern] >= PAGES_PER_PATTERN:
            continue
        parsed_per_pattern[pattern] += 1
        if url not in status_of:
            fetch(url)
        html = html_of[url]
        if not html:
            continue
        pages += 1
        for link in dict.fromkeys(_internal_links(url, html)):
            link_pattern = _pattern(link)
            if link_pattern is None:
                continue
            if link not in status_of:
                pair = (pattern, link_pattern)
                if checked_per_pair[pair] >= CHECKS_PER_PAIR or len(status_of) >= REQUESTS_PER_USER:
                    continue
                checked_per_pair[pair] += 1
                fetch(link)
            if status_of[link] in (403, 404):
                broken.append((url, link, status_of[link]))
            elif status_of[link] == 200 and _is_detail(link) and link not in queued:
                queued.add(link)
                queue.append(link)
    return broken, pages, len(status_of)


def test_every_link_opens_for_every_demo_role():
    started, cpu = time.monotonic(), time.process_time()
    load_demo()
    report = {}
    broken_all = []
    for username, role, _display in DEMO_USERS:
        if role is None:
            continue  # the superuser opens everything
        client = Client()
        client.force_login(_user(username))
        broken, pages, followed = _crawl(client, username)
        report[username] = (pages, followed)
        broken_all += [(username, *b) for b in broken]
    print(f"\ncrawl (pages parsed, requests) per login: {report}; {time.monotonic() - started:.1f} s "
          f"({time.process_time() - cpu:.1f} s CPU), demo load included")
    assert not broken_all, "links to pages the reader cannot open:\n" + "\n".join(
        f"  {user}: on {page} → {link} ({status})" for user, page, link, status in broken_all)
    # Every login read a fair number of pages (the crawl is bounded, not empty).
    assert all(pages >= 8 for pages, _followed in report.values()), report


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


# --- the cases the crawl found, on small data ------------------------------------------------------------

def test_organization_page_links_a_covered_enterprise_only_for_readers_who_may_open_it(client, tree):
    from jiceng.accounts.models import Role
    from tests import factories as f

    branch = f.organization(tree["building1"], "联合党支部")
    ent = f.enterprise(tree["building1"], "甲科技")
    f.cover(branch, ent)
    member_user = f.user("m1", Role.MEMBER, f.member(branch))
    staff = f.user("s1", Role.STREET_STAFF, tree["street1"])
    client.force_login(member_user)
    assert client.get(ent.get_absolute_url()).status_code == 404
    page = client.get(branch.get_absolute_url()).content.decode()
    assert "甲科技" in page and ent.get_absolute_url() not in page
    client.force_login(staff)
    assert f'href="{ent.get_absolute_url()}"' in client.get(branch.get_absolute_url()).content.decode()


def test_enterprise_page_and_place_breadcrumbs_for_narrow_scopes(client, tree):
    from jiceng.accounts.models import Role
    from tests import factories as f

    ent = f.enterprise(tree["building1"], "甲科技")
    org = f.organization(tree["park1"], "园区党委")
    f.cover(org, ent)
    contact = f.user("c1", Role.UNIT_CONTACT, ent)
    client.force_login(contact)
    assert client.get(org.get_absolute_url()).status_code == 404
    page = client.get(ent.get_absolute_url()).content.decode()
    assert "园区党委" in page and org.get_absolute_url() not in page
    head = f.user("h1", Role.BUILDING_HEAD, tree["building1"])
    client.force_login(head)
    page = client.get(tree["building1"].get_absolute_url()).content.decode()
    for place in (tree["district"], tree["street1"], tree["park1"]):
        assert place.name in page and f'href="{place.get_absolute_url()}"' not in page
    client.force_login(f.user("s1", Role.STREET_STAFF, tree["street1"]))
    page = client.get(tree["building1"].get_absolute_url()).content.decode()
    assert f'href="{tree["park1"].get_absolute_url()}"' in page
    assert f'href="{tree["district"].get_absolute_url()}"' not in page


def test_visibility_is_asked_once_per_model(tree, django_assert_num_queries):
    from jiceng.accounts.models import Role
    from jiceng.core.scoping import can_see, prime_visibility, scope_for
    from tests import factories as f

    ents = [f.enterprise(tree["building1"]) for _ in range(5)] + [f.enterprise(tree["building2"])]
    user = f.user("w1", Role.BUILDING_WORKER, tree["building1"])
    scope_for(user).place_ids  # noqa: B018 - the places under the granted paths, fetched once per request
    with django_assert_num_queries(1):
        prime_visibility(user, ents)
        assert [can_see(user, e) for e in ents] == [True] * 5 + [False]

