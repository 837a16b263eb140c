"""Sending the outbox over SMTP: at least once, never twice at the same moment, retried later.

Each mail is claimed before it is sent (one UPDATE that only one process can win), so several app
processes and ``audit send-mail`` from cron can all send. A mail whose sender died mid-way is
claimed again once its claim has run out: it may then arrive twice, never not at all.

A server that cannot be reached or answers "try later" is tried again after 1, 5, 15 minutes …
up to :data:`RETRY_MINUTES`; an address the server refuses outright (5xx) is given up at once.
"""
from __future__ import annotations

import re
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import Flask, current_app, has_app_context
from sqlalchemy import case, event, func, or_, select, update

from ..extensions import db
from ..models import OutgoingMail, User, utcnow
from .mail_queue import ALWAYS_SENT

RETRY_MINUTES = (1, 5, 15, 60, 180, 360, 720)  # after the 1st, 2nd … failed attempt; then given up
CLAIM = timedelta(minutes=5)
TIMEOUT = 20  # seconds for the server to answer
BATCH = 200
#: The token of a set-password link: kept in the outbox only until the mail is sent or given up.
SECRET_LINK = re.compile(r"(/set-password/)[A-Za-z0-9_-]+")


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


class RefusedForGood(Exception):
    """The mail cannot be sent as it is, however often it is tried: the server refused its
    recipient for good (5xx), or the message could not be written at all."""


def _waiting(now: datetime):
    return (OutgoingMail.sent_at.is_(None), OutgoingMail.failed_at.is_(None),
            or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now))


def deliver_due(limit: int = BATCH) -> Delivery:
    """Send the mails that are due, oldest first; each one's outcome is committed on its own."""
    now = utcnow()
    ids = list(db.session.scalars(select(OutgoingMail.id).where(*_waiting(now), OutgoingMail.next_attempt_at <= now)
                                  .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id).limit(limit)))
    db.session.commit()
    done = Delivery()
    connection = None
    try:
        for position, mail_id in enumerate(ids):
            if not _claim(mail_id):
                continue  # another sender has it
            mail = db.session.get(OutgoingMail, mail_id)
            try:
                message = _message(mail)
                if connection is None:
                    connection = _connect()
                _send(connection, message)
            except RefusedForGood as exc:
                _give_up(mail, str(exc))
                done.failed += 1
            except (smtplib.SMTPException, OSError) as exc:
                given_up = _later(mail, exc)
                done.failed += given_up
                done.retrying += not given_up
                connection = _close(connection)  # in an unknown state: the next mail starts afresh
                if _server_problem(exc):
                    # The server is unreachable or refuses us: the rest waits, untried, until this
                    # mail's next attempt (each used to be tried a second apart, spending its retries).
                    _postpone(ids[position + 1:], mail.next_attempt_at)
                    db.session.commit()
                    break
            except Exception as exc:  # noqa: BLE001 - a mail that cannot be written never will be
                current_app.logger.exception("e-mail %s could not be sent", mail.id)
                _give_up(mail, f"the message could not be written: {_describe(exc)}")
                done.failed += 1
            else:
                mail.sent_at, mail.claimed_until, mail.last_error = utcnow(), None, ""
                _forget_secret(mail)
                done.sent += 1
            db.session.commit()
    finally:
        _close(connection)
    return done


