"""Demo cases across the three demo streets, in every state, built through the rules themselves
(`intake` / `transition` with back-dated times), so timelines, deadlines, audit and
inbox are what real use would leave behind. Idempotent: nothing happens once any case exists.

What is there (tests and the next areas may rely on these descriptions, not on ids):
- 青檀街道 (qt): new and triaged cases; level-1 cases handled on the spot with before/after
  photos; level-2 cases dispatched, signed for, in progress, returned (waiting for adjudication),
  re-dispatched after a return, resolved, closed (rated) and one overdue and pressed (red light);
  a routine whistle closed and rated; an emergency whistle resolved (hours); a tough whistle on
  存量违建拆除攻坚 stuck for weeks (a unit never signed for it, the lead asks for a joint meeting),
  the candidate for a joint-meeting agenda; a duplicate merged, an invalid case rejected, a case
  force-closed, a case reopened after a "not satisfied" rating.
- 槐荫街道 (hy): the street secretary's cases: level 1, 2 and a whistle in progress.
- 金泉街道 (jq): cases filed at district level (the district platform acts), one returned and
  waiting for the district's adjudication, an emergency whistle closed within hours.
- Resident web reports (随手拍) with tracking codes and public timelines in every street.

Unit actions need unit users: besides `chief` (青檀城管执法队) and `chief2` (槐荫城管执法队), the
seed adds one chief login per other unit it uses, named `<unit code>-chief` (e.g. `qt-pcs-chief`),
after the unit's first person in `portal.org.demo_data.DEMO_PEOPLE`; password 'portal-demo'.
"""
from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal import permissions as perm
from portal.auth.models import User
from portal.cases import uploads
from portal.cases.intake import intake as intake_case
from portal.cases.models import Case
from portal.cases.residents import rate_case
from portal.cases.transitions import transition
from portal.duties import demo_data as duties_data
from portal.duties.models import Matter
from portal.extensions import db
from portal.org import demo_data as org_data
from portal.org.models import Community, Department, Street, Unit
from portal.timeutil import utcnow

STUCK_WHISTLE_MATTER = "CS-ZD-002"   # the tough whistle a joint meeting should take up


# --- reference data ----------------------------------------------------------------------------


def _ensure_matters(codes: set[str]) -> dict[str, Matter]:
    """The matters by code; those the duties seed has not added yet are added from its data."""
    found = {m.code: m for m in db.session.scalars(select(Matter).where(Matter.code.in_(codes)))}
    missing = codes - set(found)
    if missing:
        departments = {d.code: d for d in db.session.scalars(select(Department))}
        qt = db.session.scalar(select(Street).where(Street.code == duties_data.STREET_DUTIES_STREET))
        for items, owner in ((duties_data.DISTRICT_MATTERS, None), (duties_data.STREET_DUTIES, qt)):
            for item in items:
                if item["code"] not in missing:
                    continue
                matter = Matter(
                    code=item["code"], title=item["title"], kind=item["kind"], category=item["category"],
                    scenario=item["scenario"], legal_basis=item["legal_basis"],
                    lead_department=departments.get(item["lead"]) if item["lead"] else None,
                    sign_limit=item["sign_limit"], complete_limit=item["complete_limit"],
                    limit_unit=item["limit_unit"], public=item["public"], public_title=item["public_title"],
                    owner_street=owner)
                matter.cooperating_departments = [departments[c] for c in item["cooperating"]
                                                  if c in departments]
                db.session.add(matter)
                found[matter.code] = matter
        db.session.flush()
    return found


