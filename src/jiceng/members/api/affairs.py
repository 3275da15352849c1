"""API for member affairs. Writes go through the same services as the UI (pipeline, transfers, dues)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.accounts.permissions import ScopedWritePermission
from jiceng.core.dates import validate_plausible_date
from jiceng.core.drf import as_drf_error
from jiceng.core.schema import NOT_FOUND, ErrorDetailSerializer
from jiceng.core.serializers import ModelCleanSerializer
from jiceng.organizations.models import Organization

from .. import dues, transfers
from ..filters_affairs import ApplicationFilterSet, TransferFilterSet
from ..models import Application, ApplicationStep, DuesBase, DuesPayment, DuesRelief, LetterScope, Member, Transfer
from ..pipeline import STEPS, StepInput, create_application, next_steps, record_step


def _step_choices() -> list[tuple[str, str]]:
    return [(code, str(rule.label)) for code, rule in STEPS.items()]


class ApplicationStepSerializer(serializers.ModelSerializer):
    code = serializers.ChoiceField(choices=_step_choices(), read_only=True)
    label = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationStep
        fields = ["id", "code", "label", "date", "ends_on", "note", "reference", "people", "introducers", "contacts",
                  "training_days", "training_hours", "extension_months", "recorded_at"]

    def get_label(self, obj) -> str:
        return str(STEPS[obj.code].label) if obj.code in STEPS else obj.code


class ApplicationSerializer(ModelCleanSerializer):
    id_number = serializers.CharField(write_only=True, max_length=18)
    id_number_masked = serializers.CharField(read_only=True)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=11)
    phone_masked = serializers.CharField(read_only=True)
    applied_on = serializers.DateField(write_only=True)
    steps = ApplicationStepSerializer(many=True, read_only=True)
    next_steps = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "name", "gender", "birth_date", "id_number", "id_number_masked", "phone", "phone_masked",
                  "organization",
                  "employer", "stage", "member", "applied_on", "steps", "next_steps"]
        read_only_fields = ["stage", "member"]
        validators = []  # one open application per person: checked by create_application with its own message

    def validate(self, attrs):
        applied_on = attrs.pop("applied_on", None)
        attrs = super().validate(attrs)
        if applied_on is not None:
            attrs["applied_on"] = applied_on
        return attrs

    def get_next_steps(self, obj) -> list[dict]:
        return [{"code": d.rule.code, "label": str(d.rule.label), "earliest": d.earliest, "deadline": d.deadline,
                 "overdue": d.overdue, "blocked_by": d.blocked_by} for d in next_steps(obj)]


class StepInputSerializer(serializers.Serializer):
    """One step; the rules (order, periods, the public notice's working days) are the pipeline's, and a refusal
    answers 400 naming the field at fault ("code" for a step out of order or a missing assessment)."""

    code = serializers.ChoiceField(choices=_step_choices())
    date = serializers.DateField(validators=[validate_plausible_date],
                                 help_text="For a public notice (publicity): its first day")
    ends_on = serializers.DateField(required=False, allow_null=True, validators=[validate_plausible_date],
                                    help_text="publicity only: the notice's last day")
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="Required for a late step: the reason for the delay")
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    people = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    introducers = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Member.objects.all())
    contacts = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Member.objects.all(),
                                                  help_text="contacts only: the two cultivation contacts (培养联系人)")
    training_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=365)
    training_hours = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2000)
    extension_months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=24)

    def _in_scope(self, members):
        # Only members the caller may see: the rule's message names an unsuitable introducer, which must not
        # reveal a person outside the caller's scope (OWASP API1:2023, broken object level authorization).
        visible = set(Member.objects.restrict(self.context["request"].user).filter(
            pk__in=[m.pk for m in members]).values_list("pk", flat=True))
        if any(m.pk not in visible for m in members):
            raise serializers.ValidationError("党员不存在或不在您的管辖范围内。")
        return members

    def validate_introducers(self, members):
        return self._in_scope(members)

    def validate_contacts(self, members):
        return self._in_scope(members)


class ApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet
    permission_classes = [ScopedWritePermission]
    base_queryset = Application.objects.all()

    def get_queryset(self):
        return Application.objects.restrict(self.request.user).select_related("organization").prefetch_related(
            "steps__introducers", "steps__contacts")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        applied_on = data.pop("applied_on", None) or timezone.localdate()
        if not Organization.objects.restrict(self.request.user).filter(pk=data["organization"].pk).exists():
            raise ValidationError({"organization": ["党组织不存在或不在您的管辖范围内。"]})
        try:
            serializer.instance = create_application(user=self.request.user, applied_on=applied_on, **data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    @extend_schema(request=StepInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        application = self.get_object()
        data = StepInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            record_step(application, StepInput(**data.validated_data), user=request.user)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(ApplicationSerializer(self.get_queryset().get(pk=application.pk),
                                              context={"request": request}).data, status=201)


class TransferSerializer(serializers.ModelSerializer):
    member_name = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = ["id", "member", "member_name", "direction", "from_organization", "to_organization",
                  "external_organization", "scope", "issued_by", "requested_on", "letter_no", "issue_date",
                  "valid_until", "state", "received_on", "completed_on", "receipt_returned_on", "reason"]
        read_only_fields = fields

    def get_member_name(self, obj) -> str:
        return obj.person_name


class TransferIssueSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    to_organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                                         allow_null=True)
    external_organization = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    scope = serializers.ChoiceField(choices=LetterScope.choices, required=False,
                                    help_text="where the letter goes (sets its validity); internal: within_city")
    issued_by = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True,
        help_text="the organization with transfer authority that issues the letter; default: the nearest one above "
                  "the member's branch, when the caller acts for it — otherwise the transfer is only requested")
    issue_date = serializers.DateField(required=False)
    letter_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate_member(self, member):
        if not Member.objects.restrict(self.context["request"].user).filter(pk=member.pk).exists():
            raise serializers.ValidationError("党员不存在或不在您的管辖范围内。")
        return member

    def validate_issued_by(self, org):
        if org is not None and not Organization.objects.restrict(self.context["request"].user).filter(
                pk=org.pk).exists():
            raise serializers.ValidationError("党组织不存在或不在您的管辖范围内。")
        return org


class TransferIssueLetterSerializer(serializers.Serializer):
    issue_date = serializers.DateField(required=False)
    letter_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)


class TransferActionSerializer(serializers.Serializer):
    on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TransferViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    permission_classes = [ScopedWritePermission]
    base_queryset = Transfer.objects.all()

    def get_queryset(self):
        return Transfer.objects.restrict(self.request.user).select_related("member")

    @extend_schema(request=TransferIssueSerializer, responses=TransferSerializer)
    def create(self, request):
        data = TransferIssueSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        member = values.pop("member")
        authority = transfers.transfer_authority_for(member.organization)
        acts_for_authority = values.get("issued_by") is not None or (
            authority is not None and Organization.objects.restrict(request.user).filter(pk=authority.pk).exists())
        try:
            if acts_for_authority:
                transfer = transfers.issue_transfer(member, user=request.user, **values)
            else:
                # A branch secretary requests; the authority issues (`POST /api/transfers/{id}/issue/`).
                transfer = transfers.request_transfer(
                    member, to_organization=values.get("to_organization"), scope=values.get("scope"),
                    external_organization=values.get("external_organization", ""), reason=values.get("reason", ""),
                    user=request.user)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(TransferSerializer(transfer).data, status=201)

    @extend_schema(request=TransferIssueLetterSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """The authority issues a requested letter (number, date, validity by destination)."""
        transfer = self.get_object()
        if not transfers.may_act(request.user, transfer, "issue"):
            raise PermissionDenied("介绍信须由有组织关系接转权限的党组织(基层党委或组织部门)开具。")
        data = TransferIssueLetterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = transfers.issue_letter(transfer, issue_date=data.validated_data.get("issue_date"),
                                            letter_no=data.validated_data.get("letter_no", ""), user=request.user)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(TransferSerializer(result).data)

    def _act(self, request, fn, extra):
        transfer = self.get_object()
        action = {"receive": "receive", "complete": "complete", "return_letter": "return"}[fn.__name__]
        if not transfers.may_act(request.user, transfer, action):
            raise PermissionDenied("此操作须由转接的另一方(接收党组织)办理。")
        data = TransferActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = fn(transfer, user=request.user, **extra(data.validated_data))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(TransferSerializer(result).data)

    @extend_schema(request=TransferActionSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        return self._act(request, transfers.receive, extra=lambda d: {"on": d.get("on")})

    @extend_schema(request=TransferActionSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(request, transfers.complete, extra=lambda d: {"on": d.get("on")})

    @extend_schema(request=TransferActionSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_letter(self, request, pk=None):
        return self._act(request, transfers.return_letter, extra=lambda d: {"reason": d.get("reason", "")})


class DuesBaseSerializer(serializers.ModelSerializer):
    base = serializers.CharField(help_text="Decimal string, e.g. '4500.00'")

    class Meta:
        model = DuesBase
        fields = ["id", "member", "category", "base", "declared_amount", "effective_month"]
        validators = []  # a second base for the same month replaces the first (service)


class DuesPaymentSerializer(serializers.ModelSerializer):
    amount = serializers.CharField(required=False, allow_blank=True, help_text="Decimal string; empty: amount due")
    paid_on = serializers.DateField(required=False, help_text="Default: today")

    class Meta:
        model = DuesPayment
        fields = ["id", "member", "month", "amount", "method", "paid_on"]
        validators = []  # the one-payment-per-month rule is checked by the service, with its own message


class _DuesViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [ScopedWritePermission]
    filterset_fields = ["member"]

    def get_queryset(self):
        return self.base_queryset.restrict(self.request.user).order_by("-pk")

    def _member(self, serializer):
        member = serializer.validated_data["member"]
        if not Member.objects.restrict(self.request.user).filter(pk=member.pk).exists():
            raise ValidationError({"member": ["党员不存在或不在您的管辖范围内。"]})
        return member


class DuesBaseViewSet(_DuesViewSet):
    serializer_class = DuesBaseSerializer
    base_queryset = DuesBase.objects.all()

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = dues.declare_base(
                # category and method are optional in the API: absent, they take the model's default.
                self._member(serializer), category=data.get("category", DuesBase._meta.get_field("category").default),
                base=data["base"],
                declared_amount=data.get("declared_amount"), effective_month=data["effective_month"],
                user=self.request.user)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class DuesPaymentViewSet(_DuesViewSet):
    serializer_class = DuesPaymentSerializer
    base_queryset = DuesPayment.objects.all()

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = dues.record_payment(
                self._member(serializer), month=data["month"], amount=data.get("amount"),
                method=data.get("method", DuesPayment._meta.get_field("method").default),
                paid_on=data.get("paid_on"), user=self.request.user)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class DuesReliefSerializer(serializers.ModelSerializer):
    amount = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                   help_text="Decimal string: the reduced monthly amount (少交); empty for 免交")

    class Meta:
        model = DuesRelief
        fields = ["id", "member", "kind", "amount", "start_month", "end_month", "reason", "approved_by",
                  "approved_on"]


class DuesReliefViewSet(_DuesViewSet):
    """Approved reductions and exemptions (少交/免交) of members in the caller's scope."""

    serializer_class = DuesReliefSerializer
    base_queryset = DuesRelief.objects.all()

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = dues.grant_relief(
                self._member(serializer), kind=data["kind"], amount=data.get("amount"),
                start_month=data["start_month"], end_month=data["end_month"], reason=data["reason"],
                approved_by=data["approved_by"], approved_on=data["approved_on"], user=self.request.user)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class ArrearsRowSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    months = serializers.ListField(child=serializers.CharField(help_text="YYYY-MM"))
    amount = serializers.CharField(help_text="decimal yuan")


class ArrearsSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    arrears = ArrearsRowSerializer(many=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Member._meta.get_field("status").choices)
    organization = serializers.IntegerField()
    id_number_masked = serializers.CharField()
    phone_masked = serializers.CharField()
    transfers = TransferSerializer(many=True)
    payments = DuesPaymentSerializer(many=True)
    monthly_due = serializers.CharField(help_text="decimal yuan; empty when no dues base applies")


class ArrearsAPIView(APIView):
    """Members of an organization (with its subtree) with unpaid months; 404 for an organization outside the
    caller's scope (or none given)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("organization", OpenApiTypes.INT, required=True)],
                   responses={200: ArrearsSerializer, 404: NOT_FOUND})
    def get(self, request):
        org_id = request.query_params.get("organization", "")
        org = Organization.objects.restrict(request.user).filter(pk=org_id).first() if org_id.isdigit() else None
        if org is None:
            raise Http404
        members = Member.objects.restrict(request.user).filter(org.subtree_q())
        return Response({"organization": org.pk, "arrears": [
            {"member": a.member.pk, "name": a.member.name, "months": [m.strftime("%Y-%m") for m in a.months],
             "amount": str(a.amount)} for a in dues.arrears(members)]})


class MeAPIView(APIView):
    """The signed-in member's own record, transfers and dues (masked personal data)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: MeSerializer, 404: OpenApiResponse(
        ErrorDetailSerializer, description="您的账号没有关联党员信息 / the account is not a member's")})
    def get(self, request):
        member = Member.objects.restrict(request.user).filter(
            pk__in=request.user.role_assignments.filter(role="member").values("member")).first()
        if member is None:
            raise Http404
        return Response({
            "id": member.pk, "name": member.name, "status": member.status, "organization": member.organization_id,
            "id_number_masked": member.id_number_masked, "phone_masked": member.phone_masked,
            "transfers": TransferSerializer(Transfer.objects.filter(member=member), many=True).data,
            "payments": DuesPaymentSerializer(member.dues_payments.order_by("-month"), many=True).data,
            "monthly_due": str(dues.amount_due(member, timezone.localdate()) or ""),
        })
