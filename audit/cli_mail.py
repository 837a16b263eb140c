"""``audit send-mail``: send the e-mail that is due, for cron or a systemd timer.

The web app sends right after each change and retries while it runs; this command sends what
a stopped or restarted app left waiting.
"""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .extensions import db
from .models import OutgoingMail
from .services.mail_delivery import BATCH, Delivery, deliver_due
from .services.mail_queue import mail_is_on


@click.command("send-mail")
@with_appcontext
def send_mail() -> None:
    """Send the e-mails that are due now; those that fail are tried again later."""
    if not mail_is_on():
        click.echo("error: no mail server is set up (AUDIT_MAIL_SERVER, AUDIT_MAIL_FROM, AUDIT_BASE_URL)", err=True)
        sys.exit(1)
    total = Delivery()
    while True:
        done = deliver_due()
        total.sent, total.retrying, total.failed = (total.sent + done.sent, total.retrying + done.retrying,
                                                    total.failed + done.failed)
        if done.sent < BATCH or done.retrying or done.failed:
            break  # all that was due, or the server is in trouble: the rest waits for the next run
    waiting = db.session.scalar(select(func.count()).select_from(OutgoingMail).where(
        OutgoingMail.sent_at.is_(None), OutgoingMail.failed_at.is_(None)))
    click.echo(f"{total.sent} sent, {total.retrying} to be tried again later, {total.failed} given up; "
               f"{waiting} waiting in all")
