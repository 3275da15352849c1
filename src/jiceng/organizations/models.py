"""Party organizations (党组织) as a tree, the enterprises each covers, committees and terms."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.dates import add_years
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager
from jiceng.places.models import Located


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")
    TEMPORARY_BRANCH = "temporary_branch", _("临时党支部")
    PARTY_GROUP = "party_group", _("党小组")


BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMPORARY_BRANCH)
# Where a member's relationship (组织关系) may sit: a branch, joint branch or temporary branch — never directly in a
# 党委 or 总支 (党章第八条: every member belongs to a 支部, 小组 or other specific unit;
# 《中国共产党支部工作条例(试行)》 2018 第二条: the branch is the basic unit of members' education, management
# and supervision). A party group is recorded beside it (`Member.party_group`, decision 039).
MEMBER_KINDS = BRANCH_KINDS
# Which kinds may sit under which (a party group only under a branch; nothing under a group).
ALLOWED_ORG_PARENTS: dict[str, tuple[str | None, ...]] = {
    OrgKind.COMMITTEE: (None, OrgKind.COMMITTEE),
    OrgKind.GENERAL_BRANCH: (None, OrgKind.COMMITTEE),
    OrgKind.BRANCH: (None, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH),
    OrgKind.JOINT_BRANCH: (None, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH),
    OrgKind.TEMPORARY_BRANCH: (None, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH),
    OrgKind.PARTY_GROUP: BRANCH_KINDS,
}


class Organization(Located):
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    kind = models.CharField(_("类型"), max_length=32, choices=OrgKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("上级党组织"),
    )
    established = fields.DateField(_("成立日期"), null=True, blank=True)
    secretary = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("书记"),
    )
    # The election date of the sitting committee; the term's end is computed from it and the term length of the
    # organization's kind (`TermLength`, data), never typed (decision 040).
    term_start = fields.DateField(_("本届选举日期"), null=True, blank=True,
                                  help_text=_("本届委员会(或书记)选举产生的日期;任期届满日期据此和任期年限自动计算。"))
    term_end = fields.DateField(_("本届任期届满"), null=True, blank=True, db_index=True, editable=False)
    end_date = fields.DateField(_("撤销日期"), null=True, blank=True, db_index=True,
                                help_text=_("临时党支部的预计撤销日期(任务完成即撤销)。"))
    # Letters (组织关系介绍信) are issued only by an organization with this authority: a 基层党委 or an organization
    # department (中组部《关于党员组织关系接转有关问题的通知》: 接转权限在县级以上党委组织部门和经批准的基层党委).
    transfer_authority = models.BooleanField(_("有组织关系接转权限"), default=False,
                                             help_text=_("基层党委或组织部门:可开具党员组织关系介绍信。"))
    covered_enterprises = models.ManyToManyField(
        "enterprises.Enterprise", through="Coverage", related_name="organizations", blank=True,
        verbose_name=_("覆盖单位"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    history = HistoricalRecords(excluded_fields=["path", "district", "street"])

    objects = ScopedManager()
    # Roles that may create and edit these (within their scope).
    edit_roles = ("district_admin", "street_staff")

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="organization_unique_name_under_parent",
                                    violation_error_message=_("同一上级党组织下已有同名党组织。")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return pk_url("organizations:organization_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = scope.organization_q()
        if scope.member_ids:
            from jiceng.members.models import Member

            q |= models.Q(pk__in=Member.objects.filter(pk__in=scope.member_ids).values("organization"))
        return q

    def clean(self) -> None:
        parent_kind = self.parent.kind if self.parent_id else None
        if parent_kind not in ALLOWED_ORG_PARENTS.get(self.kind, ()):
            raise ValidationError(
                {"parent": _("“%(kind)s”不能设在“%(parent)s”之下。")
                 % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}}
                if self.parent_id else {"parent": _("党小组必须隶属于一个支部。")}
            )
        if self.pk and self.parent_id:
            stored = Organization.objects.filter(pk=self.pk).values_list("path", flat=True).first() or ""
            if self.parent_id == self.pk or (stored and self.parent.path.startswith(stored)):
                raise ValidationError({"parent": _("党组织不能隶属于它自己或它的下级(会形成循环)。")})
        if self.end_date and self.kind != OrgKind.TEMPORARY_BRANCH:
            raise ValidationError({"end_date": _("只有临时党支部有撤销日期。")})
        if self.end_date and self.established and self.end_date < self.established:
            raise ValidationError({"end_date": _("撤销日期不能早于成立日期。")})
        if self.transfer_authority and self.kind != OrgKind.COMMITTEE:
            raise ValidationError({"transfer_authority": _(
                "只有基层党委(或组织部门)可以有组织关系接转权限,支部和总支不能开具介绍信。")})
        if self.secretary_id and self.pk and not self.secretary.organization.path.startswith(self.path):
            raise ValidationError({"secretary": _("书记必须是本组织的党员。")})

    def compute_term_end(self, years: int | None = None) -> None:
        """The term's end: the election date plus the term length of the kind (None without either)."""
        if years is None:
            years = term_years().get(self.kind)
        self.term_end = add_years(self.term_start, years) if self.term_start and years else None

    def save(self, *args, **kwargs):
        self.compute_term_end()
        old_path = self.path
        with transaction.atomic():
            super().save(*args, **kwargs)
            new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
            if new_path != self.path:
                self.path = new_path
                Organization.objects.filter(pk=self.pk).update(path=new_path)
            if old_path and old_path != new_path:
                # Rebase the subtree in one statement-per-row pass inside the same transaction.
                for org in Organization.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    Organization.objects.filter(pk=org.pk).update(path=new_path + org.path[len(old_path):])

    def descendants(self, include_self: bool = False) -> models.QuerySet[Organization]:
        qs = Organization.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def subtree_q(self, fk: str = "organization") -> models.Q:
        """Rows whose `fk` is this organization or one under it.

        By id (`fk IN (subquery on the small organization table)`), which uses the foreign key's index; a prefix
        match on the joined organization's path made the database read every row (decision 031).
        """
        return models.Q(**{f"{fk}__in": self.descendants(include_self=True).values("pk")})

    @property
    def is_branch(self) -> bool:
        return self.kind in BRANCH_KINDS


