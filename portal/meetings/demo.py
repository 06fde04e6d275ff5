"""Demo meetings in the first street: a held one with approved minutes and resolutions in several
states (done, in progress, on track, overdue), a consultation day, and a planned special meeting."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.cases.models import OPEN_CASE_STATES, Case
from portal.extensions import db
from portal.inbox import notify_unit
from portal.meetings import rules
from portal.meetings.models import Meeting, ResolutionUpdate, StandingMember
from portal.org import demo_data as data
from portal.org.models import Community, Street, Unit
from portal.timeutil import local_to_utc, local_today, utcnow
from portal.workcal.rules import WorkCalendar

HELD_TITLE = "青檀街道城市基层党建联席会议（第二季度）"
CONSULTATION_TITLE = "青檀北里社区协商日：楼道堆物清理"
PLANNED_TITLE = "专题会议：铜铃巷老旧小区违建与消防通道协调"

MINUTES = """# 会议纪要

**时间**：见会议信息　**主持**：街道党工委书记

## 一、议定事项
1. 青檀北里小区楼道堆物由城管执法队牵头，消防救援站配合，两周内完成清理。
2. 铜铃巷夜间占道经营问题由市场监管所和交通队联合整治。

## 二、其他
- 各成员单位按时报送办理进度。
"""


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _local(days_from_today: int, hour: int, minute: int = 0) -> datetime:
    day = local_today() + timedelta(days=days_from_today)
    return local_to_utc(datetime.combine(day, time(hour, minute)))


def _units(street: Street) -> list[Unit]:
    return db.session.scalars(select(Unit).where(Unit.street_id == street.id).order_by(Unit.id)).all()


def _seed_standing(street: Street | None, units: list[Unit]) -> None:
    street_id = street.id if street else None
    for unit in units:
        exists = db.session.scalar(select(StandingMember.id).where(
            StandingMember.unit_id == unit.id,
            StandingMember.street_id.is_(None) if street_id is None else StandingMember.street_id == street_id))
        if not exists:
            db.session.add(StandingMember(street_id=street_id, unit_id=unit.id))
    db.session.flush()


def _stuck_whistle(street: Street) -> Case | None:
    """The street's open whistle that a joint meeting should take up (a tough one first)."""
    return db.session.scalar(
        select(Case).where(Case.street_id == street.id, Case.level == 3, Case.state.in_(OPEN_CASE_STATES))
        .order_by((Case.whistle_kind == "tough").desc(), Case.created_at))


