"""Use cases of the activities app: creating activities (with a room booking), sign-up with capacity and a
waiting list, reminders, QR check-in, attendance lists, ratings, and who may manage what.

Every write that spans rows runs in one transaction; rule violations raise ValidationError naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import Role, RoleAssignment
from jiceng.accounts.notify import notify
from jiceng.accounts.permissions import can_write
from jiceng.core.sanitize import strip_control_chars
from jiceng.core.scoping import scope_for
from jiceng.core.validators import normalize_cn_mobile, validate_cn_mobile
from jiceng.members.models import Member

from . import conf
from .models import (
    ACTIVE_SIGNUP_STATUSES,
    ORGANIZATIONAL_LIFE_KINDS,
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceMethod,
    Club,
    ClubMembership,
    ClubRole,
    ComplianceRule,
    MeetingAbsence,
    MeetingPhoto,
    MeetingRecord,
    Rating,
    SignUp,
    SignUpStatus,
)

CHECKIN_SALT = "jiceng.activities.checkin"


# --- people ------------------------------------------------------------------------------------------------------
def member_for(user) -> Member | None:
    """The party member a signed-in user acts as (their `member` role), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    ids = scope_for(user).member_ids
    return Member.objects.filter(pk__in=ids).order_by("pk").first() if ids else None


def has_staff_view(user) -> bool:
    """Whether /activities/ shows the user the staff list (any role, or a superuser) rather than the public one."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(scope_for(user).roles)


def users_of_members(member_ids) -> dict[int, list]:
    """member id → the active user accounts acting as that member."""
    users = defaultdict(list)
    for ra in RoleAssignment.objects.filter(role=Role.MEMBER, member_id__in=list(member_ids),
                                            user__is_active=True).select_related("user"):
        users[ra.member_id].append(ra.user)
    return dict(users)


def _signup_recipients(signups) -> list:
    signups = list(signups)
    by_member = users_of_members({s.member_id for s in signups if s.member_id})
    recipients = []
    for signup in signups:
        recipients.extend(by_member.get(signup.member_id, []))
        if signup.user_id:
            recipients.append(signup.user)
    return recipients


# --- who may manage ----------------------------------------------------------------------------------------------
def can_manage(user, obj) -> bool:
    """Organizers: an organizer role, and the object's organizer within the user's place/organization scope."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not can_write(user, type(obj)):
        return False
    return type(obj).objects.filter(type(obj).manage_q(scope_for(user)), pk=obj.pk).exists()


def managed(user, model) -> QuerySet:
    """The rows of `model` (Activity, Series, Club) the user may manage."""
    if not getattr(user, "is_authenticated", False) or not can_write(user, model):
        return model.objects.none()
    if user.is_superuser:
        return model.objects.all()
    return model.objects.filter(model.manage_q(scope_for(user)))


def check_organizer_in_scope(user, obj) -> None:
    """A new or edited activity/series must be organized by someone the user manages."""
    if user is None or user.is_superuser:
        return
    scope = scope_for(user)
    errors = {}
    if obj.organization_id:
        from jiceng.organizations.models import Organization

        if not Organization.objects.filter(scope.organization_q(), pk=obj.organization_id).exists():
            errors["organization"] = _("您不能以该党组织的名义组织活动。")
    elif obj.club_id and not managed(user, Club).filter(pk=obj.club_id).exists():
        errors["club"] = _("您不能以该社团的名义组织活动。")
    elif obj.station_id:
        from jiceng.places.models import Place

        if not Place.objects.filter(scope.place_q("district", "street", "path"), pk=obj.station_id).exists():
            errors["station"] = _("该党群服务站不在您的管辖范围内。")
    elif obj.conference_id:
        from jiceng.matching.models import JointConference

        if not JointConference.objects.restrict(user).filter(pk=obj.conference_id).exists():
            errors["conference"] = _("该联席会议不在您的管辖范围内。")
    if errors:
        raise ValidationError(errors)