class _Seeder:
    def __init__(self):
        self.now = utcnow().replace(second=0, microsecond=0)
        self.rng = random.Random(20181)
        self.users = {u.username: u for u in db.session.scalars(select(User))}
        self.units = {u.code: u for u in db.session.scalars(select(Unit))}
        self.communities = {c.code: c for c in db.session.scalars(select(Community))}
        self.matters: dict[str, Matter] = {}
        self.password_hash = next(iter(self.users.values())).password_hash if self.users else None

    # people
    def unit_user(self, unit_code: str) -> User:
        named = {"qt-zfd": "chief", "hy-zfd": "chief2"}
        username = named.get(unit_code, f"{unit_code}-chief")
        user = self.users.get(username)
        if user is None:
            unit = self.units[unit_code]
            street_code = unit_code.split("-", 1)[0]
            person = next(p for p in org_data.DEMO_PEOPLE[street_code] if p["unit"] == unit_code)
            user = User(username=username, display_name=f"{person['post']} {person['name']}",
                        role=perm.UNIT_CHIEF, phone=person["phone"], password_hash=self.password_hash)
            user.set_scope(unit=unit)
            db.session.add(user)
            db.session.flush()
            self.users[username] = user
        return user

    def user(self, username: str) -> User:
        return self.users[username]

    # pictures
    def photos(self, kind: str, case: Case, by=None, count: int = 1, public: bool = False):
        files = []
        for _ in range(count):
            clean = kind in ("after", "result")
            image = Image.new("RGB", (640, 480), (196, 204, 210) if clean else (150, 138, 118))
            draw = ImageDraw.Draw(image)
            draw.rectangle((0, 300, 640, 480), fill=(120, 120, 124))          # the road
            draw.rectangle((40, 60, 260, 300), fill=(170, 90, 70))             # a wall
            if not clean:
                for _ in range(9):
                    x, y = self.rng.randint(280, 600), self.rng.randint(250, 440)
                    draw.rectangle((x, y, x + self.rng.randint(20, 60), y + self.rng.randint(15, 40)),
                                   fill=(self.rng.randint(60, 200), self.rng.randint(60, 160), 40))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=80)
            buffer.seek(0)
            files.append(FileStorage(stream=buffer, filename=f"{kind}.jpg", content_type="image/jpeg"))
        return uploads.store_photos(files, kind, case=case, uploaded_by=by, public=public)

    # cases
    def intake(self, community: str, channel: str, description: str, *, days_ago: float, by: str | None,
               matter: str | None = None, address: str = "", reporter: tuple[str, str] = ("", ""),
               district_level: bool = False, photo: bool = False) -> "_Case":
        at = self.now - timedelta(days=days_ago, minutes=self.rng.randint(0, 50))
        actor = self.user(by) if by else None
        case = intake_case(actor, channel=channel, community=self.communities[community],
                            description=description, address=address, reporter_name=reporter[0],
                            reporter_phone=reporter[1], contact_consent=bool(reporter[1]),
                            matter=self.matters[matter] if matter else None,
                            district_level=district_level, now=at)
        if photo:
            self.photos("report", case, by=actor)
        return _Case(self, case, at)


