"""Demo service catalogs, building visits and demands, told from the seeds.

- Seed 001: the station's service list (服务清单) — 34 services of the 五角场 youth community station in the
  groups the seed names (社区服务、志愿公益、人才服务 …) and the five boards of seed 000's "缘聚五角场" youth
  community (乐活、乐聚、乐爱、乐学、乐创); seed 003: the 高和大厦 station that also became an enterprise service
  centre (一网通办, a 24-hour tax kiosk, help finding a new office).
- Seed 003's 跑楼: the 创智天地 building worker's visits over the past three months, with what she found and the
  demands the companies raised; the visit plans move on, so some companies are due for their next visit this week.
- Demands over the past four months in every status and every category: white-collar lunches, shared bikes at the
  park gate, night parking for the neighbourhood, lunchtime TCM consultations, the psychologist's studio, school
  places for migrants' children, transfers of party membership, a charity market …, through every channel
  (visits, the public form, service orders, phone, walk-ins, the members' and unit contacts' own logins). Some open
  ones are past their deadline (and escalated by the daily job, run once at the end), one is due today.

Every step runs through the workflow services at its moment in the story (jiceng.operations.story), so deadlines
are the services' own, counted in working days from the acceptance on the holiday calendar.

Idempotent: the first service of the catalog is the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from jiceng.enterprises.models import Enterprise
from jiceng.operations.story import Story
from jiceng.places.models import Place, PlaceKind

from . import visits, workflow
from .models import Category, Demand, DemandSource, DemandStatus, RequesterKind, Service

S = DemandStatus
SEED = 1921  # seed 001's 党群服务站 at house number "1921"
STREET_WJC, PARK, STATION_WJC, STATION_GH = "五角场街道", "创智天地", "五角场青年社区党群服务站", "高和大厦党群服务站"
PANDA = "上海攀达信息科技有限公司"

# code, name, category, description — seed 001's 34-item service list, in its groups.
SERVICES_WJC: list[tuple[str, str, str, str]] = [
    # 社区服务 (乐活)
    ("wjc-lunch", "白领午餐预订", "dining", "与园区周边餐厅合作的平价白领午餐,工作日 11:30–13:00 到服务站取餐。"),
    ("wjc-tcm", "午间中医咨询", "health", "每月第二个周三午间,社区卫生服务中心中医师在服务站坐诊。"),
    ("wjc-health-check", "白领健康体检预约", "health", "与社区卫生服务中心合作的团体体检,企业或个人均可预约。"),
    ("wjc-first-aid", "急救技能(AED)培训", "health", "红十字会持证教员教授心肺复苏和 AED 使用,合格者发证。"),
    ("wjc-parking", "错峰停车登记", "parking_traffic", "驻区单位夜间和周末开放的停车位,居民和白领登记使用。"),
    ("wjc-green-travel", "绿色出行咨询", "parking_traffic", "共享单车停放点、通勤班车和公交线路咨询。"),
    ("wjc-one-netcom", "“一网通办”代办指导", "registration", "企业开办、变更登记等事项的网上办理指导和帮办。"),
    ("wjc-winter-care", "寒暑假爱心托管班", "family_education", "寒暑假期间为园区双职工家庭的小学生提供托管。"),
    ("wjc-parent-child", "周末亲子活动", "family_education", "亲子阅读、手工和自然探索,每月两场。"),
    # 志愿公益
    ("wjc-vol-green", "绿色出行党员志愿服务", "volunteer_charity",
     "在“绿色出行党员志愿服务区”午休和双休日引导文明停车。"),
    ("wjc-vol-market", "萌娃公益集市", "volunteer_charity",
     "企业党支部和青年社区共办的义卖集市,所得用于资助困难儿童就诊。"),
    ("wjc-vol-elderly", "居民区助老志愿服务", "volunteer_charity", "与居民区党组织结对,上门陪伴独居老人、代办小事。"),
    ("wjc-vol-register", "志愿者注册与时长认定", "volunteer_charity", "志愿者注册、服务时长记录和证明开具。"),
    ("wjc-charity-fund", "社区公益基金项目申请", "volunteer_charity", "街道社区公益基金会专项资金的项目申请指导。"),
    # 人才服务
    ("wjc-hukou", "人才落户与居住证积分咨询", "talent", "应届生落户、人才引进、居住证积分政策解答和材料预审。"),
    ("wjc-apartment", "人才公寓申请指导", "talent", "区人才公寓的申请条件、排队和入住手续。"),
    ("wjc-job-fair", "企业招聘会报名", "employment", "街道每季度举办的园区专场招聘会,企业报名设摊。"),
    ("wjc-labour", "劳动关系咨询", "employment", "劳动合同、社保和劳动争议调解咨询。"),
    ("wjc-career", "职场发展咨询", "employment", "职业规划、简历和面试辅导,每月一次开放日。"),
    # 创业服务 (乐创)
    ("wjc-startup-camp", "创客训练营", "policy", "聘请专家为创客开设的创业课程和项目路演辅导。"),
    ("wjc-policy", "科创政策解读与申报辅导", "policy", "区科委科技企业扶持政策解读、高新技术企业认定辅导。"),
    ("wjc-finance", "投融资对接会", "finance", "与区科创集团合作的项目路演和科技贷款对接,每季度一次。"),
    ("wjc-tax", "财税咨询", "tax", "纳税申报、发票和研发费用加计扣除等税收优惠咨询。"),
    ("wjc-legal", "律师坐班法律咨询", "legal", "每周四下午律师在服务站坐班,合同、劳动和知识产权问题均可咨询。"),
    ("wjc-ip", "知识产权维权咨询", "legal", "商标、专利和软件著作权的申请与维权咨询。"),
    ("wjc-office", "办公空间对接", "office_space", "园区空置办公单元和众创空间工位信息对接。"),
    # 文体交友 (乐聚、乐爱、乐学)
    ("wjc-speech", "演讲训练营", "culture_sports", "“缘聚五角场”乐学板块的演讲训练营,每月一次主题演讲与点评。"),
    ("wjc-badminton", "羽毛球场地预约", "culture_sports", "青年社区羽毛球场地,工作日晚间和周末开放。"),
    ("wjc-football", "“创智杯”足球赛报名", "culture_sports", "园区企业足球联赛,以企业或联队报名。"),
    ("wjc-salon", "文化沙龙", "culture_sports", "读书分享、非遗体验和电影放映。"),
    ("wjc-dating", "青年联谊交友", "culture_sports", "“乐爱”板块的青年交友联谊活动。"),
    # 心理关爱
    ("wjc-psych", "心理疏导(王金丽工作室)", "wellbeing", "心理学教授工作室的讲座和一对一心理疏导,午休时间可预约。"),
    ("wjc-stress", "减压放松工作坊", "wellbeing", "正念、瑜伽和减压小组活动。"),
    # 党务服务
    ("wjc-party", "组织关系转接与党费咨询", "party_affairs", "组织关系转接、流动党员登记和党费交纳咨询。"),
]
# Seed 003: the station in 高和大厦 also hangs the sign of an enterprise service centre.
SERVICES_GH: list[tuple[str, str, str, str]] = [
    ("gh-one-netcom", "“一网通办”政务服务机", "registration", "服务站内的政务服务一体机,企业和个人事项自助办理。"),
    ("gh-tax-kiosk", "24 小时自助税务机", "tax", "发票领用、代开和打印,24 小时自助。"),
    ("gh-office", "新办公单元对接", "office_space", "租约到期或扩租的企业,由企业服务中心对接楼内和周边的办公单元。"),
    ("gh-registration", "集中注册协助", "registration", "迁址企业的集中注册和地址变更协助。"),
    ("gh-reading", "白领阅读角", "culture_sports", "图书借阅和每月读书会。"),
    ("gh-stress", "减压室预约", "wellbeing", "按摩椅、宣泄设备和心理咨询师驻点。"),
]


@dataclass(frozen=True)
class Spec:
    """One demand of the story and how far it has come."""

    key: str
    category: str
    status: str
    ago: int  # submitted this many days before today
    text: str
    where: str = ""  # an enterprise (its name, or "#n": the park's n-th enterprise) or a place's name
    title: str = ""
    source: str = DemandSource.WEB
    # "member" / "unit_contact" (a demo login), a person's name, or "" (the enterprise, or anonymous)
    requester: str = ""
    to: str = ""  # a demo login, or a department's name
    result: str = ""  # the resolution, or why it was rejected
    rating: int | None = None
    comment: str = ""
    into: str = ""  # merged: the key of the demand it duplicates
    service: str = ""  # an order of this service
    due_today: bool = False


# Visits of the 创智天地 building worker: enterprise, days ago, people met, notes, findings, demands raised.
VISITS: list[tuple[str, int, str, str, str, list[Spec]]] = [
    ("#17", 94, "行政经理", "例行走访,了解经营和用工情况。",
     "经营平稳,暂无需求。", []),
    ("#19", 90, "总经理", "例行走访。",
     "企业刚完成 Pre-A 轮融资,计划明年扩招。", []),
    ("上海锐思软件有限公司", 88, "行政总监、党支部书记", "了解企业经营和党建情况。",
     "员工 150 人,今年新招应届生 20 名;希望参加街道的园区专场招聘会。", [
         Spec("v-job-fair", "employment", S.CLOSED, 88,
              "公司明年计划再招 20 名前端和测试工程师,希望报名参加街道春季园区专场招聘会,并在服务站张贴招聘信息。",
              to="街道社区事务受理服务中心",
              result="已为企业预留春季招聘会展位,招聘信息已在服务站和“魅力五角场”公众号发布。")]),
    ("上海蓝鲸云计算科技有限公司", 85, "人力资源部经理", "了解员工关爱需求。",
     "项目集中交付,研发团队连续加班,员工心理压力较大。", [
         Spec("v-psych", "wellbeing", S.CLOSED, 85,
              "研发团队连续加班,员工普遍反映压力大、睡眠差,希望王金丽工作室到公司开展一次心理健康讲座,"
              "并为有需要的员工安排一对一疏导。",
              to="building_worker",
              result="王金丽工作室已到公司开设心理健康讲座,38 人参加;另有 6 名员工预约了一对一疏导。")]),
    ("上海星河互动娱乐科技有限公司", 80, "财务总监", "宣传科创扶持政策。",
     "企业有研发补贴申报意向,但不清楚申报窗口。", [
         Spec("v-subsidy", "policy", S.CLOSED, 80,
              "想了解杨浦区互联网企业研发补贴和高新技术企业认定今年的申报时间、条件,希望有人上门辅导。",
              to="区科委", result="区科委已上门解读政策,企业已完成高新技术企业认定的网上申报。")]),
    ("上海智象数据科技有限公司", 74, "人事主管", "了解人才需求。",
     "新引进两名海外留学回国人员,落户和住房是难点。", [
         Spec("v-talent", "talent", S.ASSIGNED, 74,
              "公司新引进两名海外留学回国的算法工程师,想咨询留学人员落户的办理流程,以及能否申请区人才公寓。",
              to="区人才服务中心")]),
    ("上海拾光信息技术有限公司", 69, "总经理", "例行走访。",
     "经营平稳,党支部活动正常,无特殊需求。", []),
    ("上海创智云谷众创空间管理有限公司", 63, "运营总监", "了解孵化器内创客团队的情况。",
     "入驻 30 多个创客团队,平均年龄 25 岁左右;部分团队融资困难。", [
         Spec("v-finance", "finance", S.CLOSED, 63,
              "孵化器里有几支创客团队产品已经上线,但融资一直没谈下来,希望对接区科创集团的投资和科技型中小企业履约贷。",
              to="区科创集团", result="已组织 5 支创客团队参加科创集团项目路演,其中 2 支进入尽调。")]),
    ("上海瀚海智能科技有限公司", 57, "法务", "了解企业经营风险。",
     "一家客户拖欠服务款项半年,企业有法律咨询需求。", [
         Spec("v-legal", "legal", S.CLOSED, 57,
              "一家客户拖欠我们的软件服务款 40 多万元已经半年,催讨无果,想获得免费的法律咨询,看是否需要起诉。",
              to="街道法律服务站", result="已安排坐班律师提供咨询,协助企业发出律师函,对方已还款一半并约定还款计划。")]),
    ("#9", 50, "行政主管", "安全检查。",
     "消防通道被快递车辆长期占用。", [
         Spec("v-fire", "safety_environment", S.CLOSED, 50,
              "楼下消防通道每天中午都被快递和外卖电动车堵住,一旦有火情消防车进不来,请管理部门处理。",
              to="街道城市管理办", result="已在楼下划设快递临时停放区,城管和物业每天午间巡查,消防通道已保持畅通。")]),
    ("#10", 44, "人事专员", "了解员工家庭需求。",
     "多名员工子女面临入学,希望了解政策。", [
         Spec("v-school", "family_education", S.RESOLVED, 44,
              "公司有几位外地员工的孩子明年要上小学,想了解随迁子女在杨浦入学需要居住证积分还是社保年限,什么时候登记。",
              to="区教育局", result="已把随迁子女入学政策和登记时间整理成问答发给企业,并请区教育局安排专人答疑。")]),
    ("上海攀达信息科技有限公司", 38, "董事长、党支部书记", "了解支部活动和企业发展情况。",
     "支部在园区设立“绿色出行党员志愿服务区”,希望有更多志愿者参与。", [
         Spec("v-green", "volunteer_charity", S.RESOLVED, 38,
              "我们支部在园区设了“绿色出行党员志愿服务区”,午休和双休日引导共享单车停放,希望街道帮忙招募更多志愿者,"
              "并提供统一的马甲和标识。",
              to="street_staff", result="已通过青年社区招募志愿者 15 名,志愿者马甲和标识牌已送到企业。")]),
    ("#13", 31, "人力资源总监", "了解劳动关系。",
     "一名离职员工拒绝交接并申请劳动仲裁,企业希望调解。", [
         Spec("v-labour", "employment", S.ASSIGNED, 31,
              "一名员工离职后拒绝交接工作资料,还申请了劳动仲裁,企业希望先通过调解解决,请问街道有没有调解渠道。",
              to="街道劳动争议调解中心")]),
    ("#14", 26, "财务经理", "宣传税收优惠。",
     "企业希望了解研发费用加计扣除。", [
         Spec("v-tax", "tax", S.CLOSED, 26,
              "想了解研发费用加计扣除今年的新政策,能否安排税务专员到楼里给几家企业一起讲解?",
              to="区税务局", result="税务专员已在服务站开设专场讲解,12 家企业 30 余人参加。")]),
    ("上海星火众创空间管理有限公司", 20, "运营经理", "了解创客党员情况。",
     "创客中有不少党员,希望有适合年轻人的组织生活。", [
         Spec("v-party-youth", "party_affairs", S.ASSIGNED, 20,
              "众创空间里有十几名创客是党员,组织关系分散,希望街道指导我们开展“说学”党课这类年轻人喜欢的组织生活。",
              to="street_staff")]),
    ("#15", 15, "行政主管", "了解楼宇设施问题。",
     "晚间加班时空调停止供冷,员工反映强烈。", [
         Spec("v-aircon", "property", S.ASSIGNED, 15,
              "大楼空调每天晚上 8 点后就停止供应,研发人员加班时室内又闷又热,能否延长供冷时间或者按楼层单独开启?",
              to="创智天地园区物业服务中心")]),
    ("上海云帆网络科技有限公司", 5, "党支部书记", "指导支部建设。",
     "支部有 8 名正式党员,只设书记,未设支部委员会。", [
         Spec("v-committee", "party_affairs", S.ACCEPTED, 5,
              "我们支部正式党员已经 8 名了,想按规定选举产生支部委员会,请街道党工委指导换届选举的程序。")]),
    ("#16", 6, "行政专员", "了解员工生活需求。",
     "员工反映午餐难。", [
         Spec("v-lunch", "dining", S.ACCEPTED, 6,
              "园区周边中午吃饭排队要半小时,员工希望能订到平价的白领午餐,最好能送到楼下。")]),
    ("#20", 3, "人事专员", "了解员工文体需求。",
     "员工想组队参加“创智杯”足球赛。", [
         Spec("v-football", "culture_sports", S.SUBMITTED, 3,
              "公司有十来个同事想参加今年的“创智杯”足球赛,人数不够组一支队,能不能和楼里其他企业拼一支联队?")]),
    ("#25", 1, "总经理", "例行走访。",
     "经营稳定,员工 41 人,无特殊需求。", []),
]

# Demands raised through the other channels.
DEMANDS: list[Spec] = [
    # --- 创智天地 and the 五角场 street ------------------------------------------------------------------
    Spec("lunch", "dining", S.CLOSED, 112,
         "创智天地周边中午吃饭排队久、价格偏贵,外卖也要等很久。听说五里桥街道推出了“白领午餐”项目,"
         "希望我们园区也能对接平价午餐。",
         where=PARK, title="园区白领午餐贵、选择少", source=DemandSource.PUBLIC, requester="王女士", to="street_staff",
         result="已对接园区周边 3 家餐厅推出 20 元白领午餐套餐,并在服务清单上线“白领午餐预订”。", rating=5,
         comment="午餐便宜又方便,点赞!"),
    Spec("speech", "culture_sports", S.CLOSED, 108,
         "我想预约:演讲训练营。想提高公开演讲能力,每月的主题演讲我都想参加。",
         requester="周先生", to="building_worker", result="已为其报名本季度演讲训练营。", service="wjc-speech"),
    Spec("branch-registration", "registration", S.CLOSED, 104,
         "我想预约:“一网通办”代办指导。公司新设立一家分公司,想在园区办理注册登记,需要准备哪些材料?",
         requester="unit_contact", to="街道社区事务受理服务中心",
         result="已指导企业在“一网通办”完成分公司设立登记,营业执照已领取。", rating=5,
         comment="帮办很专业,一次就办好了。", service="wjc-one-netcom"),
    Spec("party-transfer", "party_affairs", S.CLOSED, 99,
         "我刚入职攀达科技,是党员,组织关系还在原来的学校,想转到攀达科技党支部,需要办理哪些手续?",
         where="创智天地1号楼", title="新入职党员组织关系转接", requester="周一鸣", to="street_staff",
         result="已告知转接流程:由原学校党委开具介绍信,攀达科技党支部接收;已登记跟进。", rating=5),
    Spec("night-parking", "parking_traffic", S.CLOSED, 95,
         "我们老小区晚上停车太难了,听说园区地下车库晚上是空的,能不能向居民错峰开放?",
         where=PARK, title="居民夜间停车难", source=DemandSource.PHONE, requester="国和居民区 李阿姨",
         to="street_staff",
         result="已通过区域化党建联席会议协调园区地下车库夜间开放 40 个错峰停车位,居民到居委会登记使用。"),
    Spec("tcm-order", "health", S.CLOSED, 82,
         "我想预约:午间中医咨询。颈椎和肩膀长期酸痛,想请中医看看。",
         requester="陈女士", to="building_worker", result="已预约本月第二个周三 12:10 的中医咨询。", rating=4,
         service="wjc-tcm"),
    Spec("dues", "party_affairs", S.CLOSED, 66,
         "我是外省来沪工作的流动党员,想了解在园区怎样按月交党费、参加组织生活。",
         where=PARK, title="流动党员参加组织生活", source=DemandSource.PHONE, requester="马先生", to="building_worker",
         result="已介绍其到五角场街道互联网企业联合党支部参加组织生活,党费可由支部按月收缴。"),
    Spec("hukou", "talent", S.CLOSED, 60,
         "今年刚毕业入职园区企业,想咨询应届毕业生直接落户的评分标准和需要的材料。",
         where=PARK, title="应届生落户咨询", source=DemandSource.WALK_IN, requester="吴同学", to="区人才服务中心",
         result="已解答应届生落户评分办法,并协助预约区人才服务中心窗口。", rating=4),
    Spec("football", "culture_sports", S.CLOSED, 58,
         "我想预约:“创智杯”足球赛报名。我们公司想报名今年的比赛。",
         requester="unit_contact", to="building_worker", result="已报名,分在 B 组。", rating=5, service="wjc-football"),
    Spec("elevator", "property", S.CLOSED, 52,
         "3 号楼电梯从昨天起一直停在 12 层不动,员工上下班只能走楼梯,请尽快报修。",
         where="创智天地3号楼", title="3 号楼电梯故障", source=DemandSource.PHONE, requester="3号楼 前台",
         to="创智天地园区物业服务中心", result="物业已更换电梯控制板,电梯恢复运行。"),
    Spec("elevator-dup", "property", S.MERGED, 51,
         "3 号楼的电梯坏了,好多人在一楼等,请物业快来修。",
         where="创智天地3号楼", source=DemandSource.PUBLIC, into="elevator"),
    Spec("green-volunteer", "volunteer_charity", S.CLOSED, 45,
         "我想预约:绿色出行党员志愿服务。周末两天都可以参加。",
         requester="member", to="building_worker", result="已安排在本周六上午的志愿服务班次。", rating=5,
         comment="第一次参加志愿服务,很有意义。", service="wjc-vol-green"),
    Spec("refund", "other", S.REJECTED, 40,
         "网购的耳机商家一直不给退款,请街道帮我催一下。",
         where=PARK, source=DemandSource.PUBLIC,
         result="不属于党群服务站受理范围,已告知可拨打 12315 或向购物平台投诉。"),
    Spec("tax-order", "tax", S.CLOSED, 39,
         "我想预约:财税咨询。小规模纳税人转一般纳税人有什么影响?",
         requester="刘会计", to="区税务局", result="税务专员已电话解答,并发送了政策文件。", service="wjc-tax"),
    Spec("bikes", "parking_traffic", S.ASSIGNED, 35,
         "早高峰淞沪路园区门口共享单车停得满满当当,人行道都被堵住了,希望划定停放点,并安排志愿者引导。",
         where=PARK, title="园区门口共享单车乱停", source=DemandSource.PUBLIC, requester="赵先生",
         to="building_worker"),
    Spec("bikes-dup", "parking_traffic", S.MERGED, 33,
         "园区门口共享单车太多了,走路都过不去,请管一管。",
         where=PARK, source=DemandSource.PUBLIC, into="bikes"),
    Spec("stable-jobs", "policy", S.ACCEPTED, 30,
         "想了解稳岗补贴今年的申领条件和截止时间,我们去年没来得及申请。",
         where="#30", title="稳岗补贴申领咨询", source=DemandSource.PHONE),
    Spec("job-fair", "employment", S.CLOSED, 28,
         "我想预约:企业招聘会报名。需要一个展位,招聘 5 名销售。",
         requester="钱经理", to="街道社区事务受理服务中心", result="已安排春季招聘会 12 号展位。", rating=5,
         service="wjc-job-fair"),
    Spec("ip", "legal", S.ASSIGNED, 25,
         "我想预约:知识产权维权咨询。我们的 App 被人仿冒上架,想咨询商标和软件著作权维权。",
         requester="孙先生", to="街道法律服务站", service="wjc-ip"),
    Spec("charity-market", "volunteer_charity", S.RESOLVED, 19,
         "我们支部想在园区举办“萌娃公益集市”,义卖所得用于资助困难儿童就诊,需要场地和志愿者支持。",
         where=PARK, title="萌娃公益集市需要场地和志愿者", requester="园区某电商企业党支部 吕先生", to="street_staff",
         result="已协调青年社区广场作为场地,乐活志愿服务队 20 人到场支持。"),
    Spec("ad", "other", S.REJECTED, 18,
         "本公司专业供应打印耗材、办公家具,价格优惠,欢迎园区企业联系采购。",
         where=PARK, requester="某办公用品公司", result="广告推销信息,不予受理。"),
    Spec("garbage", "safety_environment", S.RESOLVED, 13,
         "园区垃圾分类投放点最近异味很大,能不能增加清运次数,周边也要消毒。",
         where=PARK, title="垃圾投放点异味大", source=DemandSource.PUBLIC, requester="徐先生", to="街道城市管理办",
         result="已协调环卫增加为每日两次清运,并每周消杀一次。"),
    Spec("school", "family_education", S.ASSIGNED, 8,
         "孩子明年上小学,户籍不在杨浦,想咨询随迁子女入学需要准备哪些材料、什么时候登记。",
         where=PARK, title="随迁子女入学咨询", requester="member", to="区教育局"),
    Spec("finance-fair", "finance", S.ACCEPTED, 6,
         "我想预约:投融资对接会。我们是做智能硬件的,想报名下一次项目路演。",
         requester="unit_contact", service="wjc-finance"),
    Spec("tcm", "health", S.RESOLVED, 9,
         "希望园区每月安排一次中医咨询,午休时间就能看诊,不用请假去医院。",
         where=PARK, title="希望园区有中医咨询", source=DemandSource.PUBLIC, requester="陈女士", to="building_worker",
         result="已与社区卫生服务中心约定每月第二个周三午间在青年社区党群服务站坐诊。"),
    Spec("green-travel", "parking_traffic", S.RESOLVED, 5,
         "我想预约:绿色出行咨询。想知道园区有没有通地铁站的班车。",
         requester="黄女士", to="building_worker", result="园区早晚高峰有到江湾体育场站的免费接驳车,时刻表已发送。",
         service="wjc-green-travel"),
    Spec("apply-guide", "party_affairs", S.ASSIGNED, 4,
         "公司有两名高管递交了入党申请书,支部想请街道党工委指导发展党员工作,安排一次入党积极分子培训。",
         where=PANDA, title="请街道指导发展党员工作", requester="unit_contact", to="street_staff", due_today=True),
    Spec("badminton", "culture_sports", S.ACCEPTED, 4,
         "青年社区的羽毛球场地周末经常约不到,希望增加场次或者开放园区体育馆。",
         where=PARK, title="羽毛球场地约不到", requester="member"),
    Spec("psych", "wellbeing", S.ASSIGNED, 3,
         "我想预约:心理疏导(王金丽工作室)。最近项目压力很大、失眠,想预约一对一心理疏导,最好是午休时间。",
         to="building_worker", service="wjc-psych"),
    Spec("winter-care", "family_education", S.SUBMITTED, 2,
         "双职工家庭孩子放寒假没人照看,希望园区像暑假一样办爱心托管班。",
         where=PARK, title="寒假爱心托管班", source=DemandSource.PUBLIC, requester="孙女士"),
    Spec("leak", "property", S.SUBMITTED, 1,
         "2 号楼 B1 层卫生间水管漏水,地面积水很滑,请物业尽快处理。",
         where="创智天地2号楼", title="2 号楼卫生间漏水", source=DemandSource.PUBLIC, requester="林先生"),
    Spec("apartment", "talent", S.SUBMITTED, 1,
         "我想预约:人才公寓申请指导。刚入职,想了解人才公寓的申请条件。",
         requester="何同学", service="wjc-apartment"),
    Spec("lunch-order", "dining", S.SUBMITTED, 0,
         "我想预约:白领午餐预订。下周一到周五每天两份。",
         requester="郑女士", service="wjc-lunch"),
    # --- 高和大厦 (静安寺街道) ----------------------------------------------------------------------------------
    Spec("gh-onenet", "registration", S.CLOSED, 76,
         "我想预约:“一网通办”政务服务机。想在服务站自助打印营业执照副本。",
         requester="冯先生", to="高和大厦企业服务中心", result="已现场指导完成打印。", rating=5,
         service="gh-one-netcom"),
    Spec("gh-stress", "wellbeing", S.CLOSED, 47,
         "我想预约:减压室预约。周三中午一小时。",
         requester="韩女士", to="高和大厦企业服务中心", result="已预约,咨询师周三中午驻点。", rating=5,
         service="gh-stress"),
    Spec("gh-tax-kiosk", "tax", S.RESOLVED, 11,
         "服务站的 24 小时自助税务机打印发票时一直报错,晚上加班时没法开票。",
         where="高和大厦", title="自助税务机无法打印发票", source=DemandSource.PUBLIC, requester="郑先生",
         to="区税务局", result="税务局已派人更换打印模块,设备恢复正常。"),
    Spec("gh-reading", "culture_sports", S.SUBMITTED, 2,
         "我想预约:白领阅读角。阅读角晚上 7 点就关门了,希望延长到 9 点,方便加班后借书。",
         requester="许女士", service="gh-reading"),
    # --- 豫园街道 ---------------------------------------------------------------------------------------------
    Spec("fuyou-finance", "finance", S.CLOSED, 88,
         "公司想申请区里的中小企业贷款贴息,不清楚申请条件和流程。",
         where="福佑商务大厦", title="中小企业贷款贴息咨询", source=DemandSource.PHONE, requester="邓经理",
         to="区金融服务办", result="已解答贴息条件,企业已提交申请材料。"),
    Spec("market-live", "other", S.CLOSED, 54,
         "我们是小商品市场的个体户,想参加电商直播带货培训,拓展线上销售。",
         where="豫园小商品市场", title="业户想学直播带货", source=DemandSource.WALK_IN, requester="市场业户 曹女士",
         to="street_staff_2", result="已组织市场业户参加区商务委的直播电商培训,首期 40 户参加。", rating=5),
    Spec("market-fire", "safety_environment", S.ACCEPTED, 20,
         "市场二楼通道两侧业户货物越堆越多,消防通道只剩一人宽,担心出事。",
         where="豫园小商品市场", title="市场消防通道被占", source=DemandSource.PHONE, requester="市场党员 彭先生"),
    Spec("fuyou-lunch", "dining", S.SUBMITTED, 3,
         "福佑商务大厦周边午间用餐排队太久,希望引进白领食堂或者午餐车。",
         where="福佑商务大厦", source=DemandSource.PUBLIC, requester="蒋先生"),
    # --- 嘉兴大厦 (陆家嘴街道) ----------------------------------------------------------------------------------
    Spec("jx-parking", "parking_traffic", S.CLOSED, 33,
         "嘉兴大厦地下车库月租车位紧张,访客车辆经常无处停。",
         where="嘉兴大厦", title="访客停车难", source=DemandSource.PUBLIC, requester="楼宇白领 潘先生",
         to="嘉兴大厦楼事会", result="楼事会协调物业腾出 10 个访客临时车位。"),
    Spec("jx-health", "health", S.ASSIGNED, 24,
         "大厦白领希望组织一次免费体检和健康讲座。",
         where="嘉兴大厦", title="希望组织免费体检", requester="楼宇白领 罗女士", to="社区卫生服务中心"),
    Spec("jx-volunteer", "volunteer_charity", S.ACCEPTED, 7,
         "楼事会组建了楼宇党员志愿者先锋队,需要统一的志愿者马甲和一次应急救护培训。",
         where="嘉兴大厦", title="党员志愿者先锋队需要培训", requester="嘉兴大厦楼事会 詹先生"),
]


class _Loader:
    def __init__(self, users: dict[str, Any], today: dt.date) -> None:
        self.users = users
        self.story = Story(today)
        self.rng = random.Random(SEED)
        self.categories = {c.code: c for c in Category.objects.all()}
        self.street = Place.objects.filter(kind=PlaceKind.STREET, name=STREET_WJC).first()
        self.park = Place.objects.filter(kind=PlaceKind.PARK, name=PARK, parent=self.street).first()
        self.park_enterprises = list(Enterprise.objects.filter(place__path__startswith=self.park.path)
                                     .order_by("pk")) if self.park else []
        self.services: dict[str, Service] = {}
        self.demands: dict[str, Demand] = {}

    # --- lookups ---------------------------------------------------------------------------------------
    def enterprise(self, ref: str) -> Enterprise | None:
        if ref.startswith("#"):
            index = int(ref[1:])
            return self.park_enterprises[index] if index < len(self.park_enterprises) else None
        return Enterprise.objects.filter(name=ref).order_by("pk").first()

    def place(self, name: str) -> Place | None:
        return Place.objects.filter(name=name).order_by("pk").first()

    def staff_for(self, demand: Demand):
        """Who takes a demand in: the street's officer where the demo has one, else the administrator."""
        street = demand.street.name if demand.street_id else ""
        return {STREET_WJC: self.users.get("street_staff"), "豫园街道": self.users.get("street_staff_2")}.get(
            street) or self.users["admin"]

    # --- the catalogs ------------------------------------------------------------------------------------
    def catalogs(self) -> None:
        for station_name, rows in ((STATION_WJC, SERVICES_WJC), (STATION_GH, SERVICES_GH)):
            station = Place.objects.filter(kind=PlaceKind.STATION, name=station_name).first()
            if station is None:
                continue
            for code, name, category, description in rows:
                service = Service(station=station, code=code, name=name, description=description,
                                  category=self.categories[category])
                service.full_clean()
                service.save()
                self.services[code] = service

    # --- the story -----------------------------------------------------------------------------------------
    def submitted_day(self, spec: Spec) -> dt.date:
        if spec.due_today:
            day = self.accept_day_due_today(self.categories[spec.category].deadline_days)
            if day is not None:
                return day
        day = self.story.ago(spec.ago)
        # Staff take phone calls and walk-ins on working days; the public form and logins are open every day.
        return self.story.workday_on_or_before(day) if spec.source in (DemandSource.PHONE, DemandSource.WALK_IN) \
            else day

    def accept_day_due_today(self, days: int) -> dt.date | None:
        """The working day on which accepting gives a deadline of today (none when today is a day off)."""
        day = self.story.today
        for _ in range(60):
            day -= dt.timedelta(days=1)
            if self.story.calendar.is_workday(day) and self.story.calendar.deadline(day, days).date == self.story.today:
                return day
        return None

    def requester(self, spec: Spec, enterprise: Enterprise | None) -> dict[str, Any]:
        if spec.requester == "member":
            user = self.users.get("member")
            return {"user": user, "requester_kind": RequesterKind.MEMBER, "requester_name": user.first_name}
        if spec.requester == "unit_contact":
            user = self.users.get("unit_contact")
            return {"user": user, "requester_kind": RequesterKind.ENTERPRISE, "requester_name": user.first_name,
                    "requester_enterprise": self.enterprise(PANDA)}
        if enterprise is not None:
            return {"requester_kind": RequesterKind.ENTERPRISE, "requester_enterprise": enterprise,
                    "requester_name": spec.requester or enterprise.contact_name}
        if spec.requester:
            return {"requester_kind": RequesterKind.RESIDENT, "requester_name": spec.requester}
        return {"requester_kind": RequesterKind.ANONYMOUS}

    def submit(self, spec: Spec) -> None:
        enterprise, place, service = None, None, None
        if spec.service:
            service = self.services.get(spec.service)
            if service is None:
                return
            place = service.station.parent  # as the public form files an order: at the station's area
        elif spec.where.startswith("#") or spec.where.startswith("上海"):
            enterprise = self.enterprise(spec.where)
            place = enterprise.place if enterprise else None
        else:
            place = self.place(spec.where)
        if place is None:
            return
        day = self.submitted_day(spec)
        staffed = spec.source in (DemandSource.PHONE, DemandSource.WALK_IN)
        hour = self.rng.randint(9, 16) if staffed else self.rng.randint(8, 21)
        if spec.due_today:
            hour = 8  # in before the office opens: accepted the same morning
        submitted = self.story.moment(day, hour, self.rng.randint(0, 59))
        source = DemandSource.SERVICE_ORDER if service else spec.source
        with self.story.at(submitted):
            demand = workflow.submit(text=spec.text, title=spec.title, place=place, source=source, service=service,
                                     category=service.category if service else None,
                                     **self.requester(spec, enterprise))
        self.play(spec, demand, day, submitted)

    def play(self, spec: Spec, demand: Demand, day: dt.date, submitted: dt.datetime) -> None:
        """Take the demand from submitted to its status in the story, each step at its moment."""
        self.demands[spec.key] = demand
        if spec.status == S.SUBMITTED:
            return
        story, staff, last = self.story, self.staff_for(demand), submitted

        def step(on: dt.date, hour: int, minute: int = 0):
            nonlocal last
            last = max(story.moment(on, hour, minute), last + dt.timedelta(minutes=5))
            return story.at(last)

        next_day = story.next_workday(day)
        if spec.status == S.REJECTED:
            with step(next_day, 9, 40):
                workflow.reject(demand, user=staff, note=spec.result)
            return
        if spec.status == S.MERGED:
            with step(next_day, 9, 50):
                workflow.merge(demand, into=self.demands[spec.into], user=staff)
            return
        accepted_on = day if spec.due_today else next_day
        with step(accepted_on, 9, 30):
            demand = workflow.accept(demand, user=staff, category=self.categories[spec.category])
        if spec.status == S.ACCEPTED:
            return
        assignee = self.users.get(spec.to)
        with step(accepted_on, 10, 30):
            demand = workflow.assign(demand, user=staff, assignee_user=assignee,
                                     department="" if assignee else spec.to)
        if spec.status == S.ASSIGNED:
            return
        # Most are done well within the deadline.
        resolved_on = story.next_workday(accepted_on, max(1, min(3, self.categories[spec.category].deadline_days - 1)))
        with step(resolved_on, 16, 20):
            demand = workflow.resolve(demand, user=assignee or staff, note=spec.result)
        if spec.status == S.RESOLVED:
            return
        if spec.rating:
            # The requester rates it: signed in, or with the tracking code from the public form.
            with step(story.next_workday(resolved_on), 11, 15):
                workflow.rate(demand, rating=spec.rating, comment=spec.comment, user=demand.requester_user,
                              tracking_code=None if demand.requester_user else demand.tracking_code)
        else:
            with step(story.next_workday(resolved_on, 2), 9, 10):
                workflow.close(demand, user=staff)

    def visit(self, ref: str, ago: int, people: str, notes: str, findings: str, specs: list[Spec]) -> None:
        enterprise = self.enterprise(ref)
        if enterprise is None:
            return
        day = self.story.workday_on_or_before(self.story.ago(ago))
        moment = self.story.moment(day, self.rng.choice((10, 14)), self.rng.randint(0, 45))
        with self.story.at(moment):
            visit = visits.record_visit(enterprise=enterprise, worker=self.users.get("building_worker"), date=day,
                                        people_met=people, notes=notes, findings=findings,
                                        demand_texts=[spec.text for spec in specs])
        for spec, demand in zip(specs, visit.demands.order_by("pk"), strict=True):
            self.play(spec, demand, day, moment)


