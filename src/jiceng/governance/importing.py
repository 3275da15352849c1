"""Excel import of the four officers' assignments (四大员包干): one row per enterprise and kind."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiceng.core.importing import ChoiceParser, CodeResolver, ImportColumn, ImportSpec, chunked, parse_code
from jiceng.enterprises.models import Enterprise

from .models import OfficerAssignment, OfficerKind


class UsernameResolver:
    """Officers by their login name (active accounts); whether the enterprise is in their scope is the model's
    rule (OfficerAssignment.clean)."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.by_key: dict[str, object] = {}

    def collect(self, key: str) -> None:
        self.keys.add(key)

    def prepare(self, user) -> None:
        for chunk in chunked(sorted(self.keys)):
            for person in get_user_model().objects.filter(username__in=chunk, is_active=True):
                self.by_key[person.username] = person

    def resolve(self, key: str):
        person = self.by_key.get(key)
        if person is None:
            raise ValidationError(_("未找到登录名为“%(value)s”的用户。"), params={"value": key})
        return person


OFFICER_IMPORT = ImportSpec(
    model=OfficerAssignment,
    columns=(
        ImportColumn(_("统一社会信用代码"), "enterprise", parse_code, required=True,
                     resolver=lambda: CodeResolver(Enterprise, "credit_code", _("企业")),
                     example="91310115MA1H7X2K3Q", help=_("企业的 18 位代码,须在您的管辖范围内。")),
        ImportColumn(_("类别"), "kind", ChoiceParser(OfficerKind), required=True, example="党建指导员"),
        ImportColumn(_("负责人登录名"), "person", required=True, resolver=UsernameResolver, example="officer_party",
                     help=_("负责人的系统登录名;该企业须在其管辖范围内。")),
        ImportColumn(_("备注"), "note"),
    ),
)
