from .services import can_manage, next_year_warning


def calendar_warning(request):
    """From 1 October, the calendar's managers see a banner while next year's schedule is still provisional."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not can_manage(user):
        return {}
    year = next_year_warning()
    return {"calendar_warning_year": year} if year else {}
