"""``audit copy-database``: an embedded SQLite installation moved whole to PostgreSQL – the
same rows in every table, the same statistics, the same passwords – and new rows after it
(the id sequences continue). A target with data, the source itself or an unreachable server
are refused with a sentence and leave nothing behind."""
from __future__ import annotations

import io
import re

import pytest
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import create_engine, func, select, text

from audit import create_app
from audit.extensions import db
from audit.models import Dispute, User, Visit
from audit.services.chain_stats import StatsFilter, chain_statistics
from audit.services.evidence import store_photo
from audit.services.tokens import create_token
from audit.services.users import create_user
from tests.conftest import PG_URL, csrf_token, pg_uri

DEMO = ["demo", "--locations", "6", "--months", "2", "--seed", "3", "--end", "2026-10-31"]


def table_rows() -> dict[str, list]:
    """Every row of every table, in primary-key order, as plain tuples."""
    return {table.name: [tuple(row) for row in db.session.execute(
        select(table).order_by(*table.primary_key.columns))] for table in db.metadata.sorted_tables}


def rounded(value):
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(item) for item in value]
    return value


@pytest.fixture
def embedded(tmp_path):
    """A migrated SQLite installation with the demo chain, a dispute, a photo and an API token."""
    fresh_app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'embedded.db'}",
                            "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "embedded-secret-key-" * 2})
    runner = fresh_app.test_cli_runner()
    with fresh_app.app_context():
        upgrade()
        for command in (["load-checklists"], DEMO):
            result = runner.invoke(args=command)
            assert result.exit_code == 0, result.output
        visit = db.session.scalar(select(Visit).where(Visit.status == "approved").order_by(Visit.id).limit(1))
        manager = db.session.scalar(select(User).where(User.role == "manager").limit(1))
        db.session.add(Dispute(visit_id=visit.id, item_id="smiled", raised_by_id=manager.id,
                               reason="Ji šypsojosi – žr. kamerą", old_value="no"))
        picture = io.BytesIO()
        Image.new("RGB", (320, 240), (20, 120, 200)).save(picture, "JPEG")
        picture.seek(0)
        visit.status = "draft"  # photos go onto drafts
        store_photo(visit, "", picture, visit.auditor, fresh_app.config["UPLOAD_DIR"])
        visit.status = "approved"
        create_token(manager, "tablet 7")
        db.session.commit()
    password = re.search(r"password: (\S+)", (tmp_path / "i" / "demo-logins.txt").read_text()).group(1)
    yield fresh_app, runner, password
    with fresh_app.app_context():
        db.engine.dispose()


@pytest.fixture
def empty_schema():
    if not PG_URL:
        pytest.skip("AUDIT_TEST_POSTGRES_URL is not set")
    schema = "copy_target"
    engine = create_engine(pg_uri())
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}", pg_uri(schema)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def test_an_embedded_installation_moves_whole_to_postgresql(embedded, empty_schema, tmp_path):
    source_app, runner, password = embedded
    target_url, target_uri = empty_schema
    with source_app.app_context():
        before = table_rows()
        stats_before = chain_statistics(StatsFilter("store-visit"))
        result = runner.invoke(args=["copy-database", "--to", target_url])
        assert result.exit_code == 0, result.output
        assert f"visit{len(before['visit']):>{22 - 5 + 9}} row(s)" in result.output
        again = runner.invoke(args=["copy-database", "--to", target_url])
        assert again.exit_code == 1 and "the target already holds data (table checklist)" in again.output
        db.engine.dispose()

    target = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": target_uri, "SECRET_KEY": "another",
                         "INSTANCE_PATH": str(tmp_path / "i")})
    with target.app_context():
        after = table_rows()
        # The statistics' generation is the target's own: its cached statistics go under a name of their own.
        (_, _, source_label), = before.pop("stats_generation")
        (_, _, target_label), = after.pop("stats_generation")
        assert source_label != target_label
        assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
        assert after == before  # every value of every row: times, JSON, booleans, Cyrillic and Lithuanian text
        # The same figures, to the last digits that sums added in another order can change.
        assert rounded(chain_statistics(StatsFilter("store-visit"))) == rounded(stats_before)
        # New rows follow the copied ones (PostgreSQL's id sequences were moved on).
        newest = db.session.scalar(select(func.max(User.id)))
        assert create_user("new.auditor@example.com", "auditor", "New", "correct horse battery").id == newest + 1
        db.session.commit()
        client = target.test_client()
        page = client.get("/login").get_data(as_text=True)
        signed_in = client.post("/login", data={"email": "admin@demo.example", "password": password,
                                                "csrf_token": csrf_token(page)}, follow_redirects=True)
        assert "Sign out" in signed_in.get_data(as_text=True)
        disputed = db.session.scalars(select(Dispute.reason)).all()
        assert "Ji šypsojosi – žr. kamerą" in disputed  # beside the demo's own disputes
        db.session.remove()
        db.engine.dispose()


def test_copying_into_itself_or_an_unreachable_server_is_refused(embedded):
    source_app, runner, _ = embedded
    with source_app.app_context():
        itself = runner.invoke(args=["copy-database", "--to", source_app.config["SQLALCHEMY_DATABASE_URI"]])
        assert itself.exit_code == 1 and "the target is this installation's own database" in itself.output
        away = runner.invoke(args=["copy-database", "--to", "postgresql://nobody:secret@127.0.0.1:1/none"])
        assert away.exit_code == 1 and "the target cannot be reached" in away.output
        assert "secret" not in away.output


def test_a_target_with_other_tables_or_an_older_schema_is_refused_untouched(embedded, empty_schema, tmp_path):
    source_app, runner, _ = embedded
    target_url, target_uri = empty_schema
    engine = create_engine(target_uri)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id integer primary key)"))
    with source_app.app_context():
        foreign = runner.invoke(args=["copy-database", "--to", target_url])
        assert foreign.exit_code == 1 and "the target is not empty (it has tables invoices)" in foreign.output
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM information_schema.tables "
                                 "WHERE table_schema = 'copy_target'")).scalar() == 1  # nothing created
        conn.execute(text("DROP TABLE invoices"))
    older = create_app({"SQLALCHEMY_DATABASE_URI": target_uri, "INSTANCE_PATH": str(tmp_path / "older"),
                        "SECRET_KEY": "older-installation-secret-key-0123456789"})
    with older.app_context():
        upgrade(revision="0003")
        db.engine.dispose()
    with source_app.app_context():
        behind = runner.invoke(args=["copy-database", "--to", target_url])
        assert behind.exit_code == 1
        assert "the target has this app's tables at migration 0003, not the newest (0016)" in behind.output
    with engine.begin() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"  # not upgraded
    engine.dispose()


def test_a_copy_that_fails_half_way_leaves_no_rows_in_the_target(embedded, empty_schema):
    """SQLite does not hold text to its column's length; PostgreSQL does. The copy stops at the
    first such row, and what it had written is rolled back."""
    from audit.models import Region

    source_app, runner, _ = embedded
    target_url, target_uri = empty_schema
    with source_app.app_context():
        db.session.add(Region(name="R" * 150))  # the column holds 120
        db.session.commit()
        failed = runner.invoke(args=["copy-database", "--to", target_url])
        assert failed.exit_code == 1 and "copying failed, nothing was copied into the target" in failed.output
    engine = create_engine(target_uri)
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:  # but the one row its migrations make
            assert conn.execute(select(func.count()).select_from(table)).scalar() == (table.name == "stats_generation"), \
                table.name
    engine.dispose()