def seed() -> None:
    secretary = _user("secretary")
    chief = _user("chief")
    if secretary is None or chief is None:
        return
    streets = db.session.scalars(select(Street).order_by(Street.code)).all()
    street_codes = [s["code"] for s in data.STREETS]
    by_code = {s.code: s for s in streets}
    street = by_code[street_codes[0]]
    units = _units(street)
    for code in street_codes:
        if code in by_code:
            _seed_standing(by_code[code], _units(by_code[code])[:6])
    _seed_standing(None, [u for u in (_units(by_code[c])[0] for c in street_codes if c in by_code)])

    if db.session.scalar(select(Meeting.id).where(Meeting.title == HELD_TITLE)):
        return
    calendar = WorkCalendar.load()
    now = utcnow()

    # A held party-building meeting five weeks ago, minutes approved, four resolutions.
    held = rules.plan_meeting(kind="party_building", title=HELD_TITLE, starts_at=_local(-35, 9),
                              ends_at=_local(-35, 11), place="青檀街道办事处三楼会议室", convener=secretary,
                              street_id=street.id, purpose="通报上季度吹哨报到情况，研究楼道堆物和占道经营问题。")
    db.session.flush()
    held.created_at = _local(-42, 9)
    rules.add_agenda_item(held, "上季度吹哨报到情况通报", units[0].id)
    rules.add_agenda_item(held, "青檀北里小区楼道堆物清理", units[2].id if len(units) > 2 else None)
    rules.add_agenda_item(held, "铜铃巷夜间占道经营整治", units[4].id if len(units) > 4 else None)
    for index, member in enumerate(held.members):
        member.rsvp = "confirmed" if index != 3 else "apologies"
        member.rsvp_attendee = f"{member.unit.name}负责人" if index != 3 else ""
        member.rsvp_reason = "当日有应急处置任务" if index == 3 else ""
        if index == 3:
            rules.mark_attendance(held, member, "absent_excused", reason="当日有应急处置任务")
        elif index == 5:
            rules.mark_attendance(held, member, "absent_unexcused")
        else:
            rules.mark_attendance(held, member, "present", attendee=member.rsvp_attendee)
    rules.transition(held, "hold", secretary)
    held.held_at = _local(-35, 11)
    held.minutes = MINUTES
    rules.transition(held, "approve_minutes", secretary)
    held.minutes_approved_at = held.revisions[0].created_at = _local(-33, 15)

    meeting_day = _local(-35, 11)
    lead, market, fire = units[0], units[min(4, len(units) - 1)], units[min(2, len(units) - 1)]
    done = rules.give_resolution(held, text="清理青檀北里小区3号楼楼道堆物", unit_id=lead.id,
                                 user=secretary, days=10, now=meeting_day, calendar=calendar)
    progressing = rules.give_resolution(held, text="联合整治铜铃巷夜间占道经营", unit_id=market.id,
                                        user=secretary, days=60, now=meeting_day, calendar=calendar)
    overdue = rules.give_resolution(held, text="排查银杏坊社区电动自行车违规充电点", unit_id=lead.id,
                                    user=secretary, days=15, now=meeting_day, calendar=calendar)
    rules.give_resolution(held, text="完善书香苑社区消防通道标识", unit_id=fire.id,
                          user=secretary, days=60, now=meeting_day, calendar=calendar)
    db.session.flush()
    rules.report_progress(done, chief, "已组织人员清理一至三单元。")
    rules.complete(done, chief, "3号楼楼道堆物全部清理完毕，已设置禁止堆物提示牌。")
    done.done_at = done.updates[-1].created_at = _local(-25, 16)
    done.updates[0].created_at = _local(-30, 10)
    progress_user = db.session.scalar(select(User).where(User.unit_id == progressing.unit_id)) or secretary
    progressing.updates.append(ResolutionUpdate(kind="progress", text="已开展两次联合夜查，劝离摊贩12户。",
                                                user_id=progress_user.id, created_at=_local(-10, 21)))
    progressing.state = "in_progress"
    if overdue.deadline_at >= now:  # keeps the demo's red light whatever today is
        overdue.deadline_at = _local(-3, 0)

    # Last month's consultation day in the grid worker's community.
    community = db.session.scalar(select(Community).where(Community.code == data.STREETS[0]["communities"][0]["code"]))
    if community is not None:
        consultation = rules.plan_meeting(
            kind="consultation", title=CONSULTATION_TITLE, starts_at=_local(-28, 15), ends_at=_local(-28, 17),
            place="青檀北里社区党群服务中心", convener=secretary, street_id=street.id, community_id=community.id,
            unit_ids=[units[0].id], purpose="居民代表、物业和城管执法队协商楼道堆物清理办法。")
        rules.mark_attendance(consultation, consultation.members[0], "present", attendee="城管执法队 王队长")
        rules.transition(consultation, "hold", secretary)
        consultation.minutes = "居民代表同意每月第一个周六集中清理楼道堆物。"

    # A planned special meeting next week; the chiefs are invited.
    planned = rules.plan_meeting(kind="special", title=PLANNED_TITLE, starts_at=_local(7, 14, 30),
                                 ends_at=_local(7, 16), place="青檀街道综合执法中心会议室", convener=secretary,
                                 street_id=street.id, purpose="铜铃巷12号院违建影响消防通道，多部门职责交叉，需协调处置。")
    first = rules.add_agenda_item(planned, "铜铃巷12号院违建现状及处置难点", units[0].id)
    stuck = _stuck_whistle(street)
    if stuck is not None:
        rules.link_case(planned, first, stuck)
    rules.add_agenda_item(planned, "消防通道恢复方案", units[2].id if len(units) > 2 else None)
    db.session.flush()
    for member in planned.members:
        notify_unit(member.unit_id, "meeting_invitation",
                    f"会议邀请：{PLANNED_TITLE}",
                    f"/meetings/{planned.id}", dedupe_key=f"meeting-invite-{planned.id}-{member.unit_id}")
