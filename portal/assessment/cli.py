"""`flask --app portal assess --month YYYY-MM`: print the district's ranking (scores are computed
on the fly from the month's whistle assignments; nothing is stored)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("assess")
@click.option("--month", "period", default=None, help="YYYY-MM, or YYYY for a year (default: this month)")
@click.option("--xlsx", "path", default=None, type=click.Path(dir_okay=False), help="also write the XLSX here")
@with_appcontext
def assess_command(period: str | None, path: str | None):
    """Print the monthly (or yearly) assessment of every unit and department."""
    from types import SimpleNamespace

    from portal import permissions as perm
    from portal.assessment import export, scoring

    district = SimpleNamespace(role=perm.DISTRICT_ADMIN, street_id=None, unit_id=None)
    from portal.extensions import db

    result = scoring.assess(district, scoring.Period.parse(period))
    db.session.commit()    # keeps the monthly tallies it had to compute
    click.echo(f"period {result.period.label}; rule versions "
               + ", ".join(str(r.number) for r in result.rules_used))
    for title, rows in (("units", result.units), ("departments", result.departments)):
        click.echo(f"-- {title}")
        for row in rows:
            if row.value is None:
                continue
            click.echo(f"{row.rank:>3} {row.value:6.1f}  cases={row.result.cases:<4} "
                       f"assignments={row.result.assignments:<4} {row.subject.name}")
    if path:
        with open(path, "wb") as fh:
            fh.write(export.workbook(result, district))
        click.echo(f"written {path}")
