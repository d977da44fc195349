import pytest
from django.db import IntegrityError

from oneroof.accounts.actions import role_assign
from oneroof.accounts.choices import Role
from oneroof.accounts.models import RoleAssignment, User
from oneroof.catalog.models import Agency
from oneroof.centers.models import Center
from oneroof.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_an_employee_needs_a_center_and_an_agency():
    user = User.objects.create_user("new.employee")
    with pytest.raises(InvalidInput):
        role_assign(user=user, role=Role.EMPLOYEE, center_id=Center.objects.first().pk)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_assigning_the_same_role_twice_keeps_one_row_even_without_scope():
    user = User.objects.create_user("new.evaluator")
    role_assign(user=user, role=Role.EVALUATOR)
    role_assign(user=user, role=Role.EVALUATOR)
    assert RoleAssignment.objects.filter(user=user).count() == 1
    assert User.objects.get(pk=user.pk).is_staff


def test_the_database_refuses_a_duplicate_and_an_unscoped_agency_admin():
    user = User.objects.create_user("x")
    RoleAssignment.objects.create(user=user, role=Role.EVALUATOR)
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=user, role=Role.EVALUATOR)


def test_the_database_refuses_an_agency_admin_without_agency():
    user = User.objects.create_user("y")
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=user, role=Role.AGENCY_ADMIN)


def test_agency_admin_scoped_to_its_agency():
    from oneroof.catalog.permissions import services_for_edit

    user = User.objects.create_user("z")
    role_assign(user=user, role=Role.AGENCY_ADMIN, agency_id=Agency.objects.get(slug="traffic").pk)
    assert set(services_for_edit(user).values_list("agency__slug", flat=True)) == {"traffic"}
