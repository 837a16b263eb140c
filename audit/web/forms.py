"""The base of every form: WTForms' own messages ("This field is required.", "Not a valid
choice." …) in the user's language. WTForms ships Russian but no Lithuanian or Latvian, so the
messages our forms can show are translated in our catalogue (listed below for extraction);
anything else falls back to WTForms' catalogue, then English."""
from __future__ import annotations

from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import DateField

#: The WTForms messages that our fields and validators can produce, marked for ``pybabel extract``.
MESSAGES = (
    _l("This field is required."), _l("Invalid email address."), _l("Not a valid choice."),
    _l("Not a valid date value."), _l("Not a valid integer value."), _l("Not a valid decimal value."),
    _l("Field must be equal to %(other_name)s."), _l("Field must be between %(min)d and %(max)d characters long."),
)


def _plural_messages(ngettext) -> None:  # never called: marks the plural messages for extraction
    ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1)
    ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1)
    ngettext("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field.", 1)


class _Translations:
    """WTForms' translations interface: our catalogue first, then WTForms' own."""

    def gettext(self, string: str) -> str:
        ours = get_translations().gettext(string)
        return ours if ours != string else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = get_translations().ngettext(singular, plural, n)
        return ours if ours not in (singular, plural) else wtforms_translations.ngettext(singular, plural, n)


TRANSLATIONS = _Translations()


def strip(value):
    """A field filter: text without surrounding spaces (pasted, typed on a phone); anything else as is."""
    return value.strip() if isinstance(value, str) else value


class AppForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return TRANSLATIONS


class DayField(DateField):
    """A date box that names a typed value which is no day ("“2026-02-30” is not a date."); the
    value stays in the box. Pair it with ``InputRequired``: ``DataRequired`` sees no date either
    way and calls a typed impossible day "required", dropping this message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            typed = " ".join(valuelist).strip()
            if not typed:  # spaces only (InputRequired lets them by)
                raise ValueError(self.gettext("This field is required.")) from None
            raise ValueError(_("“%(value)s” is not a date.", value=typed[:20])) from None
