"""The default signal types, thresholds and playbooks (installed by a data migration; admins edit them later).

Calibration (seed 003's example: lease ending + new development needs → "fairly unstable"):
lease ending within 3 months (30) + expansion need (−20) + their combination "outgrowing premises" (50) = 60
→ orange; lease ending within 3 months (30) + intends to move (40) = 70 → orange; adding an intention to shrink (25)
→ 95 → red; a lease ending within 6 months alone (15) → blue; one overdue demand (10) → blue.
"""

from __future__ import annotations

# code, name, description, weight, allow_negative, live_days, source_kind, window_days, group
SIGNAL_TYPES = [
    ("lease_ending_3m", "租约3个月内到期", "租约到期日在今后90天内,或走访中获知即将到期", 30, False, 90, "lease", 90,
     "lease"),
    ("lease_ending_6m", "租约6个月内到期", "租约到期日在今后91至180天内", 15, False, 180, "lease", 180, "lease"),
    ("intends_to_move", "有迁出意向", "企业表示有意迁出本区", 40, False, 180, "recorded", None, "intends_to_move"),
    ("intends_to_shrink", "有缩减规模意向", "企业表示将缩减人员或面积", 25, False, 180, "recorded", None,
     "intends_to_shrink"),
    ("headcount_falling", "员工人数下降", "从业人员明显减少", 20, False, 180, "recorded", None, "headcount_falling"),
    ("rent_arrears", "拖欠租金", "物业反映企业拖欠租金", 25, False, 90, "recorded", None, "rent_arrears"),
    ("registration_moved", "注册地迁出", "注册地址已迁往外区", 50, False, 365, "recorded", None,
     "registration_moved"),
    ("overdue_demand", "需求超期未办结", "企业提出的需求已受理或派单但超过办理期限(每件计分)", 10, False, 30,
     "overdue_demand", None, ""),
    ("repeated_complaints", "反复投诉", "短期内多次投诉同类问题", 15, False, 90, "recorded", None,
     "repeated_complaints"),
    ("expansion_need", "有扩租/新增发展需求", "企业有扩租或新增发展需求(稳定因素,减分)", -20, True, 180, "recorded",
     None, "expansion_need"),
    ("outgrowing_premises", "租约到期且需扩租(可能外迁)", "租约即将到期,同时有扩租或新增发展需求:现址容纳不下,"
     "若本区找不到合适办公单元,企业很可能迁出(见走访组合规则)", 50, False, 90, "recorded", None, ""),
    ("manual", "其他情况", "工作人员根据实际情况录入(每条计分)", 10, True, 90, "recorded", None, ""),
]

# code → English name (decision 049: reference data in both languages; filled in by the data migration risk/0005
# for the default rows, editable by admins)
SIGNAL_TYPE_NAMES_EN = {
    "lease_ending_3m": "Lease ends within 3 months",
    "lease_ending_6m": "Lease ends within 6 months",
    "intends_to_move": "Intends to move out",
    "intends_to_shrink": "Intends to downsize",
    "headcount_falling": "Headcount falling",
    "rent_arrears": "Rent arrears",
    "registration_moved": "Registered address moved away",
    "overdue_demand": "Demand overdue",
    "repeated_complaints": "Repeated complaints",
    "expansion_need": "Plans to expand (more space or new business)",
    "outgrowing_premises": "Lease ending and needs more room (may move out)",
    "manual": "Other circumstances",
}

# level → lowest score of the level (strictly increasing)
THRESHOLDS = {1: 0, 2: 10, 3: 30, 4: 60, 5: 90}

# level → (action, role, within working days)
PLAYBOOKS = {
    5: ("街道会同区投资促进办上门走访,了解迁出原因,协调办公用房与政策支持,制定稳商方案", "street_staff", 1),
    4: ("街道会同区投资促进办上门走访,帮助寻找新办公单元、协助办理登记变更等事项", "street_staff", 3),
    3: ("街道工作人员走访企业,核实风险信号并跟踪需求办理", "street_staff", 10),
    2: ("楼宇党群工作者按月走访,关注租约与经营变化", "building_worker", 22),
    1: ("楼宇党群工作者按季度走访", "building_worker", 66),
}