class _Case:
    """One demo case and its clock: each step happens `hours` after the previous one."""

    def __init__(self, seeder: _Seeder, case: Case, at: datetime):
        self.s, self.case, self.at = seeder, case, at

    def do(self, action: str, by: str | None, hours: float = 1.0, note: str = "", *, unit: str | None = None,
           assignment_unit: str | None = None, **inputs) -> "_Case":
        jitter = self.s.rng.randint(0, int(min(20, hours * 10)))   # minutes; small steps stay small
        self.at = self.at + timedelta(hours=hours, minutes=jitter)
        assert self.at <= self.s.now, (self.case.description, action)
        actor = self.s.unit_user(assignment_unit) if by == "unit" else (self.s.user(by) if by else None)
        assignment = None
        if assignment_unit is not None:
            assignment = next(a for a in self.case.assignments
                              if a.unit.code == assignment_unit and a.state not in ("returned", "cancelled"))
        if unit is not None:
            inputs["unit"] = self.s.units[unit]
        for key in ("lead",):
            if key in inputs:
                inputs[key] = self.s.units[inputs[key]]
        if "cooperating" in inputs:
            inputs["cooperating"] = [self.s.units[c] for c in inputs["cooperating"]]
        transition(self.case, action, actor, note, assignment=assignment, now=self.at, **inputs)
        return self

    def photos(self, kind: str, by: str | None, count: int = 1, public: bool = False, unit: str | None = None):
        actor = self.s.unit_user(unit) if by == "unit" else (self.s.user(by) if by else None)
        return self.s.photos(kind, self.case, by=actor, count=count, public=public)

    # the usual paths of one unit
    def sign(self, unit: str, hours: float = 2) -> "_Case":
        return self.do("sign_for", "unit", hours, assignment_unit=unit)

    def check_in(self, unit: str, hours: float = 3, lat: float = 39.93, lng: float = 116.41) -> "_Case":
        return self.do("check_in", "unit", hours, assignment_unit=unit,
                       lat=lat + self.s.rng.uniform(-0.01, 0.01), lng=lng + self.s.rng.uniform(-0.01, 0.01),
                       accuracy=self.s.rng.choice([8, 15, 30]))

    def log(self, unit: str, note: str, hours: float = 4) -> "_Case":
        return self.do("log_progress", "unit", hours, note, assignment_unit=unit)

    def submit(self, unit: str, result: str, hours: float = 20, photo: bool = True) -> "_Case":
        attachments = self.photos("result", "unit", unit=unit, public=True) if photo else []
        return self.do("submit_result", "unit", hours, assignment_unit=unit, result=result,
                       attachments=attachments)

    def verify(self, unit: str, by: str, hours: float = 3) -> "_Case":
        return self.do("verify", by, hours, assignment_unit=unit)


# --- the scenarios -----------------------------------------------------------------------------

MATTERS = {
    "CS-ZF-001", "CS-ZF-002", "CS-ZF-003", "CS-ZF-005", "CS-ZF-006", "CS-ZF-008", "CS-ZF-009",
    "CS-ZF-010", "CS-ZF-011", "CS-ZF-012", "CS-ZF-013", "CS-ZF-015", "CS-ZF-017", "CS-ZD-002",
    "CS-ZD-007", "CS-YJ-005", "CS-DD-003", "CS-DD-007", "QT-ZZ-001", "QT-GY-006",
}