def load(users: dict[str, Any], today: dt.date, say) -> None:
    if Service.objects.filter(code=SERVICES_WJC[0][0]).exists():
        return
    loader = _Loader(users, today)
    needed = {spec.category for spec in DEMANDS} | {spec.category for visit in VISITS for spec in visit[5]}
    needed |= {row[2] for row in SERVICES_WJC + SERVICES_GH}
    if loader.park is None or not needed <= set(loader.categories):
        return
    loader.catalogs()
    # In the order things happened: a duplicate is merged into a demand made before it.
    events = [(loader.story.ago(v[1]), 0, i, "visit") for i, v in enumerate(VISITS)]
    events += [(loader.story.ago(s.ago), 1, i, "demand") for i, s in enumerate(DEMANDS)]
    for _day, _order, index, kind in sorted(events):
        if kind == "visit":
            loader.visit(*VISITS[index])
        else:
            loader.submit(DEMANDS[index])
    # The daily job: open demands past their deadline are escalated to the street (as it would have overnight).
    workflow.escalate_overdue(today)
    overdue = Demand.objects.filter(pk__in=[d.pk for d in loader.demands.values()], status__in=(S.ACCEPTED, S.ASSIGNED),
                                    due_date__lt=today).count()
    say(f"服务清单:{len(loader.services)} 项;走访 {len(VISITS)} 次;需求 {len(loader.demands)} 件(超期未办结 {overdue}"
        f" 件)。")