def bring_forward() -> int:
    """Make every waiting mail due now (the server is back): how many there are."""
    now = utcnow()
    count = db.session.execute(update(OutgoingMail).where(*_waiting(now), OutgoingMail.next_attempt_at > now)
                               .values(next_attempt_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.info["mail_queued"] = True
    return count or 0


def next_due() -> datetime | None:
    """When the earliest waiting mail may be tried (a claimed one: when its claim runs out)."""
    due = case((OutgoingMail.claimed_until > OutgoingMail.next_attempt_at, OutgoingMail.claimed_until),
               else_=OutgoingMail.next_attempt_at)
    return db.session.scalar(select(func.min(due)).where(OutgoingMail.sent_at.is_(None),
                                                         OutgoingMail.failed_at.is_(None)))


def server_problem() -> str | None:
    """Why the mail server cannot be used (connecting, encrypting, signing in), or None."""
    try:
        _close(_connect())
    except (smtplib.SMTPException, OSError) as exc:
        return _describe(exc)
    return None


class NotSentAgain(Exception):
    """A set-password link's mail is not sent again: its link was blanked out; make a new one."""


def send_again(mail: OutgoingMail) -> None:
    """A mail given up on goes back to the outbox (an address corrected, a server fixed)."""
    if mail.kind == "password_link":
        raise NotSentAgain(mail.user_id)
    user = db.session.get(User, mail.user_id) if mail.user_id is not None else None
    if user is not None:  # the address may have been corrected since
        mail.to_address, mail.to_name = user.email, user.name
    mail.failed_at, mail.sent_at, mail.claimed_until = None, None, None
    mail.attempts, mail.next_attempt_at = 0, utcnow()
    db.session.info["mail_queued"] = True


def _give_up(mail: OutgoingMail, reason: str) -> None:
    mail.failed_at, mail.last_error, mail.claimed_until = utcnow(), reason[:500], None
    _forget_secret(mail)


def _postpone(mail_ids: list[int], until: datetime) -> None:
    if mail_ids:
        db.session.execute(update(OutgoingMail).where(OutgoingMail.id.in_(mail_ids), *_waiting(utcnow()))
                           .values(next_attempt_at=until).execution_options(synchronize_session=False))


def _forget_secret(mail: OutgoingMail) -> None:
    """Only the link's hash is stored (audit.services.password_links); its mail keeps it no longer
    than needed to send it."""
    if mail.kind == "password_link":
        mail.body = SECRET_LINK.sub(r"\1…", mail.body)


def _claim(mail_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(OutgoingMail).where(OutgoingMail.id == mail_id, *_waiting(now), OutgoingMail.next_attempt_at <= now)
        .values(claimed_until=now + CLAIM, attempts=OutgoingMail.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return claimed.rowcount == 1


def _later(mail: OutgoingMail, exc: Exception) -> bool:
    """Schedule the next attempt, or give up after the last; True when given up."""
    mail.last_error, mail.claimed_until = _describe(exc)[:500], None
    if mail.attempts > len(RETRY_MINUTES):
        _give_up(mail, mail.last_error)
        return True
    mail.next_attempt_at = utcnow() + timedelta(minutes=RETRY_MINUTES[mail.attempts - 1])
    return False


def _server_problem(exc: Exception) -> bool:
    return not isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError))


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, security = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_SECURITY"]
    if security == "ssl":
        connection = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=TIMEOUT)
        if security == "starttls":
            connection.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return connection


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is not None:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()


def _message(mail: OutgoingMail) -> EmailMessage:
    """The mail as it goes out; raises :class:`RefusedForGood` for a recipient it should not reach."""
    user = db.session.get(User, mail.user_id) if mail.user_id is not None else None
    if user is not None and not user.active:
        raise RefusedForGood("not sent: the account was deactivated after the mail was written")
    if user is not None and not user.wants_mail and mail.kind not in ALWAYS_SENT:
        raise RefusedForGood("not sent: the person turned e-mail off after the mail was written")
    local, _, domain = mail.to_address.rpartition("@")
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    # A domain with accents (grožionamai.lt) goes as its xn-- form, which every server takes; a
    # name part with them needs a server that speaks SMTPUTF8 (see _send).
    message["To"] = Address(display_name=" ".join(mail.to_name.split()), username=local,
                            domain=domain.encode("idna").decode("ascii") if not domain.isascii() else domain)
    message["Subject"] = " ".join(mail.subject.split())
    message["Date"] = format_datetime(mail.created_at.replace(tzinfo=UTC))
    message["Message-ID"] = make_msgid(idstring=f"audit-{mail.id}", domain=_sender_domain())
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a robot, please
    message.set_content(mail.body)
    return message


def _sender_domain() -> str:
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    return domain if domain.isascii() else domain.encode("idna").decode("ascii")


def _send(connection: smtplib.SMTP, message: EmailMessage) -> None:
    try:
        connection.send_message(message)
    except smtplib.SMTPNotSupportedError:
        raise RefusedForGood("the mail server cannot deliver to an address with letters beyond A–Z before the @ "
                             "(it does not speak SMTPUTF8)") from None
    except smtplib.SMTPRecipientsRefused as exc:
        code, _text = next(iter(exc.recipients.values()))
        if code >= 500:
            raise RefusedForGood(_describe(exc)) from None
        raise


class MailSender:
    """One per app: a thread that sends right after a commit that queued mail, then sleeps until the
    next retry is due, and ends when the outbox is empty."""

    def __init__(self, app: Flask):
        self.app = app
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            self._wake.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.clear()
            due = None
            with self.app.app_context():
                try:
                    deliver_due()
                    due = next_due()
                except Exception:  # noqa: BLE001 - the database away a moment: try again shortly
                    self.app.logger.exception("sending e-mail failed")
                    db.session.rollback()
                    due = utcnow() + timedelta(minutes=1)
                finally:
                    db.session.remove()
            with self._lock:
                if due is None and not self._wake.is_set():
                    self._thread = None
                    return
            wait = None if due is None else max(1.0, (due - utcnow()).total_seconds())
            self._wake.wait(wait)


def install_mail_sender(app: Flask) -> None:
    """Wake the app's sender after each commit that queued mail (when sending in the background)."""
    app.extensions["mail_sender"] = MailSender(app)
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)


def _after_commit(session) -> None:
    if session.info.pop("mail_queued", False) and has_app_context():
        sender = current_app.extensions.get("mail_sender")
        if sender is not None and current_app.config.get("MAIL_SEND_IN_BACKGROUND"):
            sender.wake()


def _after_rollback(session) -> None:
    session.info.pop("mail_queued", None)
