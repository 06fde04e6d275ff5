"""Entry point for gunicorn: `gunicorn wsgi:app` (sync workers)."""
import gc

from portal import create_app

app = create_app()

# The app's long-lived objects (models, templates, translations) never become garbage; moving them
# out of the collector's generations keeps every request's collections short.
gc.collect()
gc.freeze()
