"""Signed, expiring sign-in tokens (issue 10, defect 11): a team-mode sign-in survives a reload
through a cookie holding one, and signing out ends it on every device."""
from __future__ import annotations

import time

import pytest

from analysis import (
    actor_for_token,
    create_account,
    create_first_admin,
    issue_token,
    revoke_tokens,
    set_active,
    set_password,
    set_role,
)
from analysis.errors import PermissionDenied
from analysis.store.auth import Actor
from analysis.store.core import Store

RITA = Actor("rita", "rater")


@pytest.fixture
def team(store):
    create_first_admin(store, "boss", "correct horse battery")
    create_account(store, "rita", "rater password 1", "rater", "Rita Rater")
    return store


def _token(team, actor=RITA, **kw) -> str:
    return issue_token(team.as_actor(actor), actor, **kw)


def test_a_token_signs_the_account_in_with_its_role_as_it_is_now(team):
    token = _token(team)
    assert actor_for_token(team, token) == RITA
    set_role(team, "rita", "recruiter")
    assert actor_for_token(team, token) == Actor("rita", "recruiter")
    # the store's own secret is kept in the store: another process (a replica) reads the same
    assert actor_for_token(Store(team.url), token) == Actor("rita", "recruiter")


def test_a_changed_or_forged_token_signs_nobody_in(team):
    token = _token(team)
    body, signature = token.split(".")
    import base64

    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).replace(b"rita", b"boss")
    forged = base64.urlsafe_b64encode(payload).rstrip(b"=").decode() + "." + signature
    for bad in (forged, body + "." + signature[:-2] + "AA", "", "x", "a.b", "a.b.c",
                "\x00.\x00", "." * 3000, None):
        assert actor_for_token(team, bad) is None
    # signed with another secret
    assert actor_for_token(team, _token(team, secret="another secret")) is None
    assert actor_for_token(team, _token(team, secret="s3"), secret="s3") == RITA


def test_a_token_expires(team):
    now = time.time()
    token = _token(team, hours=12, now=now)
    assert actor_for_token(team, token, now=now + 11.9 * 3600) == RITA
    assert actor_for_token(team, token, now=now + 12 * 3600) is None


def test_signing_out_ends_every_token_of_the_account(team):
    phone, laptop = _token(team), _token(team)
    boss = _token(team, Actor("boss", "admin"))
    version = team.version()
    revoke_tokens(team.as_actor(RITA), "rita")
    assert team.version() == version  # no data changed: nobody's cached figures go stale
    assert actor_for_token(team, phone) is None and actor_for_token(team, laptop) is None
    assert actor_for_token(team, boss) == Actor("boss", "admin")  # only hers
    assert actor_for_token(team, _token(team)) == RITA  # signing in again works
    log = team.frame(__import__("sqlalchemy").text(
        "select actor, action, target from audit_event where action = 'sign_out'"))
    assert log.values.tolist() == [["rita", "sign_out", "rita"]]


def test_a_new_password_or_deactivation_ends_the_tokens(team):
    token = _token(team)
    set_password(team, "rita", "a new password 2")
    assert actor_for_token(team, token) is None
    token = _token(team)
    set_active(team, "rita", False)
    assert actor_for_token(team, token) is None
    set_active(team, "rita", True)
    assert actor_for_token(team, token) is None  # reactivating does not revive it


def test_only_the_account_itself_gets_or_ends_its_tokens(team):
    viewer = team.as_actor(Actor("vic", "viewer"))
    with pytest.raises(PermissionDenied):
        issue_token(viewer, RITA)
    with pytest.raises(PermissionDenied):
        revoke_tokens(viewer, "rita")
    revoke_tokens(team, "rita")  # an admin may
