"""Who must answer a matter in a street: the API dispatch and whistles use to propose units."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from portal.duties.models import Matter
from portal.extensions import db
from portal.org.models import Department, Unit


@dataclass
class Responders:
    lead: Unit | None                      # the lead department's unit in the street, if any
    cooperating: list[Unit]                # cooperating departments' units in the street
    unstaffed: list[Department] = field(default_factory=list)  # departments with no unit there
    sign_limit: int = 2
    complete_limit: int = 5
    limit_unit: str = "days"               # "days" = Chinese working days, "hours" = clock hours

    @property
    def units(self) -> list[Unit]:
        return ([self.lead] if self.lead else []) + self.cooperating


def responders(matter: Matter, street_id: int) -> Responders:
    """The units that must answer `matter` in the street, and the limits they answer within."""
    department_ids = [d.id for d in matter.cooperating_departments]
    if matter.lead_department_id:
        department_ids.insert(0, matter.lead_department_id)
    units = {}
    if department_ids:
        for unit in db.session.scalars(select(Unit).where(
                Unit.street_id == street_id, Unit.active, Unit.department_id.in_(department_ids))
                .order_by(Unit.code)):
            units.setdefault(unit.department_id, unit)
    lead = units.get(matter.lead_department_id) if matter.lead_department_id else None
    cooperating = [units[d.id] for d in matter.cooperating_departments
                   if d.id in units and d.id != matter.lead_department_id]
    unstaffed = [d for d in ([matter.lead_department] if matter.lead_department else [])
                 + list(matter.cooperating_departments) if d.id not in units]
    return Responders(lead=lead, cooperating=cooperating, unstaffed=unstaffed,
                      sign_limit=matter.sign_limit, complete_limit=matter.complete_limit,
                      limit_unit=matter.limit_unit)
