from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer
from jiceng.departments.models import DepartmentState
from jiceng.enterprises.models import Enterprise

from ..choices import RiskLevel, SignalSource
from ..models import MAX_POINTS, EnterpriseRisk, FollowUp, LevelChange, LevelThreshold, Signal, SignalType


class SignalTypeSerializer(ModelCleanSerializer):
    class Meta:
        model = SignalType
        fields = ["id", "code", "name", "name_en", "description", "weight", "allow_negative", "live_days",
                  "source_kind", "window_days", "group", "active", "order"]


class SignalSerializer(serializers.ModelSerializer):
    type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    type_name = serializers.CharField(source="type.name", read_only=True)
    type_name_en = serializers.CharField(source="type.name_en", read_only=True)

    class Meta:
        model = Signal
        fields = ["id", "enterprise", "type", "type_name", "type_name_en", "points", "observed_on", "expires_on",
                  "evidence", "source", "recorded_by", "visit", "demand", "created"]
        read_only_fields = fields


class SignalCreateSerializer(serializers.Serializer):
    """Input for recording a signal; the rules (type known, sign allowed, scope) are checked by the service."""

    enterprise = serializers.IntegerField(min_value=1)
    type = serializers.CharField(max_length=40)
    points = serializers.IntegerField(required=False, allow_null=True, min_value=-MAX_POINTS, max_value=MAX_POINTS)
    observed_on = serializers.DateField(required=False, allow_null=True)
    evidence = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    source = serializers.ChoiceField(choices=[c for c in SignalSource.choices if c[0] != SignalSource.VISIT],
                                     default=SignalSource.API)

    def validate_enterprise(self, value: int) -> Enterprise:
        enterprise = Enterprise.objects.restrict(self.context["request"].user).filter(pk=value).first()
        if enterprise is None:
            raise serializers.ValidationError(_("企业不存在或不在您的管辖范围内。"))
        return enterprise


class ContributionSerializer(serializers.Serializer):
    type = serializers.CharField(source="signal.type.code")
    type_name = serializers.CharField(source="signal.type.name")
    type_name_en = serializers.CharField(source="signal.type.name_en")
    signal = serializers.IntegerField(source="signal.pk", allow_null=True)
    derived = serializers.BooleanField()
    source = serializers.CharField(source="signal.source")
    observed_on = serializers.DateField(source="signal.observed_on")
    expires_on = serializers.DateField(source="signal.expires_on", allow_null=True)
    evidence = serializers.CharField(source="signal.evidence")
    signal_points = serializers.IntegerField(source="signal.points")
    points = serializers.IntegerField()
    demand = serializers.IntegerField(source="signal.demand_id", allow_null=True)
    visit = serializers.IntegerField(source="signal.visit_id", allow_null=True)


LEVEL_HELP = _("1 稳定(绿)、2 较稳定(蓝)、3 一般(黄)、4 较不稳定(橙)、5 不稳定(红)")


def level_field(**kwargs) -> serializers.IntegerField:
    """Levels as plain integers 1–5 in the API (one documented meaning, no per-field enum names)."""
    return serializers.IntegerField(min_value=1, max_value=5, help_text=LEVEL_HELP, **kwargs)


class EnterpriseRiskSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    level = level_field(read_only=True)
    computed_level = level_field(read_only=True)
    override_level = level_field(read_only=True, allow_null=True)
    level_label = serializers.SerializerMethodField()
    colour = serializers.SerializerMethodField()

    class Meta:
        model = EnterpriseRisk
        fields = ["enterprise", "enterprise_name", "score", "level", "level_label", "colour", "computed_level",
                  "override_level", "override_reason", "overridden_by", "overridden_at", "updated"]
        read_only_fields = fields

    def get_level_label(self, obj) -> str:
        return str(RiskLevel(obj.level).label)

    def get_colour(self, obj) -> str:
        return RiskLevel(obj.level).colour


class EnterpriseRiskDetailSerializer(EnterpriseRiskSerializer):
    explanation = serializers.SerializerMethodField()

    class Meta(EnterpriseRiskSerializer.Meta):
        fields = [*EnterpriseRiskSerializer.Meta.fields, "explanation"]
        read_only_fields = fields

    def get_explanation(self, obj) -> list[dict]:
        return ContributionSerializer(self.context.get("explanation", []), many=True).data


class OverrideSerializer(serializers.Serializer):
    level = level_field(allow_null=True)
    reason = serializers.CharField(max_length=1000, allow_blank=True)


class LevelChangeSerializer(serializers.ModelSerializer):
    old_level = level_field(read_only=True, allow_null=True)
    new_level = level_field(read_only=True, allow_null=True)
    level = level_field(read_only=True)
    class Meta:
        model = LevelChange
        fields = ["id", "enterprise", "kind", "old_level", "new_level", "level", "score", "reason", "by", "at"]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    department_state = serializers.ChoiceField(choices=DepartmentState.choices, allow_blank=True, read_only=True)
    level = level_field(read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "enterprise", "enterprise_name", "level", "playbook", "action", "action_en", "due_date",
                  "due_provisional",
                  "status", "outcome",
                  "assignees", "department", "department_state", "sign_due", "signed_at", "return_reason",
                  "sign_escalated_at", "created", "closed_by", "closed_at"]
        read_only_fields = fields


class CloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=2000, allow_blank=True)


class LevelThresholdSerializer(ModelCleanSerializer):
    level = level_field(read_only=True)

    class Meta:
        model = LevelThreshold
        fields = ["level", "min_score"]


class FollowUpDepartmentSerializer(serializers.Serializer):
    department = serializers.IntegerField(required=False, allow_null=True,
                                          help_text="职能部门 id(/api/departments/),派给部门时必填。")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000,
                                   help_text="退单理由(退单时必填)。")