def _qingtan(s: _Seeder) -> None:
    # New, not yet triaged.
    s.intake("qt-sxy", "hotline_12345", "书香苑东侧工地每天夜里十一点以后还在打桩，噪声很大，影响老人孩子休息。",
             days_ago=0.2, by="dispatcher", matter="CS-ZF-009", address="书香苑东侧在建工地",
             reporter=("周丽华", "13911112233"))
    s.intake("qt-tlx", "resident_web", "铜铃巷口共享单车堆了几十辆，把盲道和路口都堵住了。",
             days_ago=0.1, by=None, matter="CS-ZF-013", address="铜铃巷与青檀路交叉口",
             reporter=("马建军", "13622223344"), photo=True)
    # Triaged, waiting for dispatch.
    s.intake("qt-yxf", "inspector", "银杏坊小区3号楼单元门和电线杆上贴满了办证、开锁小广告。",
             days_ago=1.2, by="dispatcher", matter="CS-ZF-011", address="银杏坊小区3号楼").do(
        "triage", "dispatcher", 1, level=2)

    # Level 1: handled on the spot by the grid worker and by the dispatcher.
    c = s.intake("qt-bl", "grid_worker", "青檀北里5号楼楼道内堆放旧家具和纸箱，堵塞消防通道。",
                 days_ago=3, by="grid", matter="QT-ZZ-001", address="青檀北里5号楼2单元")
    c.do("handle_on_spot", "grid", 1.5, "联系住户自行清理，网格员现场协助搬运。",
         attachments=c.photos("before", "grid") + c.photos("after", "grid", public=True))
    c = s.intake("qt-yxf", "lane_chief", "银杏坊西巷垃圾桶满溢，周边有散落垃圾。",
                 days_ago=5, by="dispatcher", matter="QT-GY-006", address="银杏坊西巷12号旁")
    c.do("triage", "dispatcher", 0.3, level=1).do(
        "handle_on_spot", "dispatcher", 2, "通知保洁公司加收一次并清扫周边。",
        attachments=c.photos("before", "dispatcher") + c.photos("after", "dispatcher", public=True))

    # Level 2 in every stage.
    original = s.intake("qt-tlx", "hotline_12345", "铜铃巷18号门前饭馆把桌椅摆到人行道上经营，行人只能走机动车道。",
             days_ago=0.6, by="dispatcher", matter="CS-ZF-003", address="铜铃巷18号",
             reporter=("刘桂芝", "13833334455")).do(
        "triage", "dispatcher", 0.5, level=2).do("dispatch", "dispatcher", 0.5, unit="qt-zfd")
    s.intake("qt-sxy", "hotline_12345", "书香苑南门外每晚有人摆摊露天烧烤，烟很大。",
             days_ago=2, by="dispatcher", matter="CS-ZF-005", address="书香苑南门外",
             reporter=("钱伟", "13744445566")).do(
        "triage", "dispatcher", 0.5, level=2).do("dispatch", "dispatcher", 0.5, unit="qt-zfd").sign("qt-zfd", 3)
    s.intake("qt-bl", "grid_worker", "青檀北里农贸市场后门有无证摊贩现场加工熟食，卫生条件差。",
             days_ago=3, by="grid", matter="CS-ZF-008", address="青檀北里农贸市场后门").do(
        "triage", "dispatcher", 2, level=2).do("dispatch", "dispatcher", 0.5, unit="qt-scjgs").sign(
        "qt-scjgs", 2).check_in("qt-scjgs", 4).log("qt-scjgs", "已责令摊主停止加工，登记身份信息，待复查。", 1)
    # Returned by the wrong unit, waiting for the street to adjudicate.
    s.intake("qt-yxf", "hotline_12345", "银杏坊小区有人遛狗不牵绳，已有居民被吓倒。",
             days_ago=1.5, by="dispatcher", matter="CS-ZF-015", address="银杏坊小区中心花园",
             reporter=("孙淑英", "13555556677")).do(
        "triage", "dispatcher", 0.5, level=2).do("dispatch", "dispatcher", 0.5, unit="qt-zfd").do(
        "return", "unit", 3, assignment_unit="qt-zfd",
        reason="养犬管理由公安机关负责，本队无执法权，请派至青檀派出所。")
    # Returned, then re-dispatched to the right unit, which signed for it.
    s.intake("qt-tlx", "hotline_12345", "铜铃巷7号院有住户养大型犬，夜间狂吠，多次协商无果。",
             days_ago=4, by="dispatcher", matter="CS-ZF-015", address="铜铃巷7号院",
             reporter=("吴国华", "13466667788")).do(
        "triage", "dispatcher", 0.5, level=2).do("dispatch", "dispatcher", 0.5, unit="qt-zfd").do(
        "return", "unit", 4, assignment_unit="qt-zfd", reason="属公安养犬管理职责。").do(
        "adjudicate", "dispatcher", 2, "判定为派出所职责，重新派单。", decision="redispatch",
        unit="qt-pcs").sign("qt-pcs", 2)
    # Resolved: the result waits for the street's verification.
    s.intake("qt-sxy", "resident_web", "书香苑底商一家烧烤店油烟直排，楼上住户不敢开窗。",
             days_ago=4, by=None, matter="CS-ZF-006", address="书香苑8号楼底商",
             reporter=("郑红梅", "13377778899")).do(
        "triage", "dispatcher", 2, level=2).do("dispatch", "dispatcher", 0.5, unit="qt-zfd").sign(
        "qt-zfd", 2).check_in("qt-zfd", 5).submit("qt-zfd", "已责令商户安装油烟净化设施，设备已于当日安装并投入使用。", 24)
    # Closed and rated.
    c = s.intake("qt-bl", "resident_web", "青檀北里12号楼前绿地被私自圈占种菜。",
                 days_ago=12, by=None, matter="CS-ZF-003", address="青檀北里12号楼前",
                 reporter=("黄志强", "13288889900"), photo=True)
    c.do("triage", "dispatcher", 1, level=2).do("dispatch", "dispatcher", 0.5, unit="qt-zfd").sign(
        "qt-zfd", 1).check_in("qt-zfd", 4).submit("qt-zfd", "已拆除圈占围栏，恢复绿地，住户表示理解。", 30).verify(
        "qt-zfd", "secretary", 4).do("close", "secretary", 0.2, public_note="围栏已拆除，绿地已恢复。")
    rate_case(c.case, "very", "处理很快，谢谢！", now=c.at + timedelta(days=1))
    # Overdue (red) and pressed.
    c = s.intake("qt-tlx", "inspector", "铜铃巷沿街三家商户擅自设置大型灯箱广告牌，存在坠落隐患。",
                 days_ago=25, by="dispatcher", matter="CS-ZF-010", address="铜铃巷21-25号")
    c.do("triage", "dispatcher", 1, level=2).do("dispatch", "dispatcher", 0.5, unit="qt-zfd").sign("qt-zfd", 20)
    c.do("press", "secretary", 24 * 12, "已超期，请三日内拆除并报送结果。", assignment_unit="qt-zfd")

    # Whistle, routine, closed and rated.
    c = s.intake("qt-bl", "hotline_12345", "青檀北里9号楼地下室被隔成二十多个小间出租，住了很多人，电线乱拉。",
                 days_ago=20, by="dispatcher", matter="CS-ZF-001", address="青檀北里9号楼地下室",
                 reporter=("许建平", "13199990011"))
    c.do("triage", "dispatcher", 1, level=3).do(
        "whistle", "secretary", 1, "涉及房管、公安、消防、城管，启动日常哨。", kind="routine", lead="qt-fgs",
        cooperating=["qt-pcs", "qt-xfz", "qt-zfd"])
    for unit in ("qt-fgs", "qt-pcs", "qt-xfz", "qt-zfd"):
        c.sign(unit, 1)
    for unit in ("qt-fgs", "qt-pcs", "qt-xfz", "qt-zfd"):
        c.check_in(unit, 2)
    c.log("qt-fgs", "约谈产权人，限期五日内清退。", 5)
    c.submit("qt-xfz", "完成消防隐患排查，拆除私拉电线，配置灭火器。", 30)
    c.submit("qt-pcs", "登记居住人员26人，协助清退。", 20)
    c.submit("qt-zfd", "拆除隔断板房，清运建筑垃圾。", 24)
    c.submit("qt-fgs", "人员全部清退，入口封堵，纳入日常巡查。", 24)
    for unit in ("qt-fgs", "qt-pcs", "qt-xfz", "qt-zfd"):
        c.verify(unit, "secretary", 1)
    c.do("close", "secretary", 0.5, public_note="地下室群租已清退，隔断已拆除。")
    rate_case(c.case, "basically", "清退了，但入口封堵还不够牢固。", now=c.at + timedelta(days=2))

    # Whistle, emergency, resolved within hours.
    c = s.intake("qt-tlx", "hotline_12345", "铜铃巷31号平房院内电动车充电起火，火已扑灭，院内还有大量杂物和私拉电线。",
                 days_ago=2, by="dispatcher", matter="CS-YJ-005", address="铜铃巷31号院",
                 reporter=("冯秀兰", "13011112222"))
    c.do("triage", "dispatcher", 0.05, level=3).do(
        "whistle", "dispatcher", 0.05, "应急哨：消防牵头，派出所、房管所配合。", kind="emergency", lead="qt-xfz",
        cooperating=["qt-pcs", "qt-fgs"])
    for unit in ("qt-xfz", "qt-pcs", "qt-fgs"):
        c.sign(unit, 0.1)
    for unit in ("qt-xfz", "qt-pcs", "qt-fgs"):
        c.check_in(unit, 0.2)
    c.submit("qt-xfz", "清除院内杂物，拆除私拉电线，设置集中充电点。", 1.0)
    c.submit("qt-pcs", "现场警戒，调查起火原因，为电池过充。", 0.2)
    c.submit("qt-fgs", "排查院内房屋结构安全，无险情。", 0.2)
    c.verify("qt-xfz", "dispatcher", 2).verify("qt-pcs", "dispatcher", 0.2)

    # Whistle, tough, stuck for weeks: a unit never signed for it and the lead asks for a meeting.
    c = s.intake("qt-sxy", "inspector", "书香苑平房区多处存量违建（加盖二层、占用院落），涉及12户，屡拆屡建。",
                 days_ago=35, by="dispatcher", matter=STUCK_WHISTLE_MATTER, address="书香苑平房区")
    c.do("triage", "dispatcher", 2, level=3).do(
        "whistle", "secretary", 2, "攻坚哨：城管牵头，规划、公安、房管、市场监管配合。", kind="tough",
        lead="qt-zfd", cooperating=["qt-gzs", "qt-pcs", "qt-fgs", "qt-scjgs"])
    c.sign("qt-zfd", 3).sign("qt-pcs", 5).sign("qt-fgs", 30).sign("qt-scjgs", 20)
    c.check_in("qt-zfd", 20).check_in("qt-pcs", 1).check_in("qt-fgs", 1)
    c.log("qt-zfd", "已下达限期拆除通知书12份，其中5户提出异议，称加建部分已取得手续。", 30)
    c.submit("qt-scjgs", "核查涉及经营的3户，已责令停止违规经营。", 40)
    c.log("qt-zfd", "5户加建部分是否属于违建需规划部门出具认定意见，规划所至今未签收，"
                    "建议提交街道联席会议协调。", 24 * 6)
    c.do("press", "secretary", 24 * 3, "请规划所立即签收并出具认定意见。", assignment_unit="qt-gzs")

    # Rejected: a duplicate merged into its original, and an invalid report.
    s.intake("qt-tlx", "hotline_12345", "铜铃巷18号饭馆占道摆桌，晚上更严重。", days_ago=0.4, by="dispatcher",
             matter="CS-ZF-003", address="铜铃巷18号", reporter=("陈晓东", "13900001111")).do(
        "merge", "dispatcher", 0.2, "与先前来电为同一问题，合并办理。", into=original.case)
    s.intake("qt-bl", "social_media", "网上反映青檀北里附近有人非法集资。", days_ago=6, by="dispatcher",
             address="青檀北里").do(
        "reject", "dispatcher", 3, reason="反映内容不属于本平台受理范围，已告知向公安机关经侦部门报案。",
        public_note="不属于本平台受理范围，已告知正确的反映渠道。")
    # Force-closed: a long-standing case nobody could finish.
    c = s.intake("qt-yxf", "hotline_12345", "银杏坊老旧小区一处无主自行车棚倒塌，产权单位已注销，长期无人处理。",
                 days_ago=45, by="dispatcher", matter="CS-DD-007", address="银杏坊小区北侧车棚")
    c.do("triage", "dispatcher", 1, level=2).do("dispatch", "dispatcher", 1, unit="qt-zfd").sign("qt-zfd", 30)
    c.do("force_close", "admin", 24 * 30, reason="产权单位已注销，经区级平台研究纳入老旧小区改造项目统一解决，本案强制结案。",
         public_note="已纳入老旧小区改造项目统一解决。")
    # Reopened after a resident was not satisfied.
    c = s.intake("qt-sxy", "resident_web", "书香苑3号楼下垃圾桶站混装混运，分好的垃圾被倒进一辆车。",
                 days_ago=10, by=None, matter="CS-ZF-017", address="书香苑3号楼桶站",
                 reporter=("林美玲", "13812340000"), photo=True)
    c.do("triage", "dispatcher", 2, level=2).do("dispatch", "dispatcher", 0.5, unit="qt-zfd").sign(
        "qt-zfd", 3).submit("qt-zfd", "已约谈清运公司，要求分类清运。", 40).verify("qt-zfd", "dispatcher", 5).do(
        "close", "dispatcher", 0.2)
    rate_case(c.case, "not", "第二天又混装了，没有解决。", reopen=True, reason="整改后次日仍混装混运。",
                    now=c.at + timedelta(days=2))


