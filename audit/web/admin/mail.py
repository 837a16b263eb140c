"""The e-mail outbox for admins: is mail set up, what was sent, what waits or failed and why;
a test mail to oneself, and sending a failed mail again."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from ...extensions import db
from ...models import OutgoingMail, utcnow
from ...services.mail_delivery import NotSentAgain, bring_forward, send_again
from ...services.mail_queue import mail_is_on, queue_mail
from . import bp, requires

SHOWN = 100
SECURITY_NAMES = {"starttls": _l("encrypted (STARTTLS)"), "ssl": _l("encrypted (SSL/TLS)"),
                  "none": _l("not encrypted")}
VIEWS = ("all", "waiting", "failed", "sent")


@bp.get("/mail")
@requires("manage_mail")
def mail():
    view = request.args.get("show", "all")
    view = view if view in VIEWS else "all"
    stmt = select(OutgoingMail).order_by(OutgoingMail.id.desc()).limit(SHOWN)
    if view == "waiting":
        stmt = stmt.where(OutgoingMail.sent_at.is_(None), OutgoingMail.failed_at.is_(None))
    elif view == "failed":
        stmt = stmt.where(OutgoingMail.failed_at.is_not(None))
    elif view == "sent":
        stmt = stmt.where(OutgoingMail.sent_at.is_not(None))
    waiting, failed, sent = db.session.execute(select(
        func.count().filter(OutgoingMail.sent_at.is_(None), OutgoingMail.failed_at.is_(None)),
        func.count().filter(OutgoingMail.failed_at.is_not(None)),
        func.count().filter(OutgoingMail.sent_at.is_not(None)))).one()
    config = current_app.config
    return render_template("admin/mail.html", mails=list(db.session.scalars(stmt)), view=view, mail_is_on=mail_is_on(),
                           now=utcnow(), security_names=SECURITY_NAMES,
                           counts={"waiting": waiting, "failed": failed, "sent": sent}, shown=SHOWN,
                           server={"host": config.get("MAIL_SERVER"), "port": config.get("MAIL_PORT"),
                                   "security": config.get("MAIL_SECURITY"), "sender": config.get("MAIL_FROM"),
                                   "user": config.get("MAIL_USERNAME"), "base_url": config.get("BASE_URL")})


@bp.post("/mail/test")
@requires("manage_mail")
def mail_test():
    if not mail_is_on():
        flash(_("No mail server is set up: nothing can be sent."), "error")
        return redirect(url_for("admin.mail"))
    queue_mail(current_user, "test", sent_by=current_user.name)
    db.session.commit()
    flash(_("A test e-mail to %(address)s is on its way; its line below says whether it was sent.",
            address=current_user.email), "info")
    return redirect(url_for("admin.mail"))


@bp.post("/mail/now")
@requires("manage_mail")
def mail_now():
    """Waiting mail is tried at once (the server is back), rather than at its next retry."""
    count = bring_forward()
    db.session.commit()
    flash(ngettext("%(num)d waiting e-mail is being tried now; reload the page to see how it went.",
                   "%(num)d waiting e-mails are being tried now; reload the page to see how they went.", count),
          "info")
    return redirect(url_for("admin.mail", show="waiting"))


@bp.post("/mail/<int:mail_id>/again")
@requires("manage_mail")
def mail_again(mail_id: int):
    found = db.get_or_404(OutgoingMail, mail_id)
    if found.failed_at is None:
        flash(_("Only an e-mail that failed can be sent again."), "error")
        return redirect(url_for("admin.mail", show=request.args.get("show", "all")))
    try:
        send_again(found)
    except NotSentAgain:
        flash(_("A set-password link is not sent twice: make a new link on the person's page."), "error")
        if found.user_id is not None:
            return redirect(url_for("admin.user_edit", user_id=found.user_id))
    else:
        db.session.commit()
        flash(_("The e-mail to %(address)s is in the outbox again.", address=found.to_address), "info")
    return redirect(url_for("admin.mail", show=request.args.get("show", "all")))
