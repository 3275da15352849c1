import os
from collections import defaultdict

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM guard would trip on it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request with the language cookie activates its language in the
    test's thread and leaves it active (as Django's LocaleMiddleware does), which made later tests order-dependent."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def shared_demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for a whole module (a load takes tens of seconds) inside an outer transaction that is
    rolled back when the module ends. Each test's own transaction nests in it as a savepoint, so every test sees the
    demo as loaded and undoes its own writes. Every test of such a module must use it (checked at collection): a
    test that did not would still run inside the loaded demo. Not for transactional or browser tests."""
    from django.db import transaction

    from jiceng.operations.demo import load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


def pytest_collection_modifyitems(config, items):
    by_module = defaultdict(list)
    for item in items:
        by_module[getattr(item, "module", None)].append(item)
    for module, module_items in by_module.items():
        sharing = ["shared_demo" in getattr(item, "fixturenames", ()) for item in module_items]
        if any(sharing) and not all(sharing):
            strays = [item.name for item, shares in zip(module_items, sharing, strict=True) if not shares]
            raise pytest.UsageError(f"{module.__name__}: every test of a module that uses shared_demo must use it "
                                    f"(these do not: {', '.join(strays)})")


@pytest.fixture
def tree(db):
    from tests.factories import district_tree

    return district_tree()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser(live_server):
    """Headless Debian Chromium driven by Playwright (no browser download).

    It depends on the live server so that it is closed first: the server's request threads for the browser's
    last connections end while the server (and its shared test-database connection) still runs, instead of
    after it stopped, when closing that connection from a request thread raises in the thread.
    """
    if not os.path.exists(CHROMIUM):
        if os.environ.get("JICENG_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (install Debian's chromium package)")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


DATA_MIGRATIONS = ("jiceng.members.migrations.0003_dues_rates_2008",
                   "jiceng.members.migrations.0004_pioneer",
                   "jiceng.demands.migrations.0002_default_categories",
                   "jiceng.risk.migrations.0002_defaults",
                   "jiceng.activities.migrations.0002_compliance_rules",
                   "jiceng.governance.migrations.0001_initial",
                   "jiceng.stations.migrations.0001_initial")


@pytest.fixture
def default_data(transactional_db):
    """Tests that commit (browser tests) run on flushed tables: reload the data the migrations ship."""
    import importlib

    from django.apps import apps

    for module in DATA_MIGRATIONS:
        importlib.import_module(module).load(apps, None)


@pytest.fixture
def page(browser, live_server, default_data):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    # Every context the test opened (second users included) is closed while the test's server state still holds:
    # a context left open keeps keep-alive connections whose live-server request threads would otherwise end
    # minutes later, in the middle of another test, closing a database connection that is not theirs.
    for other in list(browser.contexts):
        other.close()


def login(page, username: str, password: str = "pass-12345") -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def open_menu(page, group: str, item: str) -> None:
    """Navigate through the top menu: open the group's dropdown, click the entry."""
    page.locator(".navbar .dropdown-toggle", has_text=group).click()
    page.locator(".navbar .dropdown-menu.show a", has_text=item).first.click()
