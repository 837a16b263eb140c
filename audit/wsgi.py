"""The app for a production WSGI server: ``gunicorn --workers 4 audit.wsgi:app`` (README,
"Running in production"). Configuration comes from ``AUDIT_*`` variables and ``instance/config.py``."""
from . import create_app

app = create_app()