PLAYBOOKS_EN = {
    5: "The street and the district investment promotion office visit together, learn why the enterprise would "
       "leave, arrange office space and policy support, and draw up a plan to keep it",
    4: "The street and the district investment promotion office visit together, help find new office space and "
       "help with registration changes",
    3: "Street staff visit the enterprise, check the risk signals and follow its demands",
    2: "The building's party worker visits monthly, watching the lease and the business",
    1: "The building's party worker visits quarterly",
}

# Findings that mean more together than apart (seed 003: the lease ends and the company needs more room →
# "fairly unstable"): when a visit records all findings of a set, the combined signal is recorded too.
VISIT_COMBINATIONS = [
    ({"lease_ending", "expansion_need"}, "outgrowing_premises"),
]

# Visit findings (demands.visits.SIGNAL_CHOICES codes) → signal type codes; lease_ending is resolved by lease end.
VISIT_SIGNAL_MAP = {
    "lease_ending": "lease_ending_3m",
    "intends_to_move": "intends_to_move",
    "intends_to_shrink": "intends_to_shrink",
    "headcount_falling": "headcount_falling",
    "rent_arrears": "rent_arrears",
    "registration_moved": "registration_moved",
    "expansion_need": "expansion_need",
}


def fill_english(apps=None) -> None:
    """English names for the default rows that have none yet, where the Chinese is still the default's (an admin's
    own wording is not overwritten with a translation of something else)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    SignalType = apps.get_model("risk", "SignalType")
    Playbook = apps.get_model("risk", "Playbook")
    FollowUp = apps.get_model("risk", "FollowUp")
    for code, name, *_rest in SIGNAL_TYPES:
        SignalType.objects.filter(code=code, name=name, name_en="").update(name_en=SIGNAL_TYPE_NAMES_EN[code])
    for level, (action, _role, _days) in PLAYBOOKS.items():
        Playbook.objects.filter(level=level, action=action, action_en="").update(action_en=PLAYBOOKS_EN[level])
        FollowUp.objects.filter(action=action, action_en="").update(action_en=PLAYBOOKS_EN[level])


def install(apps=None) -> None:
    """Create whatever default rows are missing (idempotent; existing rows, possibly edited, are kept)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    SignalType = apps.get_model("risk", "SignalType")
    LevelThreshold = apps.get_model("risk", "LevelThreshold")
    Playbook = apps.get_model("risk", "Playbook")
    # Migration 0002 runs this on the models as they were then (without the English fields, added by 0004).
    type_fields = {f.name for f in SignalType._meta.get_fields()}
    playbook_fields = {f.name for f in Playbook._meta.get_fields()}
    for order, (code, name, description, weight, negative, live, kind, window, group) in enumerate(SIGNAL_TYPES):
        values = {"name": name, "name_en": SIGNAL_TYPE_NAMES_EN.get(code, ""), "description": description,
                  "weight": weight, "allow_negative": negative, "live_days": live, "source_kind": kind,
                  "window_days": window, "group": group, "order": order}
        SignalType.objects.get_or_create(code=code, defaults={k: v for k, v in values.items() if k in type_fields})
    if not LevelThreshold.objects.exists():
        LevelThreshold.objects.bulk_create(LevelThreshold(level=level, min_score=score)
                                           for level, score in THRESHOLDS.items())
    for level, (action, role, days) in PLAYBOOKS.items():
        values = {"action": action, "action_en": PLAYBOOKS_EN[level], "role": role, "within_working_days": days}
        Playbook.objects.get_or_create(level=level, defaults={k: v for k, v in values.items() if k in playbook_fields})
