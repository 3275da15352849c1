import datetime as dt
from decimal import Decimal

import pytest

from jiceng.accounts.models import Role
from jiceng.governance import services
from jiceng.governance.models import Seat
from tests import factories as f

DAY = dt.date(2026, 3, 16)  # a Monday with no holiday within the next weeks


@pytest.fixture
def gov(tree):
    """A council at building 1 (street 1) with four members, one at building 2 (street 2); staff, a worker, users."""
    b1, b2 = tree["building1"], tree["building2"]
    b1.lat, b1.lng = Decimal("31.301200"), Decimal("121.514100")
    b1.save()
    council = services.create_council(place=b1, name="创智天地1号楼楼事会")
    council2 = services.create_council(place=b2, name="殷行2号楼楼事会")
    seat = {s.code: s for s in Seat.objects.all()}
    candidate_user = f.user("wang_louzhang")
    other_user = f.user("li_rep")
    start = DAY - dt.timedelta(days=400)
    members = {
        "secretary": services.add_member(council, seat=seat["party_secretary"], name="赵书记", term_start=start),
        "property": services.add_member(council, seat=seat["property_manager"], name="钱经理", term_start=start,
                                        user=other_user),
        "candidate": services.add_member(council, seat=seat["enterprise_rep"], name="王楼长",
                                         title="攀达科技党支部书记", term_start=start, user=candidate_user),
        "white_collar": services.add_member(council, seat=seat["white_collar_rep"], name="孙白领", term_start=start),
    }
    outsider = services.add_member(council2, seat=seat["enterprise_rep"], name="周代表", term_start=start,
                                   user=f.user("zhou_rep"))
    return {
        "tree": tree, "council": council, "council2": council2, "members": members, "outsider": outsider,
        "candidate_user": candidate_user,
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "worker": f.user("worker1", Role.BUILDING_WORKER, tree["park1"]),
        "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
    }


def run_to_head(selection, by, start: dt.date) -> dt.date:
    """Advance through the three notices, each the day after its period ends; returns the appointment day."""
    day = start
    for _stage in range(3):
        notice = services.current_notice(selection)
        day = notice.ends_on + dt.timedelta(days=1)
        services.advance(selection, by=by, today=day)
        selection.refresh_from_db()
    return day
