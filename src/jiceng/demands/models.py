"""Building visits (跑楼), demands (需求) and their workflow, service catalogs and orders (点单),
categories as data."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.i18n import localized
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager, as_union, scope_for
from jiceng.core.validators import mask_phone, validate_cn_mobile
from jiceng.departments.models import DepartmentWork, department_work_q
from jiceng.places.models import Located, Place


class Category(models.Model):
    """Demand categories as data (domain.md defaults, editable by admins)."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    deadline_days = models.PositiveSmallIntegerField(_("办理时限(工作日)"), default=5,
                                                     validators=[MinValueValidator(1), MaxValueValidator(60)])
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("需求类别")
        verbose_name_plural = _("需求类别")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (decision 049)."""
        return localized(self.name, self.name_en)


OWN_DEMANDS_LISTED = 2000  # beyond this many own demands outside the place scope, the plain OR condition


class DemandStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    ASSIGNED = "assigned", _("已派单")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已关闭")
    REJECTED = "rejected", _("已驳回")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (DemandStatus.SUBMITTED, DemandStatus.ACCEPTED, DemandStatus.ASSIGNED)
DONE_STATUSES = (DemandStatus.RESOLVED, DemandStatus.CLOSED, DemandStatus.REJECTED, DemandStatus.MERGED)
# A deadline runs from acceptance (workflow.accept) until the demand is resolved: only these states can be overdue.
DEADLINE_STATUSES = (DemandStatus.ACCEPTED, DemandStatus.ASSIGNED)


def overdue_q(today: dt.date) -> models.Q:
    """Demands past their deadline on `today` (the list's 已超期 filter, the escalation job, the workbench)."""
    return models.Q(status__in=DEADLINE_STATUSES, due_date__lt=today)


def due_on_q(day: dt.date) -> models.Q:
    """Demands whose deadline is `day` and which are still being handled."""
    return models.Q(status__in=DEADLINE_STATUSES, due_date=day)


class DemandSource(models.TextChoices):
    VISIT = "visit", _("走访")
    WALK_IN = "walk_in", _("来访")
    WEB = "web", _("网上")
    PHONE = "phone", _("电话")
    API = "api", _("接口")
    SERVICE_ORDER = "service_order", _("点单")
    PUBLIC = "public", _("公众表单")


class RequesterKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    MEMBER = "member", _("党员")
    RESIDENT = "resident", _("居民/白领")
    ANONYMOUS = "anonymous", _("匿名")


def new_tracking_code() -> str:
    # 10 characters from an unambiguous alphabet: easy to read out over the phone.
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class CallbackResult(models.TextChoices):
    """The requester's view when the street calls back (回访) after closing, as the 12345 hotline asks it."""

    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


# A callback feeds the satisfaction figures as a rating when the requester has not rated (reports count 4–5 as
# satisfied, 基本满意 with 满意 as the 12345 hotline does; decision 074).
CALLBACK_RATING = {CallbackResult.SATISFIED: 5, CallbackResult.BASIC: 4, CallbackResult.UNSATISFIED: 2}


class Demand(DepartmentWork, Located):
    # No one-column index on the place, district, street, status, deadline or the requesting/assigned user and
    # unit: the composite and partial indexes in Meta lead with each of them and serve the same lookups (and the
    # foreign keys' cascades). On a million rows every extra index cost PostgreSQL planning time on every query
    # that joins this table — 13 ms of planning for the demand list against 4 ms without them — and cost every
    # write. The deadline's own index was worse than useless: "a street's overdue demands, earliest first" walked
    # it across the city's 680,000 past deadlines to find 13 (2 s; decision 056).
    place = models.ForeignKey(Place, on_delete=models.PROTECT, verbose_name=_("所在地域"), db_index=False)
    district = models.ForeignKey(Place, null=True, on_delete=models.PROTECT, related_name="+", editable=False,
                                 db_index=False)
    street = models.ForeignKey(Place, null=True, on_delete=models.PROTECT, related_name="+", editable=False,
                               db_index=False)
    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True, default=new_tracking_code,
                                     editable=False)
    source = models.CharField(_("来源"), max_length=16, choices=DemandSource.choices, default=DemandSource.WEB)
    requester_kind = models.CharField(_("提出方"), max_length=16, choices=RequesterKind.choices,
                                      default=RequesterKind.ANONYMOUS)
    requester_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="demands_requested", verbose_name=_("提出人账号"), db_index=False)
    requester_enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="demands",
                                             verbose_name=_("提出企业"))
    requester_name = models.CharField(_("联系人"), max_length=50, blank=True)
    requester_phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[validate_cn_mobile])
    requester_email = models.EmailField(_("电子邮箱"), blank=True)
    title = models.CharField(_("标题"), max_length=100, blank=True)
    text = models.TextField(_("需求内容"), max_length=2000)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="demands",
                                 verbose_name=_("类别"))
    suggested_category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+", verbose_name=_("系统建议类别"), editable=False)
    suggestion_confidence = models.FloatField(_("建议置信度"), null=True, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=DemandStatus.choices,
                              default=DemandStatus.SUBMITTED)
    assignee_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="demands_assigned", verbose_name=_("承办人"), db_index=False)
    assignee_department = models.CharField(_("承办部门"), max_length=100, blank=True)
    assignee_enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="demands_handled",
                                            verbose_name=_("承办单位"), db_index=False)
    accepted_on = fields.DateField(_("受理日期"), null=True, blank=True)
    due_date = fields.DateField(_("办理期限"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限暂定"), default=False,
                                          help_text=_("期限落在尚无正式节假日安排的年份,按法定节日推算;正式安排发布后重算。"))
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates", verbose_name=_("合并到"))
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    visit = models.ForeignKey("demands.Visit", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="demands", verbose_name=_("来源走访"))
    service = models.ForeignKey("demands.Service", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="orders", verbose_name=_("所点服务"))
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    callback_result = models.CharField(_("回访结果"), max_length=12, choices=CallbackResult.choices, blank=True,
                                       default="", db_default="")
    callback_note = models.CharField(_("回访记录"), max_length=500, blank=True, default="", db_default="")
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("回访人"), db_index=False)
    # Open311 (decision 011): a request posted through Open311 is shown in the keyless public view (redacted)
    # unless its requester marked it private; demands from other channels never set this.
    public_progress = models.BooleanField(_("公开办理进度"), default=False, editable=False)
    created = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["district", "street", "updated"])

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "building_worker", "building_head")
    personal_fields = {"requester_phone": mask_phone}

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        ordering = ["-created", "-pk"]
        # Scoped lists filter by street or district (core/scoping.py), then by status, and order by creation or
        # deadline: each index serves one such path without reading the rows (counts by status and category,
        # overdue counts, the newest first, an assignee's inbox). The escalation job uses (status, due date).
        indexes = [
            models.Index(fields=["street", "status", "category", "due_date"], name="demand_street_status_cat"),
            models.Index(fields=["district", "status", "category", "due_date"], name="demand_district_status_cat"),
            models.Index(fields=["place", "status", "due_date"], name="demand_place_status_due"),
            # With the category, a street's months by category (the workbench's trend) are read from the index.
            models.Index(fields=["street", "created", "category"], name="demand_street_created_cat"),
            models.Index(fields=["district", "created"], name="demand_district_created"),
            # Partial (rows with a value only): most demands have no requesting or assigned user, and once
            # SQLite's statistics record that one value (NULL) covers every row, it would read the whole table
            # for "my demands" rather than trust a plain index on these columns.
            models.Index(fields=["assignee_user", "status", "due_date"], name="demand_assignee_status_due",
                         condition=models.Q(assignee_user__isnull=False)),
            models.Index(fields=["requester_user"], name="demand_requester_user_set",
                         condition=models.Q(requester_user__isnull=False)),
            models.Index(fields=["assignee_enterprise"], name="demand_assignee_unit_set",
                         condition=models.Q(assignee_enterprise__isnull=False)),
            models.Index(fields=["status", "due_date"], name="demand_status_due"),
            # The intake queue (submitted, oldest first) without sorting every waiting demand.
            models.Index(fields=["status", "created"], name="demand_status_created"),
            # The city's counts by status and category in one pass over this index.
            models.Index(fields=["status", "category"], name="demand_status_category"),
            # A department's work and the street's department board (awaiting sign, returned …); the sign sweep.
            # Covering for the board's counts (callback_at, district, street): with 40,000 demands handed over at
            # city scale, reading the rows for them took 0.15 s for a district.
            models.Index(fields=["department", "department_state", "status", "callback_at", "district", "street"],
                         name="demand_department_state", condition=models.Q(department__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title or self.text[:30]

    @property
    def due_label(self) -> str:
        """The deadline as shown: marked provisional while a year without an official schedule decided it."""
        if self.due_date is None:
            return ""
        if self.due_provisional:
            return _("%(date)s(暂定)") % {"date": self.due_date.isoformat()}
        return self.due_date.isoformat()

    def get_absolute_url(self) -> str:
        return pk_url("demands:demand_detail", self.pk)

    def save(self, *args, **kwargs):
        # One transaction with what the save's signals write (the screen's roll-ups, jiceng.screen.rollups): a
        # count never includes a write that was rolled back, nor misses one that was committed.
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        places = scope.place_q("district", "street", "place__path")
        own = models.Q(pk__in=[])
        if scope.user_id:
            own |= models.Q(requester_user_id=scope.user_id) | models.Q(assignee_user_id=scope.user_id)
        if scope.enterprise_ids:
            own |= models.Q(requester_enterprise_id__in=scope.enterprise_ids)
            own |= models.Q(assignee_enterprise_id__in=scope.enterprise_ids)
        if scope.department_ids:
            # A department user: the work handed to their department, nothing else.
            own |= department_work_q(scope)
        # The user's own demands (requested, assigned, their unit's) are few and mostly inside the place scope.
        # Listed by id, they leave the place condition alone in the common case: `street IN (…) OR requester = me
        # OR …` keeps the database from using the (street, status) index and from ordering by an index, which cost
        # seconds among 1,000,000 demands. Very many own demands keep the plain condition.
        if "demand_own" not in scope.memo:
            # Unordered, and one indexed query per condition (as_union): ordered by date, the database walked the
            # date index through every demand to find a user's few.
            ids = list(cls.objects.filter(as_union(cls, own)).exclude(places).order_by()
                       .values_list("pk", flat=True)[:OWN_DEMANDS_LISTED + 1])
            scope.memo["demand_own"] = ids if len(ids) <= OWN_DEMANDS_LISTED else None
        ids = scope.memo["demand_own"]
        if ids is None:
            return places | own
        return places | models.Q(pk__in=ids) if ids else places

    @classmethod
    def only_by_place(cls, user) -> bool:
        """Whether the user's demands are exactly those of the places their scope grants: no demand of their own
        (requested, assigned) lies outside them, as scope_q found (once per request)."""
        cls.objects.restrict(user)
        return scope_for(user).memo.get("demand_own") == []

    @property
    def requester_phone_masked(self) -> str:
        return mask_phone(self.requester_phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def assignee_display(self) -> str:
        """Who handles it, as people read it: "孙丽华 · 创智天地 / 物业" (name and unit, not a login name)."""
        from jiceng.accounts.people import person_label

        parts = [person_label(self.assignee_user) if self.assignee_user_id else "",
                 self.assignee_department, str(self.assignee_enterprise or "")]
        return " / ".join(p for p in parts if p)


EVENT_LABELS = {
    "submit": _("提交"), "accept": _("受理"), "assign": _("派单"), "resolve": _("办结"), "close": _("关闭"),
    "reject": _("驳回"), "merge": _("合并为重复"), "reopen": _("重新派单"), "rate": _("评价"),
    "escalate": _("超期督办"), "recategorize": _("修改类别"), "deadline": _("期限重算"),
    "route": _("转楼长"), "forward": _("楼长转街道"),
    "sign": _("部门签收"), "return": _("部门退单"), "callback": _("回访"), "sign_overdue": _("签收超时督办"),
}


class DemandEvent(models.Model):
    """The demand's timeline: every transition and comment, with who, when and why."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events", verbose_name=_("需求"))
    action = models.CharField(_("动作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("操作人"))
    actor_label = models.CharField(_("操作方"), max_length=50, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("需求动态")
        verbose_name_plural = _("需求动态")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.action}"

    @property
    def actor_display(self) -> str:
        """Who acted, as people read it (name · unit), or the label of an outside actor (a system, an API key)."""
        from jiceng.accounts.people import person_label

        return person_label(self.actor) if self.actor_id else self.actor_label

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))

    @property
    def to_status_label(self) -> str:
        return str(DemandStatus(self.to_status).label) if self.to_status in DemandStatus.values else self.to_status


ATTACHMENT_TYPES = ["jpg", "jpeg", "png", "pdf"]
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024


class DemandAttachment(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("需求"))
    file = models.FileField(_("附件"), upload_to="demands/%Y/%m/",
                            validators=[FileExtensionValidator(ATTACHMENT_TYPES)])
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class Visit(Located):
    """A building worker's visit to an enterprise (跑楼/走访)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="visits",
                                   verbose_name=_("走访企业"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="visits", verbose_name=_("走访人"))
    date = fields.DateField(_("走访日期"), db_index=True)
    people_met = models.CharField(_("接待人员"), max_length=200, blank=True)
    notes = models.TextField(_("走访记录"), blank=True)
    findings = models.TextField(_("发现情况"), blank=True)
    # Risk findings (signal codes, e.g. lease_ending, intends_to_move); the risk analysis reads them.
    signals = models.JSONField(_("风险信号"), default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["district", "street"])

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "building_worker")

    class Meta:
        verbose_name = _("走访")
        verbose_name_plural = _("走访")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.enterprise}"

    def get_absolute_url(self) -> str:
        return pk_url("demands:visit_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return scope.place_q("district", "street", "place__path")


class VisitPlan(models.Model):
    """When each enterprise should next be visited."""

    enterprise = models.OneToOneField("enterprises.Enterprise", on_delete=models.CASCADE, related_name="visit_plan",
                                      verbose_name=_("企业"))
    interval_days = models.PositiveSmallIntegerField(_("走访周期(天)"), default=90,
                                                     validators=[MinValueValidator(1), MaxValueValidator(730)])
    next_visit = fields.DateField(_("下次走访"), db_index=True)

    class Meta:
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.next_visit}"


class Service(models.Model):
    """A service in a station's catalog (服务清单); ordering it creates a demand (点单)."""

    station = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="services",
                                verbose_name=_("服务站点"))
    code = models.SlugField(_("服务编码"), max_length=40, unique=True)
    name = models.CharField(_("服务名称"), max_length=100)
    description = models.TextField(_("服务说明"), blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="services",
                                 verbose_name=_("类别"))
    active = models.BooleanField(_("提供中"), default=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff")

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务清单")
        ordering = ["station", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return scope.place_q("station__district", "station__street", "station__path")

    def clean(self) -> None:
        if self.station_id and self.station.kind != "station":
            raise ValidationError({"station": _("服务须属于一个党群服务站。")})


class PublicSubmission(models.Model):
    """One anonymous form submission, kept briefly to throttle by client address (stored hashed)."""

    client_hash = models.CharField(max_length=64, db_index=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.client_hash[:8]} {self.created:%Y-%m-%d %H:%M}"
