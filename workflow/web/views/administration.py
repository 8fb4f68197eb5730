"""The administrator's pages: accounts and agencies. They only read the forms and call the
administration services (`workflow/services/administration.py`), which check, change and note
the trail; a refused form is drawn again with each problem beside its field."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from workflow import transactions
from workflow.errors import Conflict, HomewardError, InvalidInput, field_errors, invalid
from workflow.identity.current import current_user
from workflow.models import User
from workflow.schemas import AccountIn, AgencyIn, NewAccountIn
from workflow.services import administration
from workflow.services.administration import IssuedLink
from workflow.services.second_factor import StepUp
from workflow.vocabulary import AgencyKind, Role
from workflow.web import inputs
from workflow.web.blueprint import web
from workflow.web.chrome import notify
from workflow.web.inputs import MAX_FIELD, errors_by_field
from workflow.web.labels import label
from workflow.web.refusals import drawn_again

USER_FIELDS = ("username", "role", "agency")
AGENCY_FIELDS = ("name", "kind")
SHOWN_LENGTH = 200  # what a refused value may be echoed back as, in its own field


@web.get("/admin/users")
def admin_users() -> str:
    return _users_page({}, {})


@web.post("/admin/users")
def create_account() -> ResponseReturnValue:
    """Add an account and show, once, the link with which its user chooses a password."""
    values = _form(USER_FIELDS)
    try:
        issued = administration.create_account(NewAccountIn.model_validate(values), _step_up())
    except ValidationError as error:
        return drawn_again(_users_page(values, _problems(error)), invalid(error))
    except (InvalidInput, Conflict) as refusal:
        return drawn_again(_users_page(values, _problems(refusal)), refusal)
    return _link_page(issued, _("Account created"))


@web.get("/admin/users/<user_id>")
def admin_account(user_id: str) -> str:
    return _account_page(administration.account(user_id), {})


@web.post("/admin/users/<user_id>/account")
def change_account(user_id: str) -> ResponseReturnValue:
    """Give the user another role or agency; their sessions end."""
    values = _form(("role", "agency"))
    try:
        left = administration.change_account(user_id, AccountIn.model_validate(values), _step_up())
    except ValidationError as error:
        return _account_again(user_id, _problems(error), invalid(error))
    except (InvalidInput, Conflict) as refusal:
        return _account_again(user_id, _problems(refusal), refusal)
    notify(_("The account is changed; its sessions have ended."))
    if left:
        notify(
            ngettext(
                "The user is no longer assigned to %(num)d case.",
                "The user is no longer assigned to %(num)d cases.",
                len(left),
            )
        )
    return redirect(url_for("web.admin_account", user_id=user_id), 303)


@web.post("/admin/users/<user_id>/disable")
def disable_account(user_id: str) -> ResponseReturnValue:
    """Stop the user signing in; every session of theirs ends now."""
    try:
        administration.disable(user_id, _step_up())
    except (InvalidInput, Conflict) as refusal:
        return _account_again(user_id, _problems(refusal), refusal)
    notify(_("The account is disabled; its sessions have ended."))
    return redirect(url_for("web.admin_account", user_id=user_id), 303)


@web.post("/admin/users/<user_id>/enable")
def enable_account(user_id: str) -> ResponseReturnValue:
    try:
        administration.enable(user_id, _step_up())
    except InvalidInput as refusal:
        return _account_again(user_id, _problems(refusal), refusal)
    notify(_("The account is enabled."))
    return redirect(url_for("web.admin_account", user_id=user_id), 303)


@web.post("/admin/users/<user_id>/password-reset")
def reset_password(user_id: str) -> ResponseReturnValue:
    """End the user's password and sessions now, and show the link to choose a new one."""
    try:
        issued = administration.reset_password(user_id, _step_up())
    except InvalidInput as refusal:
        return _account_again(user_id, _problems(refusal), refusal)
    return _link_page(issued, _("Password reset"))


