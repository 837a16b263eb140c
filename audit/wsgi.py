"""The app for a production WSGI server: ``gunicorn --workers 4 --threads 4 audit.wsgi:app``
(README, "Running in production"). Configuration comes from ``AUDIT_*`` variables and
``instance/config.py``.

Under gunicorn the app's messages (a refused photo, a database that cannot be reached) go to
gunicorn's error log, with its time stamps and level, instead of a bare stderr nobody reads.
"""
import logging

from . import create_app

app = create_app()

_gunicorn = logging.getLogger("gunicorn.error")
if _gunicorn.handlers:
    for name in ("audit", "flask-limiter"):
        logger = logging.getLogger(name)
        logger.handlers = list(_gunicorn.handlers)
        logger.setLevel(min(_gunicorn.level, logging.INFO) if _gunicorn.level else logging.INFO)
        logger.propagate = False
