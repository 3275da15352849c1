from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jiceng.accounts.models import Notification
from jiceng.accounts.notifications import rendered_params
from jiceng.core.serializers import CodeRelatedField
from jiceng.departments.models import DepartmentState

from ..models import CallbackResult, Category, Demand, DemandEvent, DemandSource, RequesterKind, Service, Visit


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "description", "deadline_days", "active"]


class DemandEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(read_only=True)

    class Meta:
        model = DemandEvent
        fields = ["action", "action_label", "from_status", "to_status", "actor", "actor_label", "note", "created"]


class DemandSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    suggested_category = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    requester_phone_masked = serializers.CharField(read_only=True)
    events = DemandEventSerializer(many=True, read_only=True)
    # Empty when the demand was never handed to a department / never called back.
    department_state = serializers.ChoiceField(choices=DepartmentState.choices, allow_blank=True, read_only=True)
    callback_result = serializers.ChoiceField(choices=CallbackResult.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Demand
        fields = ["id", "tracking_code", "source", "requester_kind", "requester_enterprise", "requester_name",
                  "requester_phone_masked", "title", "text", "category", "suggested_category", "suggestion_confidence",
                  "status", "assignee_user", "assignee_department", "department", "department_state", "sign_due",
                  "signed_at", "return_reason", "sign_escalated_at", "assignee_enterprise", "accepted_on", "due_date",
                  "due_provisional", "callback_result", "callback_note", "callback_at",
                  "escalated_at", "resolved_at", "closed_at", "duplicate_of", "rating", "rating_comment", "place",
                  "district", "street", "visit", "service", "created", "updated", "events"]
        read_only_fields = fields


class DemandListSerializer(DemandSerializer):
    class Meta(DemandSerializer.Meta):
        fields = [f for f in DemandSerializer.Meta.fields if f != "events"]
        read_only_fields = fields


class DemandCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    place = serializers.IntegerField()
    source = serializers.ChoiceField(choices=DemandSource.choices, default=DemandSource.API)
    requester_kind = serializers.ChoiceField(choices=RequesterKind.choices, default=RequesterKind.ANONYMOUS)
    requester_enterprise = serializers.IntegerField(required=False, allow_null=True)
    requester_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    requester_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    category = CodeRelatedField(slug_field="code", queryset=Category.objects.filter(active=True),
                                            required=False, allow_null=True)


class DemandActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    category = CodeRelatedField(slug_field="code", queryset=Category.objects.filter(active=True),
                                            required=False, allow_null=True)
    assignee_user = serializers.IntegerField(required=False, allow_null=True)
    department = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100,
        help_text=_("承办部门:职能部门的 id(/api/departments/),或其名称;其他文字按旧方式作为承办部门名称保存。"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000,
                                   help_text=_("退单理由(退单时必填)。"))
    result = serializers.ChoiceField(choices=CallbackResult.choices, required=False,
                                     help_text=_("回访结果(回访时必填)。"))
    enterprise = serializers.IntegerField(required=False, allow_null=True)
    duplicate_of = serializers.IntegerField(required=False, allow_null=True)
    rating = serializers.IntegerField(required=False, min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class VisitSerializer(serializers.ModelSerializer):
    demand_texts = serializers.ListField(child=serializers.CharField(max_length=2000), write_only=True,
                                         required=False, max_length=10)

    class Meta:
        model = Visit
        fields = ["id", "enterprise", "worker", "date", "people_met", "notes", "findings", "signals", "place",
                  "demand_texts", "created"]
        read_only_fields = ["worker", "place", "created"]


class ServiceSerializer(serializers.ModelSerializer):
    category = CodeRelatedField(slug_field="code", queryset=Category.objects.all())

    class Meta:
        model = Service
        fields = ["id", "code", "name", "description", "station", "category", "active"]


class NotificationSerializer(serializers.ModelSerializer):
    message = serializers.CharField(source="text", read_only=True,
                                    help_text=_("通知内容,使用请求的语言。"))
    key = serializers.CharField(read_only=True, help_text=_("消息类型(为空:早期以文字保存的通知)。"))
    params = serializers.SerializerMethodField(help_text=_("消息参数,使用请求的语言。"))

    class Meta:
        model = Notification
        fields = ["id", "message", "key", "params", "url", "read", "created"]
        read_only_fields = ["message", "key", "params", "url", "created"]

    @extend_schema_field({"type": "object", "additionalProperties": {"oneOf": [{"type": "string"},
                                                                                {"type": "number"}]}})
    def get_params(self, obj: Notification) -> dict:
        return rendered_params(obj.params)
