"""The district's organisation. Nothing here is hard-deleted: cases point at it."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class OrgMixin:
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name


class District(OrgMixin, db.Model):
    """区: the top level; its platform files whistles and adjudicates returned cases."""

    __tablename__ = "district"
    __table_args__ = (UniqueConstraint("code"),)

    streets: Mapped[list["Street"]] = relationship(back_populates="district", order_by="Street.code")
    departments: Mapped[list["Department"]] = relationship(
        back_populates="district", order_by="Department.code")


class Street(OrgMixin, db.Model):
    """街道 / 乡镇: blows whistles and rates departments."""

    __tablename__ = "street"
    __table_args__ = (UniqueConstraint("code"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    district: Mapped[District] = relationship(back_populates="streets")
    communities: Mapped[list["Community"]] = relationship(
        back_populates="street", order_by="Community.code")
    units: Mapped[list["Unit"]] = relationship(back_populates="street", order_by="Unit.code")


class Community(OrgMixin, db.Model):
    """社区 / 村, inside a street."""

    __tablename__ = "community"
    __table_args__ = (UniqueConstraint("code"),)

    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"), index=True)
    street: Mapped[Street] = relationship(back_populates="communities")
    grids: Mapped[list["Grid"]] = relationship(back_populates="community", order_by="Grid.code")


class Grid(OrgMixin, db.Model):
    """网格, inside a community; has a grid chief."""

    __tablename__ = "grid"
    __table_args__ = (UniqueConstraint("community_id", "code"),)

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    community: Mapped[Community] = relationship(back_populates="grids")
    chief_name: Mapped[str | None] = mapped_column(String(50))


class Department(OrgMixin, db.Model):
    """区职能部门: a district functional department."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("code"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    district: Mapped[District] = relationship(back_populates="departments")
    short_name: Mapped[str] = mapped_column(String(50), default="")
    units: Mapped[list["Unit"]] = relationship(back_populates="department", order_by="Unit.code")


class Unit(OrgMixin, db.Model):
    """派驻机构: a department's office in one street (派出所, 市场监管所, 城管执法队, …)."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("code"),)

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    department: Mapped[Department] = relationship(back_populates="units")
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"), index=True)
    street: Mapped[Street] = relationship(back_populates="units")
    phone: Mapped[str] = mapped_column(String(30), default="")
