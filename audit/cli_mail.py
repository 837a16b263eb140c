"""``audit send-mail``: send the e-mail that is due, for cron or a systemd timer.

The web app sends right after each change and retries while it runs; this command sends what
a stopped or restarted app left waiting.
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .extensions import db
from .models import OutgoingMail
from .services.mail_delivery import BATCH, Delivery, bring_forward, deliver_due
from .services.mail_queue import mail_is_on


@click.command("send-mail")
@click.option("--now", "everything", is_flag=True, help="also try the waiting mails not due yet (the server is back)")
@with_appcontext
def send_mail(everything: bool) -> None:
    """Send the e-mails that are due now; those that fail are tried again later."""
    if not mail_is_on():
        click.echo("error: no mail server is set up (AUDIT_MAIL_SERVER, AUDIT_MAIL_FROM, AUDIT_BASE_URL)", err=True)
        sys.exit(1)
    current_app.config["MAIL_SEND_IN_BACKGROUND"] = False  # this command sends; no thread to cut short
    if everything:
        bring_forward()
        db.session.commit()
    total = Delivery()
    while True:
        done = deliver_due()
        total.sent, total.retrying, total.failed = (total.sent + done.sent, total.retrying + done.retrying,
                                                    total.failed + done.failed)
        if done.sent + done.failed < BATCH or done.retrying:
            break  # all that was due, or the server is in trouble: the rest waits for the next run
    waiting = db.session.scalar(select(func.count()).select_from(OutgoingMail).where(
        OutgoingMail.sent_at.is_(None), OutgoingMail.failed_at.is_(None)))
    click.echo(f"{total.sent} sent, {total.retrying} to be tried again later, {total.failed} given up; "
               f"{waiting} waiting in all")


@click.command("send-reminders")
@click.option("--today", "today_text", metavar="YYYY-MM-DD", help="the day to remind for (default: today)")
@with_appcontext
def send_reminders_command(today_text: str | None) -> None:
    """Remind auditors of visits and managers of corrective actions falling due, and reviewers of
    visits and disputes waiting (run once a day)."""
    from datetime import date

    from .services.reminders import send_reminders
    from .times import local_today

    if not mail_is_on():
        click.echo("error: no mail server is set up (AUDIT_MAIL_SERVER, AUDIT_MAIL_FROM, AUDIT_BASE_URL)", err=True)
        sys.exit(1)
    try:
        today = date.fromisoformat(today_text) if today_text else local_today()
    except ValueError:
        click.echo(f"error: --today {today_text!r}: write the day as YYYY-MM-DD", err=True)
        sys.exit(1)
    current_app.config["MAIL_SEND_IN_BACKGROUND"] = False  # sent below: this process ends right after
    run = send_reminders(today)
    db.session.commit()
    done = deliver_due()
    click.echo(f"{today.isoformat()}: {run.auditors} auditor(s), {run.managers} manager(s) and "
               f"{run.reviewers} reviewer(s) reminded"
               + (f"; {run.already} had their reminder today already" if run.already else "")
               + f"; {done.sent} e-mail(s) sent now, the rest when the server takes them")
