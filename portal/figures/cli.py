"""`flask figures-rebuild` and `flask seed-volume`."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from portal.extensions import db


@click.command("figures-rebuild")
@with_appcontext
def rebuild_command():
    """Recompute the summary tables of the rates and the dashboard from the cases."""
    from portal.figures.tally import rebuild

    started = time.monotonic()
    counts = rebuild()
    db.session.commit()
    click.echo(" ".join(f"{name}={n}" for name, n in counts.items())
               + f" ({time.monotonic() - started:.1f}s)")


@click.command("seed-volume")
@click.option("--cases", "n_cases", type=int, default=600_000, show_default=True)
@click.option("--seed", "random_seed", type=int, default=2026, show_default=True)
@with_appcontext
def seed_volume_command(n_cases: int, random_seed: int):
    """Add N realistic cases over the past year (bulk), then rebuild the summaries."""
    from portal.figures.volume import seed_volume

    started = time.monotonic()
    counts = seed_volume(n_cases, seed=random_seed, echo=click.echo)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items())
               + f" ({time.monotonic() - started:.1f}s)")


def init_app(app) -> None:
    app.cli.add_command(rebuild_command)
    app.cli.add_command(seed_volume_command)
