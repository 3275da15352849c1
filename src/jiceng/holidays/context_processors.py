from django.core.cache import cache
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.core.scoping import scope_for

from .services import next_year_warning, warning_cache_key


def calendar_warning(request):
    """From 1 October, the calendar's managers see a banner while next year's schedule is still provisional.
    The answer is cached for a minute (one query fewer on every page); saving a year clears it."""
    user = getattr(request, "user", None)
    # Superusers and district admins (the permission check of can_manage would cost every page two queries).
    if user is None or not user.is_authenticated or not (
            user.is_superuser or Role.DISTRICT_ADMIN in scope_for(user).roles):
        return {}
    today = timezone.localdate()
    year = cache.get_or_set(warning_cache_key(today), lambda: next_year_warning(today) or 0, 60)
    return {"calendar_warning_year": year} if year else {}
