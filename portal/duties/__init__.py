"""The responsibility list (职责清单): the catalogue every whistle and dispatch starts from."""
from flask import Blueprint

bp = Blueprint("duties", __name__, url_prefix="/duties")

from portal.duties import models, views  # noqa: E402,F401
