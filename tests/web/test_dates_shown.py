"""Times on the pages: in the user's language and in Vilnius time, the year in four digits in
every language (Latvian's short pattern wrote 01.12.26)."""
from __future__ import annotations

from datetime import datetime

from flask import render_template_string
from flask_babel import force_locale


def test_short_times_keep_four_digit_years_and_move_to_vilnius_time(app):
    winter, summer = datetime(2026, 12, 1, 12, 14), datetime(2026, 7, 1, 21, 30)  # stored in UTC
    expected = {"en_GB": ("01/12/2026, 14:14", "02/07/2026, 00:30"), "ru": ("01.12.2026, 14:14", "02.07.2026, 00:30"),
                "lt": ("2026-12-01 14:14", "2026-07-02 00:30"), "lv": ("1.12.2026. 14:14", "2.07.2026. 00:30")}
    with app.test_request_context():
        for locale, shown in expected.items():
            with force_locale(locale):
                assert render_template_string("{{ a|datetime }}|{{ b|datetime }}", a=winter, b=summer) == "|".join(shown)
