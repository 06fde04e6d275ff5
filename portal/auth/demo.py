"""One demo user per role, all with the password 'portal-demo'."""
from sqlalchemy import select

from portal import permissions as perm
from portal.auth.models import User
from portal.cli import DEMO_PASSWORD
from portal.extensions import db
from portal.org import demo_data as data
from portal.org.models import Community, Street, Unit

# username, display name, role, street index, scope (unit index / community index)
DEMO_USERS = [
    ("admin", "区平台管理员 王建国", perm.DISTRICT_ADMIN, None, None),
    ("secretary", "街道党工委书记 李秀英", perm.STREET_SECRETARY, 0, None),
    ("dispatcher", "指挥中心值班员 张伟", perm.STREET_DISPATCHER, 0, None),
    ("chief", "派驻机构负责人 刘洋", perm.UNIT_CHIEF, 0, 0),
    ("staff", "执法队员 陈静", perm.UNIT_STAFF, 0, 0),
    ("grid", "网格员 杨帆", perm.GRID_WORKER, 0, 0),
    ("secretary2", "街道党工委书记 赵敏", perm.STREET_SECRETARY, 1, None),
    ("chief2", "派驻机构负责人 孙磊", perm.UNIT_CHIEF, 1, 0),
]


def demo_unit(street_index: int, unit_index: int = 0) -> Unit:
    code = data.STREETS[street_index]["units"][unit_index]["code"]
    return db.session.scalar(select(Unit).where(Unit.code == code))


def seed() -> None:
    password_hash = None
    for username, name, role, street_index, scope_index in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        user = User(username=username, display_name=name, role=role, phone="13800000000")
        if password_hash is None:
            user.set_password(DEMO_PASSWORD)
            password_hash = user.password_hash
        user.password_hash = password_hash
        street = unit = community = None
        if street_index is not None:
            s = data.STREETS[street_index]
            street = db.session.scalar(select(Street).where(Street.code == s["code"]))
            if role in perm.UNIT_ROLES:
                unit = demo_unit(street_index, scope_index)
            if role == perm.GRID_WORKER:
                community = db.session.scalar(
                    select(Community).where(Community.code == s["communities"][scope_index]["code"]))
        user.set_scope(street=street, unit=unit, community=community)
        db.session.add(user)
