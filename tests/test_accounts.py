"""Local accounts: Argon2 hashes, lockout, the first admin, roles and assignments."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from analysis import accounts
from analysis.accounts import SignInFailed
from analysis.audit import TrustError, audit_log
from analysis.auth import Actor
from analysis.errors import InputError, NotFound, PermissionDenied
from analysis.models import Account

PASSWORD = "correct horse battery"


@pytest.fixture
def team(store):
    """A store with an admin account (``boss``) and a rater (``rita``)."""
    accounts.create_first_admin(store, "boss", PASSWORD)
    accounts.create_account(store, "rita", "rater password 1", "rater", "Rita Rater")
    return store


def test_password_is_stored_as_an_argon2_hash(team):
    with team.engine.connect() as conn:
        hashed = conn.scalar(select(Account.password_hash).where(Account.username == "boss"))
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed


def test_authenticate_returns_the_accounts_role(team):
    assert accounts.authenticate(team, "boss", PASSWORD) == Actor("boss", "admin")
    assert accounts.authenticate(team, "RITA", "rater password 1") == Actor("rita", "rater")


@pytest.mark.parametrize("username, password", [
    ("boss", "wrong password!"), ("nobody", PASSWORD), ("", ""), ("boss", ""),
])
def test_bad_credentials_are_refused_without_saying_which_part(team, username, password):
    with pytest.raises(SignInFailed) as info:
        accounts.authenticate(team, username, password)
    assert info.value.code == "bad_credentials"


def test_lockout_after_repeated_failures_even_with_the_right_password(team):
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(SignInFailed, match="bad_credentials"):
            accounts.authenticate(team, "rita", "not the password")
    with pytest.raises(SignInFailed) as info:
        accounts.authenticate(team, "rita", "rater password 1")
    assert info.value.code == "locked"
    assert 1 <= info.value.minutes <= accounts.LOCK_MINUTES
    # the lock expires
    with team.transaction() as db:
        db.execute(update(Account).where(Account.username == "rita").values(
            locked_until=dt.datetime(2000, 1, 1)))
    assert accounts.authenticate(team, "rita", "rater password 1").role == "rater"


def test_a_successful_sign_in_resets_the_failure_count(team):
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(SignInFailed):
            accounts.authenticate(team, "rita", "nope nope nope")
    accounts.authenticate(team, "rita", "rater password 1")
    with pytest.raises(SignInFailed, match="bad_credentials"):
        accounts.authenticate(team, "rita", "nope nope nope")
    assert accounts.authenticate(team, "rita", "rater password 1").name == "rita"


def test_admin_unlock_lifts_a_lockout(team):
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(SignInFailed):
            accounts.authenticate(team, "rita", "nope nope nope")
    accounts.unlock(team, "rita")
    assert accounts.authenticate(team, "rita", "rater password 1").role == "rater"


def test_sign_ins_and_failures_are_audited_without_passwords(team):
    accounts.authenticate(team, "boss", PASSWORD)
    with pytest.raises(SignInFailed):
        accounts.authenticate(team, "boss", "a wrong guess")
    log = audit_log(team)
    assert {"sign_in", "sign_in_failed", "account_create"} <= set(log["action"])
    text = log.astype(str).to_string()
    assert PASSWORD not in text and "a wrong guess" not in text


def test_deactivated_account_cannot_sign_in(team):
    accounts.set_active(team, "rita", False)
    with pytest.raises(SignInFailed, match="bad_credentials"):
        accounts.authenticate(team, "rita", "rater password 1")


def test_first_admin_only_once(team):
    with pytest.raises(TrustError, match="exists already"):
        accounts.create_first_admin(team, "second", PASSWORD)


@pytest.mark.parametrize("username, password, role, code", [
    ("new user", PASSWORD, "viewer", "bad_username"),
    ("", PASSWORD, "viewer", "bad_username"),
    ("newbie", "short", "viewer", "short_password"),
    ("newbie", PASSWORD, "superuser", "bad_role"),
    ("Boss", PASSWORD, "viewer", "taken"),
])
def test_create_account_refuses_bad_input(team, username, password, role, code):
    with pytest.raises(TrustError) as info:
        accounts.create_account(team, username, password, role)
    assert info.value.code == code
    assert isinstance(info.value, InputError)  # the CLI and pages handle it as bad input
    assert len(accounts.accounts(team)) == 2


def test_last_admin_keeps_the_role(team):
    with pytest.raises(TrustError, match="last admin"):
        accounts.set_role(team, "boss", "viewer")
    with pytest.raises(TrustError, match="last admin"):
        accounts.set_active(team, "boss", False)
    accounts.create_account(team, "boss2", PASSWORD, "admin")
    accounts.set_role(team, "boss", "viewer")
    assert accounts.authenticate(team, "boss", PASSWORD).role == "viewer"


def test_users_may_change_their_own_password_only(team):
    rita = team.as_actor(Actor("rita", "rater"))
    accounts.set_password(rita, "rita", "a brand new secret")
    assert accounts.authenticate(team, "rita", "a brand new secret").role == "rater"
    with pytest.raises(PermissionDenied):
        accounts.set_password(rita, "boss", "taking over the boss")


def test_oidc_email_maps_to_an_account(team):
    accounts.create_account(team, "kari@example.no", None, "recruiter")
    assert accounts.actor_for_email(team, "Kari@Example.no") == Actor("kari@example.no",
                                                                      "recruiter")
    assert accounts.actor_for_email(team, "stranger@example.no") is None
    # an identity-provider account has no password to guess
    with pytest.raises(SignInFailed):
        accounts.authenticate(team, "kari@example.no", "")


def test_assignments(team, make_upload, labeller):
    team.import_upload(make_upload(), labeller)
    accounts.assign(team, "rita", "A1")
    accounts.assign(team, "rita", "A1")  # twice changes nothing
    assert accounts.assignments(team)[["username", "session_key"]].values.tolist() == [
        ["rita", "A1"]]
    assert accounts.is_assigned(team, "rita", "A1")
    rita = team.as_actor(Actor("rita", "rater"))
    assert len(accounts.assignments(rita, "rita")) == 1
    with pytest.raises(PermissionDenied):
        accounts.assignments(rita)
    with pytest.raises(NotFound):
        accounts.assign(team, "rita", "NO-SUCH")
    accounts.unassign(team, "rita", "A1")
    assert not accounts.is_assigned(team, "rita", "A1")


def test_accounts_listing_never_shows_hashes(team):
    frame = accounts.accounts(team)
    assert list(frame["username"]) == ["boss", "rita"]
    assert "password_hash" not in frame.columns
    assert "$argon2" not in frame.astype(str).to_string()


def test_an_unknown_user_name_is_audited_as_a_hash(team):
    # people type their password into the user name field by mistake
    with pytest.raises(SignInFailed):
        accounts.authenticate(team, "MySecretPassw0rd", "whatever")
    log = audit_log(team, action="sign_in_failed")
    assert "MySecretPassw0rd" not in log.astype(str).to_string()
    assert log.iloc[0]["target"].startswith("?")
