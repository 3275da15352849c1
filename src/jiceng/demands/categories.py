"""The 19 default demand categories (domain.md, "Demands and building visits") as data.

Each entry: code, Chinese name, English name, what belongs there, and the default handling deadline
in working days (counted on the Chinese official calendar by the demand workflow). Facilities and
safety get short deadlines; matters that need other departments (policy, talent, finance, schooling)
get longer ones. The values are the same as the data migration demands/0002_default_categories
seeds the editable ``Category`` table with (admins change them there); keep the two in step.
"""

from __future__ import annotations

from typing import NamedTuple


class Category(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    description: str
    deadline_days: int


CATEGORIES: list[Category] = [
    Category("policy", "政策咨询与申报", "Policy and subsidies", "政策、补贴、项目与资质申报", 10),
    Category("registration", "注册登记与证照", "Registration and licences",
             "企业注册、证照办理、地址变更、集中注册", 5),
    Category("office_space", "办公用房与租赁", "Office space and leases", "租约到期、续租、租金、搬迁、找办公用房", 5),
    Category("talent", "人才与落户", "Talent and residence", "人才计划、落户、居住证、人才公寓", 10),
    Category("employment", "用工招聘与劳动关系", "Hiring and labour relations", "招聘、招聘会、劳动争议、社会保险", 5),
    Category("finance", "融资与金融服务", "Finance", "贷款、融资、投资对接、银行服务", 10),
    Category("tax", "税务服务", "Tax services", "纳税申报、发票、税收优惠", 5),
    Category("legal", "法律与纠纷调解", "Legal advice and mediation", "法律咨询、合同、纠纷、调解", 7),
    Category("property", "物业与设施", "Property and facilities", "楼宇设施、维修、停水停电、电梯、物业管理", 3),
    Category("parking_traffic", "停车与交通", "Parking and transport", "停车、通勤、班车、共享单车", 5),
    Category("dining", "餐饮与白领午餐", "Dining and lunch", "午餐、食堂、餐饮服务", 5),
    Category("health", "医疗健康", "Health", "门诊、用药、体检、急救", 5),
    Category("wellbeing", "心理关爱", "Wellbeing", "压力、心理咨询、员工关爱", 5),
    Category("culture_sports", "文体活动与交友", "Culture, sports and social life", "运动、社团、阅读、联谊、交友", 10),
    Category("family_education", "子女教育与亲子", "Children and family", "入学、托育、亲子活动", 10),
    Category("party_affairs", "党务服务", "Party affairs", "入党、组织关系转接、党费、组织生活", 5),
    Category("safety_environment", "安全与环境", "Safety and environment", "消防、治安、环境卫生、垃圾、噪声", 3),
    Category("volunteer_charity", "志愿公益", "Volunteering and charity", "志愿服务、慈善、捐赠、社区服务", 10),
    Category("other", "其他", "Other", "其他事项", 10),
]

CODES: list[str] = [c.code for c in CATEGORIES]
BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}
DEFAULT_CODE = "other"


def choices() -> list[tuple[str, str]]:
    """(code, Chinese name) pairs for model fields and forms."""
    return [(c.code, c.name_zh) for c in CATEGORIES]
