"""The responsibility list (职责清单 / 呼应事项清单): one Matter per item, versioned."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.org.models import Department, Street
from portal.timeutil import utcnow

KINDS = ("duty", "shared", "whistle")                              # 街道职责 / 共有事项 / 吹哨事项
CATEGORIES = ("enforcement", "key_work", "emergency", "fallback")  # 综合执法 / 重点工作 / 应急处置 / 兜底责任
LIMIT_UNITS = ("days", "hours")                                     # working days, or clock hours

matter_cooperator = Table(
    "matter_cooperator",
    db.Model.metadata,
    Column("matter_id", ForeignKey("matter.id"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True, index=True),
    info={"area": "duties"},
)


class Matter(db.Model):
    """An item of the list: who leads, who cooperates, within what limits. Retired, never deleted."""

    __tablename__ = "matter"
    __table_args__ = (
        UniqueConstraint("code"),
        Index("ix_matter_owner_active", "owner_street_id", "active"),
        Index("ix_matter_category", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    scenario: Mapped[str] = mapped_column(Text, default="")
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    sign_limit: Mapped[int] = mapped_column(default=2)
    complete_limit: Mapped[int] = mapped_column(default=5)
    limit_unit: Mapped[str] = mapped_column(String(8), default="days")
    public: Mapped[bool] = mapped_column(default=True)
    public_title: Mapped[str] = mapped_column(String(120), default="")
    # None: the district's list; otherwise the street whose own duty list holds the item.
    owner_street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lead_department: Mapped[Department | None] = relationship()
    cooperating_departments: Mapped[list[Department]] = relationship(
        secondary=matter_cooperator, order_by="Department.code")
    owner_street: Mapped[Street | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_emergency(self) -> bool:
        return self.limit_unit == "hours"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class MatterRevision(db.Model):
    """One change to a matter: who, when, and each field's value before and after."""

    __tablename__ = "matter_revision"
    __table_args__ = (Index("ix_matter_revision_matter", "matter_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(20))  # created / updated / retired / restored / imported
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {field: [before, after]}

    actor = relationship("User")
