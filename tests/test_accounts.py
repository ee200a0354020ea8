"""Local accounts: Argon2 hashes, lockout, the first admin, roles and assignments."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from analysis import (
    LOCK_MINUTES,
    MAX_FAILURES,
    accounts,
    actor_for_email,
    assign,
    assignments,
    authenticate,
    create_account,
    create_first_admin,
    is_assigned,
    set_active,
    set_password,
    set_role,
    unassign,
    unlock,
)
from analysis.errors import InputError, NotFound, PermissionDenied
from analysis.store.accounts import SignInFailed
from analysis.store.audit import TrustError, audit_log
from analysis.store.auth import Actor
from analysis.store.models import Account

PASSWORD = "correct horse battery"


@pytest.fixture
def team(store):
    """A store with an admin account (``boss``) and a rater (``rita``)."""
    create_first_admin(store, "boss", PASSWORD)
    create_account(store, "rita", "rater password 1", "rater", "Rita Rater")
    return store


def test_password_is_stored_as_an_argon2_hash(team):
    with team.engine.connect() as conn:
        hashed = conn.scalar(select(Account.password_hash).where(Account.username == "boss"))
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed


def test_authenticate_returns_the_accounts_role(team):
    assert authenticate(team, "boss", PASSWORD) == Actor("boss", "admin")
    assert authenticate(team, "RITA", "rater password 1") == Actor("rita", "rater")


@pytest.mark.parametrize("username, password", [
    ("boss", "wrong password!"), ("nobody", PASSWORD), ("", ""), ("boss", ""),
])
def test_bad_credentials_are_refused_without_saying_which_part(team, username, password):
    with pytest.raises(SignInFailed) as info:
        authenticate(team, username, password)
    assert info.value.code == "bad_credentials"


def test_lockout_after_repeated_failures_even_with_the_right_password(team):
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInFailed, match="bad_credentials"):
            authenticate(team, "rita", "not the password")
    with pytest.raises(SignInFailed) as info:
        authenticate(team, "rita", "rater password 1")
    assert info.value.code == "locked"
    assert 1 <= info.value.minutes <= LOCK_MINUTES
    # the lock expires
    with team.transaction() as db:
        db.execute(update(Account).where(Account.username == "rita").values(
            locked_until=dt.datetime(2000, 1, 1)))
    assert authenticate(team, "rita", "rater password 1").role == "rater"


def test_a_successful_sign_in_resets_the_failure_count(team):
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignInFailed):
            authenticate(team, "rita", "nope nope nope")
    authenticate(team, "rita", "rater password 1")
    with pytest.raises(SignInFailed, match="bad_credentials"):
        authenticate(team, "rita", "nope nope nope")
    assert authenticate(team, "rita", "rater password 1").name == "rita"


def test_admin_unlock_lifts_a_lockout(team):
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInFailed):
            authenticate(team, "rita", "nope nope nope")
    unlock(team, "rita")
    assert authenticate(team, "rita", "rater password 1").role == "rater"


def test_sign_ins_and_failures_are_audited_without_passwords(team):
    authenticate(team, "boss", PASSWORD)
    with pytest.raises(SignInFailed):
        authenticate(team, "boss", "a wrong guess")
    log = audit_log(team)
    assert {"sign_in", "sign_in_failed", "account_create"} <= set(log["action"])
    text = log.astype(str).to_string()
    assert PASSWORD not in text and "a wrong guess" not in text


def test_deactivated_account_cannot_sign_in(team):
    set_active(team, "rita", False)
    with pytest.raises(SignInFailed, match="bad_credentials"):
        authenticate(team, "rita", "rater password 1")


def test_first_admin_only_once(team):
    with pytest.raises(TrustError, match="exists already"):
        create_first_admin(team, "second", PASSWORD)


@pytest.mark.parametrize("username, password, role, code", [
    ("new user", PASSWORD, "viewer", "bad_username"),
    ("", PASSWORD, "viewer", "bad_username"),
    ("newbie", "short", "viewer", "short_password"),
    ("newbie", PASSWORD, "superuser", "bad_role"),
    ("Boss", PASSWORD, "viewer", "taken"),
])
def test_create_account_refuses_bad_input(team, username, password, role, code):
    with pytest.raises(TrustError) as info:
        create_account(team, username, password, role)
    assert info.value.code == code
    assert isinstance(info.value, InputError)  # the CLI and pages handle it as bad input
    assert len(accounts(team)) == 2


def test_last_admin_keeps_the_role(team):
    with pytest.raises(TrustError, match="last admin"):
        set_role(team, "boss", "viewer")
    with pytest.raises(TrustError, match="last admin"):
        set_active(team, "boss", False)
    create_account(team, "boss2", PASSWORD, "admin")
    set_role(team, "boss", "viewer")
    assert authenticate(team, "boss", PASSWORD).role == "viewer"


def test_users_may_change_their_own_password_only(team):
    rita = team.as_actor(Actor("rita", "rater"))
    set_password(rita, "rita", "a brand new secret")
    assert authenticate(team, "rita", "a brand new secret").role == "rater"
    with pytest.raises(PermissionDenied):
        set_password(rita, "boss", "taking over the boss")


def test_oidc_email_maps_to_an_account(team):
    create_account(team, "kari@example.no", None, "recruiter")
    assert actor_for_email(team, "Kari@Example.no") == Actor("kari@example.no",
                                                                      "recruiter")
    assert actor_for_email(team, "stranger@example.no") is None
    # an identity-provider account has no password to guess
    with pytest.raises(SignInFailed):
        authenticate(team, "kari@example.no", "")


def test_assignments(team, make_upload, labeller):
    team.import_upload(make_upload(), labeller)
    assign(team, "rita", "A1")
    assign(team, "rita", "A1")  # twice changes nothing
    assert assignments(team)[["username", "session_key"]].values.tolist() == [
        ["rita", "A1"]]
    assert is_assigned(team, "rita", "A1")
    rita = team.as_actor(Actor("rita", "rater"))
    assert len(assignments(rita, "rita")) == 1
    with pytest.raises(PermissionDenied):
        assignments(rita)
    with pytest.raises(NotFound):
        assign(team, "rita", "NO-SUCH")
    unassign(team, "rita", "A1")
    assert not is_assigned(team, "rita", "A1")


def test_accounts_listing_never_shows_hashes(team):
    frame = accounts(team)
    assert list(frame["username"]) == ["boss", "rita"]
    assert "password_hash" not in frame.columns
    assert "$argon2" not in frame.astype(str).to_string()


def test_an_unknown_user_name_is_audited_as_a_hash(team):
    # people type their password into the user name field by mistake
    with pytest.raises(SignInFailed):
        authenticate(team, "MySecretPassw0rd", "whatever")
    log = audit_log(team, action="sign_in_failed")
    assert "MySecretPassw0rd" not in log.astype(str).to_string()
    assert log.iloc[0]["target"].startswith("?")


def test_concurrent_guesses_count_one_by_one_and_lock_the_account(team):
    """50 guesses at once, one of them right (issue 10, defect 3): on SQLite and PostgreSQL every
    failure counts once, the lock falls on the fifth failure in a row, and nothing gets past it."""
    import threading

    from sqlalchemy import func as sa_func

    from analysis.store.models import AuditEvent

    guesses = [f"wrong guess {i:02d}" for i in range(49)] + ["rater password 1"]
    barrier = threading.Barrier(len(guesses))
    results: list[object] = [None] * len(guesses)

    def guess(i: int, password: str) -> None:
        barrier.wait()
        try:
            results[i] = authenticate(team, "rita", password)
        except SignInFailed as exc:
            results[i] = exc.code

    threads = [threading.Thread(target=guess, args=(i, p)) for i, p in enumerate(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(r is not None for r in results)
    assert all(r == "bad_credentials" or r == "locked" for r in results[:49])

    # replay the account's audit trail in commit order: it must read as one guess after another
    with team.engine.connect() as conn:
        events = conn.execute(select(AuditEvent.action, AuditEvent.detail)
                              .where(AuditEvent.target == "rita",
                                     AuditEvent.action.like("sign_in%"))
                              .order_by(AuditEvent.id)).all()
        state = conn.execute(select(Account.failed_logins, Account.locked_until)
                             .where(sa_func.lower(Account.username) == "rita")).one()
    assert len(events) == len(guesses)
    failures, locked, signed_in = 0, False, 0
    for action, detail in events:
        if action == "sign_in":
            assert not locked
            failures, signed_in = 0, signed_in + 1
        elif action == "sign_in_failed":
            assert not locked, "a guess was counted while the account was locked"
            failures += 1
            assert detail["failures"] == failures, "two guesses read the same count"
            if failures == MAX_FAILURES:
                assert detail["locked_minutes"] == LOCK_MINUTES
                failures, locked = 0, True
        else:
            assert action == "sign_in_refused" and locked
    assert locked and state.locked_until is not None
    # the right password got in only if it came before the lock, and then it counts as a sign-in
    assert (results[-1] == Actor("rita", "rater")) == (signed_in == 1)
    assert results[-1] in (Actor("rita", "rater"), "locked")