def _huaiyin(s: _Seeder) -> None:
    s.intake("hy-dl", "hotline_12345", "槐荫东里6号楼前井盖松动，车辆经过声响很大。", days_ago=0.3,
             by="secretary2", address="槐荫东里6号楼前", reporter=("赵玉兰", "13721436587"))
    s.intake("hy-mgy", "resident_web", "明光苑小区门口有人用地锁占用公共车位。", days_ago=0.5, by=None,
             matter="CS-ZF-012", address="明光苑小区东门", reporter=("钟国庆", "13645872365"), photo=True)
    s.intake("hy-wyx", "hotline_12345", "瓦窑巷多家商户和居民反映巷内环境脏乱，杂物堆放、违停多，需要综合整治。",
             days_ago=1, by="secretary2", matter="CS-ZF-003", address="瓦窑巷").do(
        "triage", "secretary2", 2, level=3)
    c = s.intake("hy-xlf", "lane_chief", "兴隆坊胡同口堆放装修垃圾。", days_ago=2, by="secretary2",
                 address="兴隆坊胡同口")
    c.do("triage", "secretary2", 0.5, level=1).do(
        "handle_on_spot", "secretary2", 3, "联系社区保洁当日清运。",
        attachments=c.photos("before", "secretary2") + c.photos("after", "secretary2", public=True))
    s.intake("hy-dl", "hotline_12345", "槐荫东里菜市场门口流动摊贩占道经营。", days_ago=2, by="secretary2",
             matter="CS-ZF-003", address="槐荫东里菜市场").do(
        "triage", "secretary2", 1, level=2).do("dispatch", "secretary2", 0.5, unit="hy-zfd").sign(
        "hy-zfd", 2).check_in("hy-zfd", 3)
    c = s.intake("hy-mgy", "resident_web", "明光苑小区内一家美容店涉嫌无证经营。", days_ago=9, by=None,
                 matter="CS-ZF-008", address="明光苑小区底商", reporter=("白雪", "13512349876"))
    c.do("triage", "secretary2", 3, level=2).do("dispatch", "secretary2", 0.5, unit="hy-scjgs").sign(
        "hy-scjgs", 4).check_in("hy-scjgs", 20).submit("hy-scjgs", "经核查该店已取得营业执照，督促其亮照经营。", 24).verify(
        "hy-scjgs", "secretary2", 5).do("close", "secretary2", 0.2)
    rate_case(c.case, "very", "", now=c.at + timedelta(days=1))
    c = s.intake("hy-wyx", "hotline_12345", "瓦窑巷一家火锅店油烟扰民，居民多次投诉未解决。", days_ago=6,
                 by="secretary2", matter="CS-ZF-006", address="瓦窑巷22号", reporter=("蒋文", "13345678123"))
    c.do("triage", "secretary2", 1, level=3).do(
        "whistle", "secretary2", 1, "日常哨：城管牵头，市场监管配合。", kind="routine", lead="hy-zfd",
        cooperating=["hy-scjgs"])
    c.sign("hy-zfd", 2).sign("hy-scjgs", 3).check_in("hy-zfd", 20).check_in("hy-scjgs", 2)
    c.submit("hy-scjgs", "检查餐饮许可证照齐全，督促清洗油烟管道。", 20)
    c.log("hy-zfd", "已责令更换大功率油烟净化器，商户承诺一周内完成。", 4)
    s.intake("hy-xlf", "hotline_12345", "兴隆坊12号院门口长期停放一辆僵尸车。", days_ago=3, by="secretary2",
             matter="CS-ZF-012", address="兴隆坊12号院").do(
        "triage", "secretary2", 1, level=2).do("dispatch", "secretary2", 0.5, unit="hy-pcs").do(
        "return", "unit", 6, assignment_unit="hy-pcs", reason="违法停车由交通队负责，请改派槐荫交通队。")
    s.intake("hy-dl", "hotline_12345", "槐荫东里小区内违规设置地桩地锁。", days_ago=5, by="secretary2",
             matter="CS-ZF-012", address="槐荫东里小区").do(
        "triage", "secretary2", 1, level=2).do("dispatch", "secretary2", 0.5, unit="hy-jtd").sign(
        "hy-jtd", 3).submit("hy-jtd", "已拆除地桩地锁9处。", 30)


