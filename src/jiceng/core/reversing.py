"""Links to an object's page without running the URL resolver for every row of a list.

`reverse()` walks the resolver's patterns on each call; a list page links each of its 50 rows (and a workbench
its sections' rows), so pages spent more time reversing than in most of their queries. The link of a pattern
with a single primary key differs only in that key: it is reversed once (per script prefix and URL
configuration, so a site served under a sub-path keeps its prefix) and the key put in its place.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

_MARK = "8642097531"  # a key no row has, to find where the key goes in the reversed link


@lru_cache(maxsize=1024)
def _around_key(viewname: str, prefix: str, urlconf: str | None) -> tuple[str, str]:
    link = reverse(viewname, args=[int(_MARK)], urlconf=urlconf)
    head, found, tail = link.rpartition(_MARK)
    if not found:  # the pattern does not show the key as it is: nothing to reuse
        raise ValueError(f"{viewname} does not hold its key verbatim")
    return head, tail


def pk_url(viewname: str, pk: int) -> str:
    """`reverse(viewname, args=[pk])` for a pattern whose one argument is an integer key."""
    head, tail = _around_key(viewname, get_script_prefix(), get_urlconf())
    return f"{head}{int(pk)}{tail}"


@lru_cache(maxsize=1024)
def _plain(viewname: str, prefix: str, urlconf: str | None) -> str:
    return reverse(viewname, urlconf=urlconf)


def plain_url(viewname: str) -> str:
    """`reverse(viewname)` for a pattern with no arguments (the menu's thirty entries on every page)."""
    return _plain(viewname, get_script_prefix(), get_urlconf())