# --- activities --------------------------------------------------------------------------------------------------
def book_room(activity: Activity, room, user) -> None:
    """Book `room` for the activity (approved at once); a booking error names the `room` field."""
    with transaction.atomic():
        try:
            _book_room(activity, room, user)
        except ValidationError as exc:
            raise ValidationError({"room": exc.messages}) from exc


def _book_room(activity: Activity, room, user) -> None:
    from jiceng.venues.services import request_booking

    organization = activity.organization or (activity.club.organization if activity.club_id else None)
    booking = request_booking(room=room, start=activity.start, end=activity.end, requested_by=user,
                              purpose=activity.title, attendees=activity.capacity or 0, organization=organization,
                              auto_approve=True)
    activity.booking = booking
    activity.place_id = activity.place_id or room.place_id
    activity.save(update_fields=["booking", "place"])


def create_activity(*, user=None, room=None, **fields) -> Activity:
    """Create an activity (validated like a form would), booking `room` for it in the same transaction."""
    with transaction.atomic():
        activity = Activity(created_by=user if getattr(user, "pk", None) else None, **fields)
        activity.full_clean()
        check_organizer_in_scope(user, activity)
        activity.save()
        if room is not None:
            try:
                _book_room(activity, room, user)
            except ValidationError as exc:
                raise ValidationError({"room": exc.messages}) from exc
    return activity


def update_activity(activity: Activity, *, user=None, **fields) -> Activity:
    with transaction.atomic():
        capacity_before = activity.capacity
        for name, value in fields.items():
            setattr(activity, name, value)
        activity.full_clean()
        check_organizer_in_scope(user, activity)
        activity.save()
        if activity.capacity is None or (capacity_before is not None and activity.capacity > capacity_before):
            _fill_from_waitlist(activity)
    return activity


def set_status(activity: Activity, status: str, *, user=None) -> Activity:
    """Mark an activity held or cancelled; cancelling tells everyone signed up."""
    if status not in ActivityStatus.values:
        raise ValidationError({"status": _("无效的活动状态。")})
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if status == ActivityStatus.HELD and activity.start > timezone.now():
            raise ValidationError({"status": _("活动尚未开始,不能标记为已举行。")})
        activity.status = status
        activity.save(update_fields=["status"])
        if status == ActivityStatus.CANCELLED:
            _release_booking(activity, user)
            signups = activity.signups.filter(status__in=ACTIVE_SIGNUP_STATUSES).select_related("user")
            notify(_signup_recipients(signups), "activity.cancelled",
                   {"title": activity.title, "when": _when(activity)}, activity.get_absolute_url())
    return activity


def _release_booking(activity: Activity, user) -> None:
    """A cancelled activity gives its room back when the user may cancel the booking; otherwise it stays for the
    room's managers to handle in the venues app."""
    if not activity.booking_id or user is None:
        return
    from jiceng.venues.services import can_cancel, cancel_booking

    booking = activity.booking
    if booking.status in ("requested", "approved") and booking.end > timezone.now() and can_cancel(user, booking):
        try:
            with transaction.atomic():
                cancel_booking(booking, by=user, reason=_("活动已取消:%(title)s") % {"title": activity.title})
        except ValidationError:
            pass  # e.g. a manager's reason rule: the booking stays visible in the venues app


def _when(activity: Activity) -> str:
    return f"{timezone.localtime(activity.start):%Y-%m-%d %H:%M}"


# --- sign-up -----------------------------------------------------------------------------------------------------
def _check_open(activity: Activity, now: dt.datetime) -> None:
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError({"activity": _("活动已取消,不能报名。")})
    if activity.status == ActivityStatus.HELD or now >= activity.start:
        raise ValidationError({"activity": _("活动已开始,报名已截止。")})


