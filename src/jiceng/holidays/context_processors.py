from .services import banner_year


def calendar_warning(request):
    """The calendar's managers see a banner while next year's schedule is still provisional (services.banner_year)."""
    year = banner_year(getattr(request, "user", None))
    return {"calendar_warning_year": year} if year else {}
