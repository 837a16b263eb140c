"""How fast the outbox is sent: N mails written (as a round of visits would write them), then
sent by one sender and by two at once, to a real SMTP server on localhost (aiosmtpd, which
accepts everything at once: the figures are the app's own cost, not a provider's).

    .venv/bin/python bench/mail_bench.py [--mails 1000] [--postgres postgresql://postgres@127.0.0.1:5432/test]

Prints, per database: writing the mails (queue_mail, rendering each in its recipient's language),
sending them with one sender, and with two senders at once (each mail claimed before it is sent:
two senders should share the work, and send each mail once).
"""
from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import text  # noqa: E402

from audit import create_app  # noqa: E402
from audit.extensions import db  # noqa: E402
from audit.models import OutgoingMail, User  # noqa: E402
from audit.services.mail_delivery import deliver_due  # noqa: E402
from audit.services.mail_queue import queue_mail  # noqa: E402


class Counter:
    def __init__(self):
        self.received = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(uri: str, mails: int, port: int, counter: Counter) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench" * 8, "INSTANCE_PATH": folder,
                          "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_SECURITY": "none",
                          "MAIL_FROM": "bench@chain.example", "BASE_URL": "https://audits.chain.example",
                          "MAIL_SEND_IN_BACKGROUND": False})
        with app.app_context():
            if uri.startswith("postgresql"):
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA IF EXISTS mail_bench CASCADE; CREATE SCHEMA mail_bench"))
            db.create_all()
            users = [User(email=f"auditor{k}@example.com", name=f"Auditor {k}", role="auditor",
                          locale=("lt", "lv", "ru", "en")[k % 4]) for k in range(mails)]
            db.session.add_all(users)
            db.session.commit()
            for label, senders in (("one sender", 1), ("two senders at once", 2)):
                db.session.execute(db.delete(OutgoingMail))
                db.session.commit()
                started = time.perf_counter()
                for user in users:
                    queue_mail(user, "test", sent_by="Bench")
                db.session.commit()
                written = time.perf_counter() - started
                counter.received = 0
                started = time.perf_counter()
                sent = []

                def send():
                    with app.app_context():
                        while True:
                            done = deliver_due()
                            sent.append(done.sent)
                            if not done.sent:
                                break
                        db.session.remove()
                threads = [threading.Thread(target=send) for _ in range(senders)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                took = time.perf_counter() - started
                print(f"  {label:<20} written {written:6.2f} s ({written / mails * 1000:5.2f} ms each); "
                      f"sent {took:6.2f} s ({took / mails * 1000:5.2f} ms each, {mails / took:6.0f} a second); "
                      f"received {counter.received} of {mails}")
            if uri.startswith("postgresql"):
                db.session.remove()
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA mail_bench CASCADE"))
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL to measure there too")
    args = parser.parse_args()
    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            print(f"SQLite, {args.mails} mails")
            run(f"sqlite:///{folder}/bench.db", args.mails, port, counter)
        if args.postgres:
            print(f"PostgreSQL, {args.mails} mails")
            url = args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)
            run(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3Dmail_bench", args.mails, port, counter)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