def sign_up(activity: Activity, *, member: Member | None = None, name: str = "", phone: str = "", user=None,
            now: dt.datetime | None = None) -> SignUp:
    """Sign a member (or, for public activities, anyone with a name and mobile number) up.

    Beyond the capacity the sign-up joins the waiting list; its `position` says where.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the activity so two sign-ups for the last place cannot both be confirmed.
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        _check_open(activity, now)
        active = activity.signups.filter(status__in=ACTIVE_SIGNUP_STATUSES)
        if member is not None:
            if active.filter(member=member).exists():
                raise ValidationError({"member": _("您已报名该活动,不能重复报名。")})
            signup = SignUp(activity=activity, member=member, user=user if getattr(user, "pk", None) else None)
        else:
            if not activity.public:
                raise ValidationError({"activity": _("该活动不公开报名,请登录后报名。")})
            errors = {}
            name = strip_control_chars(name or "")  # no login: invisible control characters (core/sanitize.py)
            if not name.strip():
                errors["name"] = [_("请填写姓名。")]
            try:
                validate_cn_mobile(phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages
            if errors:
                raise ValidationError(errors)
            phone = normalize_cn_mobile(phone)
            if active.filter(member__isnull=True, phone=phone).exists():
                raise ValidationError({"phone": _("该手机号已报名该活动,不能重复报名。")})
            signup = SignUp(activity=activity, name=name.strip()[:50], phone=phone,
                            user=user if getattr(user, "pk", None) else None)
        confirmed = active.filter(status=SignUpStatus.CONFIRMED).count()
        if activity.capacity is not None and confirmed >= activity.capacity:
            last = active.filter(status=SignUpStatus.WAITLISTED).aggregate(n=Max("position"))["n"] or 0
            signup.status, signup.position = SignUpStatus.WAITLISTED, last + 1
        signup.created = now
        signup.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                signup.save()
        except IntegrityError as exc:  # a concurrent duplicate that slipped past the check above
            raise ValidationError({"member" if member else "phone": _("已报名该活动,不能重复报名。")}) from exc
    return signup


def signup_message(signup: SignUp) -> str:
    if signup.status == SignUpStatus.WAITLISTED:
        return _("活动已满员,您已进入候补名单第 %(n)d 位;有人取消时将自动递补并通知您。") % {"n": signup.position}
    return _("报名成功。")


def cancel_signup(signup: SignUp, *, now: dt.datetime | None = None) -> SignUp | None:
    """Cancel a sign-up; a freed place goes to the first person waiting, who is notified. Returns them."""
    now = now or timezone.now()
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
        signup = SignUp.objects.select_for_update().get(pk=signup.pk)
        if signup.status == SignUpStatus.CANCELLED:
            raise ValidationError({"status": _("该报名已取消。")})
        if now >= activity.start:
            raise ValidationError({"activity": _("活动已开始,不能取消报名。")})
        signup.status, signup.position, signup.cancelled_at = SignUpStatus.CANCELLED, None, now
        signup.save(update_fields=["status", "position", "cancelled_at"])
        promoted = _fill_from_waitlist(activity)
    return promoted[0] if promoted else None


def _fill_from_waitlist(activity: Activity) -> list[SignUp]:
    """Confirm people from the waiting list while places are free (inside the caller's transaction)."""
    active = activity.signups.filter(status__in=ACTIVE_SIGNUP_STATUSES)
    confirmed = active.filter(status=SignUpStatus.CONFIRMED).count()
    free = None if activity.capacity is None else activity.capacity - confirmed
    waiting = active.filter(status=SignUpStatus.WAITLISTED).order_by("position", "created", "pk")
    promoted = list(waiting.select_related("user") if free is None else waiting.select_related("user")[:max(free, 0)])
    for signup in promoted:
        signup.status, signup.position = SignUpStatus.CONFIRMED, None
        signup.save(update_fields=["status", "position"])
        notify(_signup_recipients([signup]), "activity.promoted", {"title": activity.title, "when": _when(activity)},
               activity.get_absolute_url())
    return promoted


def send_reminders(now: dt.datetime | None = None) -> int:
    """Notify everyone confirmed for tomorrow's activities, once per sign-up. Returns how many were reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time()))
    signups = (SignUp.objects.filter(activity__start__gte=start, activity__start__lt=start + dt.timedelta(days=1),
                                     activity__status=ActivityStatus.PLANNED, status=SignUpStatus.CONFIRMED,
                                     reminded_at__isnull=True)
               .select_related("activity", "user"))
    count = 0
    with transaction.atomic():
        for signup in signups.select_for_update(of=("self",)) if _supports_for_update_of() else signups:
            activity = signup.activity
            notify(_signup_recipients([signup]), "activity.reminder", {
                "time": f"{timezone.localtime(activity.start):%H:%M}", "title": activity.title,
                "where": activity.location or (activity.place.name if activity.place_id else "-")},
                activity.get_absolute_url())
            signup.reminded_at = now
            signup.save(update_fields=["reminded_at"])
            count += 1
    return count


def _supports_for_update_of() -> bool:
    from django.db import connection

    return connection.features.has_select_for_update_of


# --- check-in ----------------------------------------------------------------------------------------------------
def _signer(activity: Activity) -> signing.TimestampSigner:
    # The activity's secret is part of the key: a new secret invalidates every code shown before.
    return signing.TimestampSigner(salt=f"{CHECKIN_SALT}:{activity.checkin_secret}")


def checkin_window(activity: Activity) -> tuple[dt.datetime, dt.datetime]:
    return activity.start - dt.timedelta(minutes=conf.get("CHECKIN_OPENS_MINUTES")), activity.end


def checkin_code(activity: Activity) -> str:
    return _signer(activity).sign(str(activity.pk))


def checkin_path(activity: Activity, code: str | None = None) -> str:
    return f"{reverse('activities:check_in', args=[activity.pk])}?code={code or checkin_code(activity)}"


def checkin_code_is_authentic(activity: Activity, code: str) -> bool:
    """Was `code` issued for this activity by its door screen (expired or not)? Only then may the check-in
    page say anything about the activity to someone outside its scope: a guessed id must learn nothing
    (OWASP ASVS V4.2.1, insecure direct object references)."""
    code = (code or "").strip()
    if code.split(":", 1)[0] != str(activity.pk):
        return False
    try:
        _signer(activity).unsign(code)
    except signing.BadSignature:
        return False
    return True


def verify_checkin_code(activity: Activity, code: str, now: dt.datetime | None = None) -> None:
    """Raise ValidationError({"code": …}) unless `code` is a valid, current code of this activity."""
    now = now or timezone.now()
    code = (code or "").strip()
    claimed = code.split(":", 1)[0]
    if not claimed.isdigit():
        raise ValidationError({"code": _("签到码无效或已被篡改,请重新扫描现场二维码。")})
    source = activity if int(claimed) == activity.pk else Activity.objects.filter(pk=int(claimed)).first()
    if source is None:
        raise ValidationError({"code": _("签到码无效或已被篡改,请重新扫描现场二维码。")})
    try:
        _signer(source).unsign(code, max_age=dt.timedelta(minutes=conf.get("CHECKIN_CODE_MINUTES")))
    except signing.SignatureExpired as exc:
        raise ValidationError({"code": _("签到码已过期,请重新扫描现场屏幕上的二维码。")}) from exc
    except signing.BadSignature as exc:
        raise ValidationError({"code": _("签到码无效或已被篡改,请重新扫描现场二维码。")}) from exc
    if source.pk != activity.pk:
        raise ValidationError({"code": _("这是另一场活动(%(title)s)的签到码。") % {"title": source.title}})
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError({"code": _("活动已取消,不能签到。")})
    opens, closes = checkin_window(activity)
    if now < opens:
        raise ValidationError({"code": _("签到尚未开始,将于 %(time)s 开放。")
                               % {"time": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}"}})
    if now > closes:
        raise ValidationError({"code": _("活动已结束,签到码已过期。")})


def check_in(activity: Activity, *, code: str, member: Member | None, user=None,
             now: dt.datetime | None = None) -> Attendance:
    """A member checks in with the code behind the door screen's QR."""
    now = now or timezone.now()
    verify_checkin_code(activity, code, now)
    if member is None:
        raise ValidationError({"member": _("您的账号没有关联党员信息,无法扫码签到;请联系组织者在名单中登记。")})
    with transaction.atomic():
        if Attendance.objects.filter(activity=activity, member=member).exists():
            raise ValidationError({"member": _("您已签到,无需重复签到。")})
        attendance = Attendance(activity=activity, member=member, checked_in_at=now, method=AttendanceMethod.QR,
                                recorded_by=user if getattr(user, "pk", None) else None)
        try:
            with transaction.atomic():
                attendance.save()
        except IntegrityError as exc:
            raise ValidationError({"member": _("您已签到,无需重复签到。")}) from exc
    return attendance


# --- attendance lists --------------------------------------------------------------------------------------------
def attendance_candidates(activity: Activity) -> QuerySet[Member]:
    """Whom the organizer can tick: members signed up, and the organizing organization's or club's members."""
    q = Q(pk__in=activity.signups.filter(status__in=ACTIVE_SIGNUP_STATUSES, member__isnull=False).values("member"))
    if activity.organization_id:
        q |= Q(organization__path__startswith=activity.organization.path, left_on__isnull=True)
    if activity.club_id:
        q |= Q(pk__in=ClubMembership.objects.filter(club_id=activity.club_id).values("member"))
    q |= Q(pk__in=activity.attendances.filter(member__isnull=False).values("member"))
    return Member.objects.filter(q).order_by("name", "pk")


def record_attendance(activity: Activity, *, member_ids, signup_ids=(), user=None,
                      method: str = AttendanceMethod.LIST, now: dt.datetime | None = None) -> dict[str, int]:
    """Set the ticked attendees: add the ticked ones, remove list entries no longer ticked (QR check-ins stay)."""
    now = now or timezone.now()
    if now < checkin_window(activity)[0]:
        raise ValidationError({"member_ids": _("活动尚未开始,不能登记出席。")})
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError({"member_ids": _("活动已取消,不能登记出席。")})
    member_ids = {int(pk) for pk in member_ids}
    signup_ids = {int(pk) for pk in signup_ids}
    with transaction.atomic():
        allowed = set(attendance_candidates(activity).filter(pk__in=member_ids).values_list("pk", flat=True))
        unknown = member_ids - allowed
        if unknown:
            raise ValidationError({"member_ids": _("以下党员不在本活动的可登记名单中:%(ids)s")
                                   % {"ids": ", ".join(str(pk) for pk in sorted(unknown))}})
        public = {s.pk: s for s in activity.signups.filter(pk__in=signup_ids, member__isnull=True,
                                                           status__in=ACTIVE_SIGNUP_STATUSES)}
        if set(public) != signup_ids:
            raise ValidationError({"signup_ids": _("所选报名记录不属于本活动。")})
        present = set(activity.attendances.filter(member__isnull=False).values_list("member_id", flat=True))
        removed = activity.attendances.filter(method=method, member__isnull=False) \
            .exclude(member_id__in=member_ids).delete()[0]
        hours = activity.duration_hours
        added = [Attendance(activity=activity, member_id=pk, checked_in_at=now, method=method, hours=hours,
                            recorded_by=user) for pk in sorted(member_ids - present)]
        phones = set(activity.attendances.filter(member__isnull=True).values_list("phone", flat=True))
        added += [Attendance(activity=activity, name=s.name, phone=s.phone, checked_in_at=now, method=method,
                             hours=hours, recorded_by=user) for s in public.values() if s.phone not in phones]
        Attendance.objects.bulk_create(added)
    return {"added": len(added), "removed": removed}


# --- ratings -----------------------------------------------------------------------------------------------------
def rate(activity: Activity, *, member: Member | None, score, comment: str = "",
         now: dt.datetime | None = None) -> Rating:
    """An attendee rates the speaker of a talk: once, 1–5, with an optional comment."""
    if not activity.has_speaker:
        raise ValidationError({"activity": _("该活动没有主讲人,无需评价。")})
    if member is None:
        raise ValidationError({"member": _("您的账号没有关联党员信息,不能评价。")})
    if not Attendance.objects.filter(activity=activity, member=member).exists():
        raise ValidationError({"member": _("只有签到出席的党员才能评价。")})
    with transaction.atomic():
        if Rating.objects.filter(activity=activity, member=member).exists():
            raise ValidationError({"member": _("您已评价过该活动,每人只能评价一次。")})
        rating = Rating(activity=activity, member=member, score=score, comment=(comment or "").strip(),
                        created=now or timezone.now())
        rating.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError as exc:
            raise ValidationError({"member": _("您已评价过该活动,每人只能评价一次。")}) from exc
    return rating


def rating_summary(ratings: QuerySet[Rating]) -> dict:
    row = ratings.aggregate(average=Avg("score"), count=Count("pk"))
    average = row["average"]
    return {"average": Decimal(str(average)).quantize(Decimal("0.01")) if average is not None else None,
            "count": row["count"]}


def speaker_stats(member: Member) -> dict:
    """A lecturer's average rating and number of ratings over all their talks."""
    return {**rating_summary(Rating.objects.filter(activity__speaker=member)),
            "talks": Activity.objects.filter(speaker=member).exclude(status=ActivityStatus.CANCELLED).count()}


# --- clubs -------------------------------------------------------------------------------------------------------
def join_club(club: Club, member: Member, *, role: str = ClubRole.MEMBER) -> ClubMembership:
    if ClubMembership.objects.filter(club=club, member=member).exists():
        raise ValidationError({"member": _("该党员已是本社团成员。")})
    membership = ClubMembership(club=club, member=member, role=role)
    membership.full_clean(validate_constraints=False)
    membership.save()
    return membership


def leave_club(club: Club, member: Member) -> None:
    if not ClubMembership.objects.filter(club=club, member=member).delete()[0]:
        raise ValidationError({"member": _("该党员不是本社团成员。")})


# --- six-month rule ----------------------------------------------------------------------------------------------
def organizational_life_attendance() -> QuerySet[Attendance]:
    """Attendance that counts as taking part in organizational life for the six-month rule (党章第九条): at an
    activity of a kind the 三会一课 rules count (the active ComplianceRule kinds, among the organizational-life
    kinds), not cancelled. A lecture, a film or a club's match is welcome but is not 党的组织生活."""
    kinds = ComplianceRule.objects.filter(active=True, kind__in=ORGANIZATIONAL_LIFE_KINDS).values("kind")
    return Attendance.objects.filter(activity__kind__in=kinds).exclude(activity__status=ActivityStatus.CANCELLED)


def latest_attendance(member_ids: list[int]) -> dict[int, dt.date]:
    """Six-month rule source: each member's latest attendance date at organizational life."""
    rows = (organizational_life_attendance().filter(member_id__in=member_ids).values("member_id")
            .annotate(last=Max(TruncDate("checked_in_at"))).order_by())
    return {row["member_id"]: row["last"] for row in rows}


def attendance_since(start: dt.date) -> QuerySet[Attendance]:
    """Six-month rule source: organizational-life attendance from the start of `start` (local time) on."""
    midnight = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_current_timezone())
    return organizational_life_attendance().filter(checked_in_at__gte=midnight)


