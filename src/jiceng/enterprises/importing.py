"""Excel import of enterprises and social organizations (two-new organizations)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiceng.core.importing import (
    ChoiceParser,
    ImportColumn,
    ImportSpec,
    TreeNameResolver,
    parse_code,
    parse_date,
    parse_int,
    pinyin_setter,
)
from jiceng.places.models import Place

from .models import Enterprise, EnterpriseKind, Industry, Ownership

_set_pinyin = pinyin_setter("name")


def before_save(objects: list[Enterprise]) -> None:
    """What Enterprise.save() / Located.save() compute, for rows inserted with bulk_create."""
    _set_pinyin(objects)
    for obj in objects:
        obj.district_id, obj.street_id = obj.place.district_id, obj.place.street_id


def place_resolver() -> TreeNameResolver:
    return TreeNameResolver(Place, _("地域"))


ENTERPRISE_IMPORT = ImportSpec(
    model=Enterprise,
    columns=(
        ImportColumn(_("名称"), "name", required=True, example="上海示例科技有限公司",
                     help=_("单位全称。")),
        ImportColumn(_("统一社会信用代码"), "credit_code", parse_code, required=True, example="91310110MA1G8B2K3Q",
                     help=_("18 位,请以文本格式填写;不能与系统中已有单位重复。")),
        ImportColumn(_("类别"), "kind", ChoiceParser(EnterpriseKind), example="企业",
                     help=_("留空为“企业”。")),
        ImportColumn(_("经济类型"), "ownership", ChoiceParser(Ownership), example="民营",
                     help=_("留空为“民营”。")),
        ImportColumn(_("行业门类"), "industry", ChoiceParser(Industry), example="I",
                     help=_("国民经济行业分类门类字母(如 I),也可填写名称。")),
        ImportColumn(_("从业人员数"), "employees", parse_int, example=56, help=_("非负整数,留空为 0。")),
        ImportColumn(_("所在地域"), "place", required=True, resolver=place_resolver, example="创智天地1号楼",
                     help=_("园区、商务楼宇、楼栋或楼层/单元的名称,须在您的管辖范围内;"
                            "重名时写成“上级/名称”,如“创智天地/1号楼”。")),
        ImportColumn(_("房号"), "unit_no", example="1203"),
        ImportColumn(_("租约到期日"), "lease_end", parse_date, example=dt.date(2027, 6, 30),
                     help=_("日期单元格或 YYYY-MM-DD 文本。")),
        ImportColumn(_("注册地址"), "registered_address", example="上海市杨浦区淞沪路 1 号"),
        ImportColumn(_("实际办公地址"), "actual_address", example="上海市杨浦区淞沪路 1 号 1203 室"),
    ),
    before_save=before_save,
)
