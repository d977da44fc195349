"""Per-process memories: a value is read once, kept for its time limit, and forgotten at
once when its model changes in this process (so a changed opening hour, policy, key or role
applies to the next request)."""

from __future__ import annotations

import pytest

from oneroof.accounts.actions import api_key_authenticate, api_key_create
from oneroof.accounts.permissions import roles_of
from oneroof.centers.models import OpeningInterval
from oneroof.centers.selectors import center_hours
from oneroof.core import memo
from oneroof.core.memo import Memo
from oneroof.queueing.actions import policy_for
from oneroof.queueing.choices import PolicyKind
from oneroof.queueing.models import CallingPolicy


def test_a_value_is_loaded_once_then_again_after_its_time(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    m = Memo("test.loads", ttl=5)
    loads = []

    def load():
        loads.append(1)
        return len(loads)

    assert m.get("k", load) == 1
    clock[0] += 4.9
    assert m.get("k", load) == 1
    clock[0] += 0.2
    assert m.get("k", load) == 2
    assert len(loads) == 2


def test_none_is_not_kept_when_asked_and_size_is_bounded():
    m = Memo("test.none", ttl=60, max_entries=3)
    assert m.get("missing", lambda: None, keep_none=False) is None
    assert len(m) == 0
    for i in range(3):
        m.get(i, lambda i=i: i)
    assert len(m) == 3
    m.get("one more", lambda: 4)  # full: start afresh rather than grow without end
    assert len(m) == 1


def test_saving_a_model_clears_the_memories_that_depend_on_it(db):
    class Probe:
        pass

    m = Memo("test.signals", ttl=60).clear_on(CallingPolicy)
    m.get("x", Probe)
    assert len(m) == 1
    policy = CallingPolicy.objects.first()
    policy.save()
    assert len(m) == 0


def test_a_changed_policy_applies_at_once(always_open):
    policy = policy_for(always_open)
    assert policy.kind != PolicyKind.STRICT
    stored = CallingPolicy.objects.get(pk=policy.pk)
    stored.kind = PolicyKind.STRICT
    stored.save()
    assert policy_for(always_open).kind == PolicyKind.STRICT


def test_changed_hours_apply_at_once(always_open):
    assert center_hours(always_open).center_schedule[0] == [(0, 1440)]
    OpeningInterval.objects.filter(center=always_open, weekday=0).delete()
    assert center_hours(always_open).center_schedule.get(0, []) == []


def test_a_revoked_key_is_refused_at_once(employee_a):
    key, raw = api_key_create(user=employee_a)
    assert api_key_authenticate(raw) is not None
    key.revoked_at = key.created_at
    key.save()
    assert api_key_authenticate(raw) is None


def test_a_deactivated_user_is_refused_at_once(employee_a):
    _key, raw = api_key_create(user=employee_a)
    assert api_key_authenticate(raw) is not None
    employee_a.is_active = False
    employee_a.save()
    assert api_key_authenticate(raw) is None


@pytest.mark.django_db
def test_roles_are_read_afresh_after_a_change(employee_a):
    from oneroof.accounts.models import RoleAssignment, User

    before = roles_of(User.objects.get(pk=employee_a.pk))
    assert before
    RoleAssignment.objects.filter(user=employee_a).delete()
    assert roles_of(User.objects.get(pk=employee_a.pk)) == []