# --- meeting records ---------------------------------------------------------------------------------------------
def absence_candidates(activity: Activity) -> QuerySet[Member]:
    """Members a meeting record may list as absent: the expected ones (the committee for a 支委会, the organizing
    organization's members otherwise) who have no attendance."""
    from .models import meeting_members

    pool = meeting_members(activity)
    if activity.kind == "committee_meeting" and activity.organization_id:
        from jiceng.organizations.models import CommitteeMember

        pool = pool.filter(pk__in=CommitteeMember.objects.filter(organization=activity.organization_id)
                           .values("member"))
    return pool.exclude(pk__in=activity.attendances.filter(member__isnull=False).values("member")).order_by(
        "name", "pk")


def save_meeting_record(activity: Activity, *, user=None, absences: dict[int, str] | None = None,
                        photos=(), **fields) -> MeetingRecord:
    """Create or update the activity's meeting record, its absences (member id → reason; the list replaces the
    previous one when given) and add `photos` — all or nothing. Errors name the field (`photo` for an image)."""
    from .models import photo_format, validate_meeting_photo

    with transaction.atomic():
        record = MeetingRecord.objects.filter(activity=activity).first() or MeetingRecord(activity=activity)
        for name, value in fields.items():
            setattr(record, name, value)
        if getattr(user, "pk", None):
            record.recorded_by = user
        record.full_clean(exclude=["activity"])  # clean() checks the activity itself
        errors: dict[str, list[str]] = {}
        if absences is not None:
            absences = {int(pk): strip_control_chars(reason or "").strip() for pk, reason in absences.items()}
            allowed = set(absence_candidates(activity).filter(pk__in=list(absences)).values_list("pk", flat=True))
            unknown = sorted(set(absences) - allowed)
            if unknown:
                errors["absences"] = [_("以下党员不是本次会议应到而未到的党员:%(ids)s")
                                      % {"ids": ", ".join(str(pk) for pk in unknown)}]
            elif any(not reason for reason in absences.values()):
                errors["absences"] = [_("请填写每位缺席党员的缺席原因。")]
            elif any(len(reason) > 200 for reason in absences.values()):
                errors["absences"] = [_("缺席原因不能超过 200 字。")]
        checked = []
        for upload in photos:
            try:
                validate_meeting_photo(upload)
            except ValidationError as exc:
                errors.setdefault("photo", []).extend(exc.messages)
                continue
            upload.seek(0)
            checked.append((upload, photo_format(upload.read(16))))
            upload.seek(0)
        if errors:
            raise ValidationError(errors)
        record.save()
        if absences is not None:
            record.absences.all().delete()
            MeetingAbsence.objects.bulk_create([MeetingAbsence(record=record, member_id=pk, reason=reason)
                                                for pk, reason in sorted(absences.items())])
        for upload, fmt in checked:
            photo = MeetingPhoto(record=record, format=fmt, name=(getattr(upload, "name", "") or "")[:200],
                                 size=upload.size)
            photo.file.save(photo.name or "photo", upload, save=False)
            photo.save()
    return record