@web.post("/admin/users/<user_id>/second-factor-reset")
def reset_second_factor(user_id: str) -> ResponseReturnValue:
    """Forget the user's lost second factor; they set up a new one at their next sign-in."""
    try:
        administration.reset_second_factor(user_id, _step_up())
    except (InvalidInput, Conflict) as refusal:
        return _account_again(user_id, _problems(refusal), refusal)
    notify(_("The second factor is reset; the user's sessions have ended."))
    return redirect(url_for("web.admin_account", user_id=user_id), 303)


@web.get("/admin/agencies")
def admin_agencies() -> str:
    return _agencies_page({}, {})


@web.post("/admin/agencies")
def create_agency() -> ResponseReturnValue:
    values = _form(AGENCY_FIELDS)
    try:
        administration.create_agency(AgencyIn.model_validate(values), _step_up())
    except ValidationError as error:
        return drawn_again(_agencies_page(values, _problems(error)), invalid(error))
    except (InvalidInput, Conflict) as refusal:
        return drawn_again(_agencies_page(values, _problems(refusal)), refusal)
    notify(_("The agency is added."))
    return redirect(url_for("web.admin_agencies"), 303)


def _users_page(values: dict[str, str], errors: dict[str, str]) -> str:
    return render_template(
        "admin_users.html",
        title=_("Accounts"),
        accounts=administration.accounts(),
        values=_shown(values),
        errors=errors,
        **_choices(),
    )


def _agencies_page(values: dict[str, str], errors: dict[str, str]) -> str:
    return render_template(
        "admin_agencies.html",
        title=_("Agencies"),
        agencies=administration.agencies(),
        values=_shown(values),
        errors=errors,
        kinds=[(kind.value, label("agency", kind.value)) for kind in AgencyKind],
        **_asks_for_code(),
    )


def _account_page(user: User, errors: dict[str, str]) -> str:
    values = {"role": user.role.value, "agency": str(user.agency_id)}
    return render_template(
        "admin_account.html",
        title=_("Account %(username)s", username=user.username),
        account=user,
        has_second_factor=administration.second_factor_confirmed(user),
        values=values,
        errors=errors,
        **_choices(),
    )


def _account_again(user_id: str, errors: dict[str, str], refusal: HomewardError) -> tuple[str, int]:
    """The account's page again, as it stands, with the refusal beside its field."""
    transactions.discard_failed_try()
    return drawn_again(_account_page(administration.account(user_id), errors), refusal)


def _link_page(issued: IssuedLink, title: str) -> str:
    """The setup link, shown this once: only its hash is kept, so it cannot be shown again."""
    path = url_for("web.setup_page", token=issued.token)
    return render_template(
        "admin_link.html",
        title=title,
        account=issued.user,
        link=str(current_app.config["PUBLIC_URL"]).rstrip("/") + path,
        hours=int(current_app.config["ACCOUNT_SETUP_HOURS"]),
    )


def _choices() -> dict[str, Any]:
    agencies = administration.agencies()
    return {
        "roles": [(role.value, label("role", role.value)) for role in Role],
        "agencies": [(str(agency.id), agency.name) for agency in agencies],
        **_asks_for_code(),
    }


def _asks_for_code() -> dict[str, bool]:
    """Whether each change's form asks the administrator for a fresh code (step-up)."""
    return {"asks_for_code": administration.second_factor_confirmed(current_user())}


def _step_up() -> StepUp:
    return StepUp(inputs.text(request.form, "totp"), request.remote_addr)


def _form(fields: tuple[str, ...]) -> dict[str, str]:
    form: MultiDict[str, str] = request.form
    return {name: form.get(name, "")[:MAX_FIELD].strip() for name in fields}


def _shown(values: dict[str, str]) -> dict[str, str]:
    return {name: value[:SHOWN_LENGTH] for name, value in values.items()}


def _problems(error: ValidationError | HomewardError) -> dict[str, str]:
    if isinstance(error, ValidationError):
        return errors_by_field(field_errors(error))
    transactions.discard_failed_try()  # the page drawn again shows what is stored
    return errors_by_field(error.details if isinstance(error.details, list) else [])