def _jinquan(s: _Seeder) -> None:
    s.intake("jq-nl", "hotline_12345", "金泉南里多名居民反映小区供暖不热，物业推诿。", days_ago=0.4, by="admin",
             address="金泉南里小区", reporter=("罗振华", "13698765432"), district_level=True)
    s.intake("jq-qs", "resident_web", "泉水胡同路灯坏了好几盏，晚上很黑。", days_ago=1, by=None,
             address="泉水胡同中段", reporter=("唐秀珍", "13587654321"), photo=True)
    s.intake("jq-xqy", "hotline_12345", "新桥苑小区楼顶有人加盖彩钢房。", days_ago=2, by="admin",
             matter="CS-ZF-002", address="新桥苑4号楼楼顶", district_level=True).do(
        "triage", "admin", 1, level=2).do("dispatch", "admin", 0.5, unit="jq-gzs").do(
        "return", "unit", 5, assignment_unit="jq-gzs", reason="在建违法建设的查处由城管执法队负责，规划所可配合出具认定意见。")
    c = s.intake("jq-llj", "hotline_12345", "琉璃井社区无物业楼院的楼道灯和单元门损坏。", days_ago=14, by="admin",
                 matter="CS-DD-003", address="琉璃井7号楼", district_level=True)
    c.do("triage", "admin", 2, level=2).do("dispatch", "admin", 1, unit="jq-fgs").sign("jq-fgs", 5).check_in(
        "jq-fgs", 20).submit("jq-fgs", "更换楼道灯14盏、维修单元门2处。", 48).verify("jq-fgs", "admin", 6).do(
        "close", "admin", 0.3)
    rate_case(c.case, "basically", "", now=c.at + timedelta(days=3))
    c = s.intake("jq-qs", "hotline_12345", "泉水胡同14号院平房冒烟，疑似电线短路着火。", days_ago=8, by="admin",
                 matter="CS-YJ-005", address="泉水胡同14号院", district_level=True)
    c.do("triage", "admin", 0.05, level=3).do(
        "whistle", "admin", 0.05, "应急哨。", kind="emergency", lead="jq-xfz", cooperating=["jq-pcs"])
    c.sign("jq-xfz", 0.1).sign("jq-pcs", 0.2).check_in("jq-xfz", 0.2).check_in("jq-pcs", 0.1)
    c.submit("jq-xfz", "明火已扑灭，切断电源，无人员伤亡。", 0.8).submit("jq-pcs", "现场警戒，疏散群众15人。", 0.2)
    c.verify("jq-xfz", "admin", 1).verify("jq-pcs", "admin", 0.1).do("close", "admin", 0.1)
    s.intake("jq-nl", "inspector", "金泉南里路口机动车长期占用人行道停放。", days_ago=3, by="admin",
             matter="CS-ZF-012", address="金泉南里路口").do(
        "triage", "admin", 1, level=2).do("dispatch", "admin", 0.5, unit="jq-jtd").sign("jq-jtd", 2).log(
        "jq-jtd", "已张贴违停告知单，安排每日早晚巡查。", 10)
    s.intake("jq-xqy", "hotline_12345", "新桥苑小区内有人砍伐绿地内的大树。", days_ago=0.8, by="admin",
             address="新桥苑小区中心绿地").do("triage", "admin", 0.5, level=2)


def seed() -> None:
    if db.session.scalar(select(Case.id).limit(1)) is not None:
        return
    if db.session.scalar(select(Community.id).where(Community.code == "qt-bl")) is None:
        return  # the demo organisation is not there
    s = _Seeder()
    if "admin" not in s.users or "dispatcher" not in s.users:
        return
    s.matters = _ensure_matters(MATTERS)
    _qingtan(s)
    _huaiyin(s)
    _jinquan(s)
    db.session.flush()