class TermLength(models.Model):
    """How long one term of an organization kind's committee lasts (任期年限), as data an administrator can change.

    Defaults (migration): five years for 党委, 总支 and 支部 — 党章 (2022 修正) 第三十条:
    “党的基层委员会、总支部委员会、支部委员会每届任期为五年”; the 2018 《中国共产党支部工作条例(试行)》 第六章 had
    five years for village and community branches and generally three for others, so a locality still on three
    years changes the row. Temporary branches and party groups hold no elections (their leaders are appointed), so
    they have no row and no term.
    """

    kind = models.CharField(_("党组织类型"), max_length=32, choices=OrgKind.choices, unique=True)
    years = models.PositiveSmallIntegerField(_("每届任期(年)"), validators=[MinValueValidator(1),
                                                                      MaxValueValidator(10)])
    source = models.CharField(_("依据"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任期年限")
        verbose_name_plural = _("任期年限")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.years}"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            recompute_term_ends(self.kind)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            recompute_term_ends(self.kind)
        return result


def term_years() -> dict[str, int]:
    """Term length in years per organization kind (kinds without a row have no term)."""
    return dict(TermLength.objects.values_list("kind", "years"))


def recompute_term_ends(kind: str) -> int:
    """Recompute the stored term end of every organization of `kind` after its term length changed."""
    years = term_years().get(kind)
    changed = []
    for org in Organization.objects.filter(kind=kind).only("pk", "kind", "term_start", "term_end"):
        before = org.term_end
        org.compute_term_end(years)
        if org.term_end != before:
            changed.append(org)
    Organization.objects.bulk_update(changed, ["term_end"], batch_size=500)
    return len(changed)


class Coverage(models.Model):
    """An organization covers an enterprise (组织覆盖)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="coverages",
                                     verbose_name=_("党组织"))
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="coverages",
                                   verbose_name=_("单位"))
    since = fields.DateField(_("覆盖起始"), null=True, blank=True)
    history = HistoricalRecords()
    edit_roles = ("district_admin", "street_staff")

    class Meta:
        verbose_name = _("组织覆盖")
        verbose_name_plural = _("组织覆盖")
        constraints = [
            models.UniqueConstraint(fields=["organization", "enterprise"], name="coverage_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.enterprise}"

    def clean(self) -> None:
        """An enterprise has one covering branch, except along one line of the tree (a branch and its parent)."""
        if not (self.organization_id and self.enterprise_id):
            return
        org = self.organization
        for other in Organization.objects.filter(coverages__enterprise_id=self.enterprise_id).exclude(pk=org.pk):
            related = org.path.startswith(other.path) or other.path.startswith(org.path)
            if not related:
                raise ValidationError(
                    {"enterprise": _("“%(ent)s”已由“%(org)s”覆盖,一个单位不能同时由两个支部覆盖。")
                     % {"ent": self.enterprise, "org": other}}
                )


class CommitteePosition(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY = "deputy", _("副书记")
    ORGANIZATION = "organization", _("组织委员")
    PROPAGANDA = "propaganda", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    MEMBER = "member", _("委员")


class CommitteeMember(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="committee",
                                     verbose_name=_("党组织"))
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="committee_seats",
                               verbose_name=_("党员"))
    position = models.CharField(_("职务"), max_length=16, choices=CommitteePosition.choices)
    history = HistoricalRecords()
    edit_roles = ("district_admin", "street_staff", "org_secretary")

    class Meta:
        verbose_name = _("委员会成员")
        verbose_name_plural = _("委员会成员")
        constraints = [
            models.UniqueConstraint(fields=["organization", "member"], name="committee_unique_member"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_position_display()} · {self.member}"

    def clean(self) -> None:
        if (self.member_id and self.organization_id
                and not self.member.organization.path.startswith(self.organization.path)):
            raise ValidationError({"member": _("委员必须是本组织的党员。")})


def committee_threshold() -> int:
    return settings.JICENG["COMMITTEE_MIN_FULL_MEMBERS"]
