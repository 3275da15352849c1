from __future__ import annotations

from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer
from jiceng.matrix.serializers import FlagsListField

from ..models import JointConference, MemberUnit, Need, Project, Resource

ITEM_FIELDS = ["id", "conference", "title", "category", "description", "start", "end", "daily_start", "daily_end",
               "location", "lat", "lng", "claimed", "remaining", "status", "created"]


class MemberUnitSerializer(serializers.ModelSerializer):
    contact_phone = serializers.CharField(source="contact_phone_masked", read_only=True)

    class Meta:
        model = MemberUnit
        fields = ["id", "name", "kind", "enterprise", "organization", "place", "contact_name", "contact_phone",
                  "joined", "active"]


class ConferenceSerializer(serializers.ModelSerializer):
    units = MemberUnitSerializer(many=True, read_only=True)
    current_chair = serializers.SerializerMethodField()
    next_chair = serializers.SerializerMethodField()

    class Meta:
        model = JointConference
        fields = ["id", "name", "place", "organization", "established", "description", "current_chair", "next_chair",
                  "units"]

    def _term(self, term) -> dict | None:
        return {"unit": term.unit_id, "name": term.unit.name, "start": term.start, "end": term.end} if term else None

    def get_current_chair(self, obj) -> dict | None:
        return self._term(obj.chair_terms_around()[0])

    def get_next_chair(self, obj) -> dict | None:
        return self._term(obj.chair_terms_around()[1])


class ResourceSerializer(ModelCleanSerializer):
    remaining = serializers.IntegerField(read_only=True)

    class Meta:
        model = Resource
        fields = [*ITEM_FIELDS, "unit", "capacity", "measure", "radius_m"]
        read_only_fields = ["claimed", "status", "created"]


class NeedSerializer(ModelCleanSerializer):
    remaining = serializers.IntegerField(read_only=True)
    contact_phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    contact_phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Need
        fields = [*ITEM_FIELDS, "requester_kind", "requester_unit", "requester_name", "contact_phone",
                  "contact_phone_masked", "quantity", "measure", "demand"]
        read_only_fields = ["claimed", "status", "created", "demand"]


class ProjectSerializer(serializers.ModelSerializer):
    """A project; only its matrix tags are written here (PATCH), the rest moves through claims and transitions."""

    need_title = serializers.CharField(source="need.title", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    cells = FlagsListField(kind="cells", help_text="cells of the 3×3 matrix, `<target>:<goal>` "
                                                   "(targets employees, creators, users; goals organize, serve, lead)")
    themes = FlagsListField(kind="themes", help_text="党建+ themes: service, culture, public_welfare")

    class Meta:
        model = Project
        fields = ["id", "conference", "need", "need_title", "resource", "provider", "provider_name", "category",
                  "quantity", "claim_kind", "status", "note", "claimed_at", "agreed_at", "started_at", "completed_at",
                  "evaluated_at", "rating", "outcome", "cells", "themes"]
        read_only_fields = [name for name in fields if name not in ("cells", "themes")]


class ClaimNeedSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    resource = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ClaimResourceSerializer(serializers.Serializer):
    need = serializers.IntegerField(required=False, allow_null=True)
    requester_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def validate(self, attrs):
        if not attrs.get("need") and not (attrs.get("requester_name") or "").strip():
            raise serializers.ValidationError({"requester_name": ["未指定需求时须填写需求方。"]})
        return attrs


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["agree", "start", "complete", "evaluate", "cancel"])
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=500)


class SuggestionSerializer(serializers.Serializer):
    resource = serializers.IntegerField(source="resource.pk")
    title = serializers.CharField(source="resource.title")
    unit = serializers.CharField(source="resource.unit.name")
    score = serializers.FloatField()
    reasons = serializers.DictField()


# --- the statistics answer (built from `stats.ListStatistics`; documented for the OpenAPI schema) ------------------
class MonthFiguresSerializer(serializers.Serializer):
    month = serializers.IntegerField(min_value=1, max_value=12)
    claimed = serializers.IntegerField()
    completed = serializers.IntegerField()


class CategoryFiguresSerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()
    projects = serializers.IntegerField()
    quantity = serializers.IntegerField()
    completed = serializers.IntegerField()


class UnitFiguresSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="the providing unit's name")
    projects = serializers.IntegerField()
    completed = serializers.IntegerField()


class ListStatisticsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    completed_total = serializers.IntegerField()
    claimed_total = serializers.IntegerField()
    by_month = MonthFiguresSerializer(many=True)
    by_category = CategoryFiguresSerializer(many=True)
    by_unit = UnitFiguresSerializer(many=True, help_text="the 20 units with most projects")
    needs_total = serializers.IntegerField()
    needs_matched = serializers.IntegerField()
    median_days_to_match = serializers.FloatField(allow_null=True)
    average_rating = serializers.FloatField(allow_null=True)
    matched_share = serializers.FloatField(allow_null=True, help_text="needs_matched / needs_total")
