"""Forms of the admin screens: WTForms checks the shape, the services check the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from ..forms import AppForm, strip
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ...config import LANGUAGES
from ...models import LOCATION_FORMATS, ROLES
from ...passwords import MIN_LENGTH
from ..i18n import LANGUAGE_NAMES
from ..labels import FORMAT_NAMES, ROLE_NAMES
from ..options import options


#: The longest password accepted: enough for any passphrase, and hashing a pasted book stays cheap.
MAX_PASSWORD_LENGTH = 1000
#: Every password field's length checks, each end with its own message (one message for both
#: once told a 5000-character password that it was too short). Splat into ``validators``.
PASSWORD_LENGTH = (Length(min=MIN_LENGTH, message=_l("The password must have at least %(min)d characters.")),
                   Length(max=MAX_PASSWORD_LENGTH, message=_l("The password may have at most %(max)d characters.")))


class UserForm(AppForm):
    email = EmailField(_l("E-mail"), filters=[strip],
                       validators=[DataRequired(), Email(message=_l("This is not a valid e-mail address.")),
                                   Length(max=254)])
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=options((role, ROLE_NAMES[role]) for role in ROLES), default="auditor")
    locations = SelectMultipleField(
        _l("Locations this manager looks after"), choices=[], widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    # The language of their pages and of set-password links (the user import sets it too).
    language = SelectField(_l("Language"), choices=options([("", _l("As their browser asks"))]
                                                          + [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]),
                           default="")
    password = PasswordField(_l("Password"), validators=[Optional(), *PASSWORD_LENGTH])
    password_again = PasswordField(
        _l("Repeat the password"), validators=[EqualTo("password", message=_l("The passwords do not match."))]
    )


class NewUserForm(UserForm):
    # Shown only when the app sends e-mail: the link goes to the person, not through the admin.
    mail_link = BooleanField(_l("E-mail them a link to choose their password (when no password is typed here)"),
                             default=True)


class EditUserForm(UserForm):
    active = BooleanField(_l("Active: may sign in"))
    password = PasswordField(_l("New password"), validators=[Optional(), *PASSWORD_LENGTH])


class LocationForm(AppForm):
    code = StringField(_l("Code"), filters=[strip], validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Branch name"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    region = SelectField(_l("Region"), coerce=int, choices=[])
    city = StringField(_l("City"), filters=[strip], validators=[Length(max=120)])
    address = StringField(_l("Address"), filters=[strip], validators=[Length(max=300)])
    format = SelectField(_l("Format"), choices=options((f, FORMAT_NAMES[f]) for f in LOCATION_FORMATS),
                         default="high_street")
    active = BooleanField(_l("Active: open and visited"), default=True)


class RegionForm(AppForm):
    name = StringField(_l("Region name"), filters=[strip], validators=[DataRequired(), Length(max=120)])


class LocationImportForm(AppForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file to import."))])


class UserImportForm(AppForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file to import."))])
    mail_links = BooleanField(_l("E-mail each new user their set-password link"), default=True)
