"""The default demand categories of domain.md, with a default deadline in working days each."""

from django.db import migrations

CATEGORIES = [
    # code, name, English name, what belongs there, deadline (working days)
    ("policy", "政策咨询与申报", "Policy and subsidies", "政策、补贴、项目与资质申报", 10),
    ("registration", "注册登记与证照", "Registration and licences", "企业注册、证照办理、地址变更、集中注册", 5),
    ("office_space", "办公用房与租赁", "Office space and leases", "租约到期、续租、租金、搬迁、找办公用房", 5),
    ("talent", "人才与落户", "Talent and residence", "人才计划、落户、居住证、人才公寓", 10),
    ("employment", "用工招聘与劳动关系", "Hiring and labour relations", "招聘、招聘会、劳动争议、社会保险", 5),
    ("finance", "融资与金融服务", "Finance", "贷款、融资、投资对接、银行服务", 10),
    ("tax", "税务服务", "Tax services", "纳税申报、发票、税收优惠", 5),
    ("legal", "法律与纠纷调解", "Legal advice and mediation", "法律咨询、合同、纠纷、调解", 7),
    ("property", "物业与设施", "Property and facilities", "楼宇设施、维修、停水停电、电梯、物业管理", 3),
    ("parking_traffic", "停车与交通", "Parking and transport", "停车、通勤、班车、共享单车", 5),
    ("dining", "餐饮与白领午餐", "Dining and lunch", "午餐、食堂、餐饮服务", 5),
    ("health", "医疗健康", "Health", "门诊、用药、体检、急救", 5),
    ("wellbeing", "心理关爱", "Wellbeing", "压力、心理咨询、员工关爱", 5),
    ("culture_sports", "文体活动与交友", "Culture, sports and social life", "运动、社团、阅读、联谊、交友", 10),
    ("family_education", "子女教育与亲子", "Children and family", "入学、托育、亲子活动", 10),
    ("party_affairs", "党务服务", "Party affairs", "入党、组织关系转接、党费、组织生活", 5),
    ("safety_environment", "安全与环境", "Safety and environment", "消防、治安、环境卫生、垃圾、噪声", 3),
    ("volunteer_charity", "志愿公益", "Volunteering and charity", "志愿服务、慈善、捐赠、社区服务", 10),
    ("other", "其他", "Other", "其他事项", 10),
]


def load(apps, schema_editor):
    Category = apps.get_model("demands", "Category")
    for order, (code, name, name_en, description, days) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "description": description, "deadline_days": days, "order": order})


def unload(apps, schema_editor):
    apps.get_model("demands", "Category").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("demands", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
