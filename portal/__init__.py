"""The Whistle & Report portal (吹哨报到协同平台)."""
from __future__ import annotations

import os
from importlib import import_module

from flask import Flask

# The areas, in the order their blueprints register. `create_app` is the one place that knows them.
AREAS = (
    "audit",
    "org",
    "auth",
    "inbox",
    "workcal",
    "duties",
    "cases",
    "figures",
    "public",
    "assessment",
    "roster",
    "meetings",
    "dashboard",
)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure an instance of the portal."""
    instance_path = os.environ.get("PORTAL_INSTANCE_PATH")
    if test_config and test_config.get("INSTANCE_PATH"):
        instance_path = test_config["INSTANCE_PATH"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    from portal.web import PortalFlask

    app = PortalFlask(
        __name__,
        instance_relative_config=True,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    from portal.templating import LocaleEnvironment

    app.jinja_environment = LocaleEnvironment       # before anything reads app.jinja_env

    from portal import config

    config.load(app, test_config)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)

    from portal import web
    from portal.database import init_database
    from portal.extensions import babel, csrf, db, htmx, login_manager, migrate
    from portal.i18n import translation_directories

    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(root, "migrations"), render_as_batch=True)
    csrf.init_app(app)
    app.before_request(web.csrf_protect)        # first, as Flask-WTF's own check (turned off)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=web.babel_locale, timezone_selector=lambda: "Asia/Shanghai")
    login_manager.init_app(app)

    # Order matters: mark write requests before anything touches the database.
    init_database(app, db)
    web.init_app(app)

    for area in AREAS:
        module = import_module(f"portal.{area}")
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)

    from portal import cli

    cli.init_app(app)
    return app
