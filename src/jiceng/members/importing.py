"""Excel import of party member rosters."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter

from django.utils.translation import gettext_lazy as _

from jiceng.core.importing import (
    ChoiceParser,
    CodeResolver,
    ImportColumn,
    ImportSpec,
    TreeNameResolver,
    parse_bool,
    parse_code,
    parse_date,
    parse_id_number,
    parse_mobile,
    pinyin_setter,
)
from jiceng.core.validators import mask_id_number, mask_phone
from jiceng.enterprises.models import Enterprise
from jiceng.organizations.models import Organization

from .identity import GENERIC_CONFLICT
from .models import Education, Gender, Member, MemberStatus


def organization_resolver() -> TreeNameResolver:
    return TreeNameResolver(Organization, _("党组织"))


def employer_resolver() -> CodeResolver:
    return CodeResolver(Enterprise, "credit_code", _("工作单位统一社会信用代码"))


MEMBER_IMPORT = ImportSpec(
    model=Member,
    columns=(
        ImportColumn(_("姓名"), "name", required=True, example="张三"),
        ImportColumn(_("性别"), "gender", ChoiceParser(Gender), required=True, example="男"),
        ImportColumn(_("民族"), "ethnicity", example="汉族", help=_("留空为“汉族”。")),
        ImportColumn(_("出生日期"), "birth_date", parse_date, required=True, example=dt.date(1990, 5, 17),
                     help=_("日期单元格或 YYYY-MM-DD 文本;须与身份证号码一致。")),
        ImportColumn(_("公民身份号码"), "id_number", parse_id_number, required=True, example="310110199005170255",
                     mask=mask_id_number, help=_("18 位,请以文本格式填写;不能与系统中已有党员重复。")),
        ImportColumn(_("手机号码"), "phone", parse_mobile, example="13812345678", mask=mask_phone,
                     help=_("11 位手机号码,可带 +86。")),
        ImportColumn(_("学历"), "education", ChoiceParser(Education), example="大学本科"),
        ImportColumn(_("入党日期"), "join_date", parse_date, required=True, example=dt.date(2015, 7, 1),
                     help=_("入党时应年满十八岁,且不晚于今天。")),
        ImportColumn(_("转正日期"), "full_date", parse_date, example=dt.date(2016, 7, 1),
                     help=_("不能早于入党日期。")),
        ImportColumn(_("党员类别"), "status", ChoiceParser(MemberStatus), example="正式党员",
                     help=_("留空为“正式党员”。")),
        ImportColumn(_("所在党组织"), "organization", required=True, resolver=organization_resolver,
                     example="创智天地联合党支部",
                     help=_("党支部、联合党支部或临时党支部的名称,须在您的管辖范围内(党员不能直接隶属于党委、"
                            "党总支或党小组);重名时写成“上级/名称”。")),
        ImportColumn(_("工作单位统一社会信用代码"), "employer", parse_code, resolver=employer_resolver,
                     example="91310110MA1G8B2K3Q", display=attrgetter("credit_code"),
                     help=_("须为系统中已有、在您管辖范围内的单位;可留空。")),
        ImportColumn(_("居住地"), "residence", example="上海市杨浦区国权路"),
        ImportColumn(_("流动党员"), "is_mobile", parse_bool, example="否", help=_("填写“是”或“否”,留空为“否”。")),
    ),
    before_save=pinyin_setter("name"),
    conflict_elsewhere=GENERIC_CONFLICT,
)
