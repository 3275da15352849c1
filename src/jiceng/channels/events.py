"""From a notification to its deliveries: event kinds, each user's preferences, and the WeCom robots
(decision 072).

``accounts.notify.notify()`` stays the one entry point: after the in-app rows it calls ``queue_for_notification``,
which queues per recipient the e-mail and SMS their preferences ask for, and the robot posts:

- street-level events (``STREET_EVENTS``: an escalation, a risk rise, a booking to approve, an objection, a
  demand for a building head; and a new demand, from the signal below) go to the robots whose ``kinds`` include
  the event's kind, of the streets concerned (the recipients' streets, or the demand's) and the district-wide
  ones (no street); with no robot as data, to the default robot JICENG_WECOM_WEBHOOK;
- any other event goes to a robot only for recipients who switched WeCom on for its kind: their street's robot,
  @-mentioning them by mobile number (WeCom's ``mentioned_mobile_list``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from jiceng.accounts.models import Role

from .delivery import queue_deliveries
from .models import Channel, Delivery, EventKind, Preference, Robot, UserContact

# Every notification key (accounts/notifications.KINDS) by the prefix that names its app.
PREFIX_KINDS = {
    "demand": EventKind.DEMANDS, "risk": EventKind.RISK, "activity": EventKind.ACTIVITIES,
    "venues": EventKind.VENUES, "matching": EventKind.LISTS, "governance": EventKind.GOVERNANCE,
    "holidays": EventKind.GOVERNANCE, "account": EventKind.ACCOUNT,
    "department": EventKind.DEMANDS,  # work handed to a department: demands and five-colour follow-ups
}
STREET_EVENTS = frozenset({"demand.new", "demand.escalated", "demand.routed_to_head", "risk.level_rose",
                           "risk.digest", "venues.booking_requested", "governance.objection_raised",
                           # a department late to sign or returning work: the street's group sees it the same day
                           "department.sign_overdue", "department.returned", "department.follow_up_sign_overdue",
                           "department.follow_up_returned"})
# A missing preference row: e-mail on (as before channels existed); SMS for what a resident waits for (their
# demand, their activity); WeCom mentions for a staffer's demands and risk warnings.
DEFAULTS: dict[str, dict[str, bool]] = {
    kind: {"email": True, "sms": kind in (EventKind.DEMANDS, EventKind.ACTIVITIES),
           "wecom": kind in (EventKind.DEMANDS, EventKind.RISK)}
    for kind in EventKind.values
}
DEFAULT_ROBOT_KINDS = [EventKind.DEMANDS, EventKind.RISK]


def kind_of(key: str) -> str:
    return PREFIX_KINDS.get(key.split(".", 1)[0], EventKind.GOVERNANCE)


def preferences_of(users: Iterable) -> dict[int, dict[str, dict[str, bool]]]:
    """user id → kind → {"email", "sms", "wecom"} (defaults filled in), one query."""
    users = list(users)
    out = {u.pk: {kind: dict(values) for kind, values in DEFAULTS.items()} for u in users}
    for row in Preference.objects.filter(user__in=[u.pk for u in users]):
        if row.kind in out[row.user_id]:
            out[row.user_id][row.kind] = {"email": row.email, "sms": row.sms, "wecom": row.wecom}
    return out


def save_preferences(user, choices: dict[str, dict[str, bool]]) -> None:
    for kind, values in choices.items():
        if kind not in EventKind.values or kind == EventKind.ACCOUNT:
            continue  # one-time codes always go by SMS
        Preference.objects.update_or_create(user=user, kind=kind, defaults={
            name: bool(values.get(name, DEFAULTS[kind][name])) for name in ("email", "sms", "wecom")})


def places_of(user_ids: Iterable[int]) -> dict[int, tuple[int | None, int | None]]:
    """user id → (district id, street id) of their first place role (street staff: the street; building roles:
    the building's street; district admins: the district only)."""
    from jiceng.accounts.models import RoleAssignment

    out: dict[int, tuple[int | None, int | None]] = {}
    rows = (RoleAssignment.objects.filter(user__in=list(user_ids), place__isnull=False)
            .exclude(role__in=[Role.ORG_SECRETARY, Role.UNIT_CONTACT, Role.MEMBER])
            .values_list("user_id", "role", "place_id", "place__district_id", "place__street_id").order_by("pk"))
    for user_id, role, place_id, district_id, street_id in rows:
        if user_id in out:
            continue
        if role == Role.DISTRICT_ADMIN:
            out[user_id] = (place_id, None)
        elif role == Role.STREET_STAFF:
            out[user_id] = (district_id, place_id)
        else:
            out[user_id] = (district_id, street_id)
    return out


def link(url: str) -> str:
    return f"{settings.JICENG_SITE_URL}{url}" if url and settings.JICENG_SITE_URL else url


def robot_payload(robot: Robot | None, text: str, url: str, mobiles: list[str]) -> dict[str, Any]:
    full = link(url)
    if robot is not None and robot.markdown:
        content = f"**{text}**" + (f"\n[{_('查看')}]({full})" if full.startswith("http") else "")
        if mobiles:
            content += "\n" + " ".join(f"<@{m}>" for m in mobiles)
        return {"msgtype": "markdown", "markdown": {"content": content}}
    body: dict[str, Any] = {"content": text + (f"\n{full}" if full else "")}
    if mobiles:
        body["mentioned_mobile_list"] = mobiles
    return {"msgtype": "text", "text": body}


def robots_for(kind: str, districts: set[int], streets: set[int]) -> list[Robot]:
    robots = [r for r in Robot.objects.filter(active=True) if kind in (r.kinds or [])
              and ((r.place_id and r.place_id in streets) or (not r.place_id and r.district_id in districts))]
    return robots


def robot_deliveries(key: str, text: str, url: str, districts: set[int], streets: set[int],
                     mobiles_by_street: dict[int | None, list[str]] | None = None,
                     street_event: bool = True) -> list[Delivery]:
    kind = kind_of(key)
    mobiles_by_street = mobiles_by_street or {}
    out = []
    robots = robots_for(kind, districts, streets) if street_event else [
        r for r in Robot.objects.filter(active=True, place__in=[s for s in mobiles_by_street if s])]
    for robot in robots:
        mobiles = mobiles_by_street.get(robot.place_id, []) if robot.place_id else \
            sorted({m for ms in mobiles_by_street.values() for m in ms})
        out.append(Delivery(channel=Channel.WECOM, robot=robot, recipient=robot.webhook_url, event=key,
                            summary=text[:200], payload=robot_payload(robot, text, url, mobiles),
                            district_id=robot.district_id, street_id=robot.place_id))
    if not robots and street_event and settings.JICENG_WECOM_WEBHOOK and (streets or districts):
        out.append(Delivery(channel=Channel.WECOM, recipient=settings.JICENG_WECOM_WEBHOOK, event=key,
                            summary=text[:200], payload=robot_payload(None, text, url, []),
                            district_id=next(iter(districts), None), street_id=next(iter(streets), None)))
    return out


def queue_for_notification(users: list, key: str, message: str, url: str) -> list[Delivery]:
    """The deliveries of one notification (in-app rows are already made): per recipient's preferences."""
    if not users:
        return []
    kind = kind_of(key)
    prefs = preferences_of(users)
    contacts = dict(UserContact.objects.filter(user__in=[u.pk for u in users], mobile__isnull=False)
                    .values_list("user_id", "mobile"))
    places = places_of(u.pk for u in users)
    rows: list[Delivery] = []
    mentions: dict[int | None, list[str]] = defaultdict(list)
    for user in users:
        chosen = prefs[user.pk][kind]
        district_id, street_id = places.get(user.pk, (None, None))
        located = {"district_id": district_id, "street_id": street_id}
        if chosen["email"] and user.email:
            # Users choose their language per browser (a cookie), not in their account: e-mail speaks the
            # platform's default language.
            rows.append(Delivery(channel=Channel.EMAIL, user=user, recipient=user.email, event=key,
                                 summary=message[:200], payload={"subject": f"[Jiceng] {message[:60]}",
                                                                 "body": f"{message}\n{link(url)}"}, **located))
        mobile = contacts.get(user.pk)
        if chosen["sms"] and mobile:
            rows.append(Delivery(channel=Channel.SMS, user=user, recipient=mobile, event=key, summary=message[:200],
                                 payload={"purpose": "notice", "params": {"text": message[:120]},
                                          "text": message[:120]}, **located))
        if chosen["wecom"] and mobile and street_id:
            mentions[street_id].append(mobile)
    districts = {d for d, _s in places.values() if d}
    streets = {s for _d, s in places.values() if s}
    if key in STREET_EVENTS:
        rows += robot_deliveries(key, message, url, districts, streets, mentions)
    elif mentions:
        rows += robot_deliveries(key, message, url, districts, set(mentions), mentions, street_event=False)
    return queue_deliveries(rows)


def demand_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new demand (a form, the API, Open311) tells its street's robot. Bulk loads (seeds) send no signal."""
    if not created or raw or not instance.street_id:
        return
    place = instance.place.name if instance.place_id else ""
    text = _("【新需求】%(place)s:%(title)s") % {"place": place, "title": str(instance)}
    rows = robot_deliveries("demand.new", text, instance.get_absolute_url(), {instance.district_id},
                            {instance.street_id})
    queue_deliveries(rows)
