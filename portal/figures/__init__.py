"""Figures: the three rates (响应率, 解决率, 满意率) and the summary tables behind them and the
dashboard, kept exact in the transaction of each case change; bulk demo volume and the benchmark.

Areas above cases (assessment, public, dashboard) import `portal.figures.rates`.
"""
from flask import Blueprint

bp = Blueprint("figures", __name__, url_prefix="/figures")

from portal.figures import models, tally, views  # noqa: E402,F401


def init_app(app) -> None:
    from portal.figures import cli
    from portal.figures.rates import percent

    cli.init_app(app)
    app.jinja_env.filters["percent"] = percent