def add_attendance(activity: Activity, *, member: Member, user=None, hours=None,
                   now: dt.datetime | None = None) -> Attendance:
    """The organizer records one attendee (API and import); the member must be on the activity's list."""
    now = now or timezone.now()
    if now < checkin_window(activity)[0]:
        raise ValidationError({"activity": _("活动尚未开始,不能登记出席。")})
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError({"activity": _("活动已取消,不能登记出席。")})
    if not attendance_candidates(activity).filter(pk=member.pk).exists():
        raise ValidationError({"member": _("该党员不在本活动的可登记名单中。")})
    with transaction.atomic():
        if Attendance.objects.filter(activity=activity, member=member).exists():
            raise ValidationError({"member": _("该党员已签到,不能重复登记。")})
        attendance = Attendance(activity=activity, member=member, checked_in_at=now, method=AttendanceMethod.LIST,
                                hours=hours, recorded_by=user if getattr(user, "pk", None) else None)
        attendance.full_clean(validate_constraints=False)
        attendance.save()
    return attendance


def visible_speaker(user, pk: int) -> Member | None:
    """A member whose lecturer page the user may see: in scope, or the speaker of an activity the user sees."""
    member = Member.objects.restrict(user).filter(pk=pk).first()
    if member is None and Activity.objects.restrict(user).filter(speaker_id=pk).exists():
        member = Member.objects.filter(pk=pk).first()
    return member
