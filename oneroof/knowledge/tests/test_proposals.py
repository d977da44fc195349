"""Staff who are not editors (a care agent, an employee) propose edits; an editor of the
article accepts or rejects them."""

import pytest
from django.urls import reverse

from oneroof.core.errors import Conflict, InvalidInput
from oneroof.knowledge.actions import proposal_accept, proposal_create, proposal_reject
from oneroof.knowledge.choices import ProposalStatus
from oneroof.knowledge.models import Article, EditProposal

pytestmark = pytest.mark.django_db


def article() -> Article:
    return Article.objects.get(service__slug="passport-renewal")


def test_an_accepted_proposal_becomes_a_new_version(employee_a, agency_admin):
    proposal = proposal_create(
        article=article(),
        acting_user=employee_a,
        texts={"notes_ar": "يمكن الدفع بالبطاقة فقط."},
        comment="people ask about cash",
    )
    before = article().version
    proposal_accept(proposal=proposal, acting_user=agency_admin)
    current = article()
    assert current.notes_ar == "يمكن الدفع بالبطاقة فقط."
    assert current.version == before + 1
    assert "employee.rayyan" in current.versions.get(number=current.version).reason
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.decided_by == agency_admin


def test_a_rejected_proposal_changes_nothing_and_cannot_be_decided_twice(employee_a, agency_admin):
    proposal = proposal_create(
        article=article(), acting_user=employee_a, texts={"title_en": "Passport"}
    )
    proposal_reject(proposal=proposal, acting_user=agency_admin)
    assert article().title_en == "Passport Renewal"
    with pytest.raises(Conflict):
        proposal_accept(proposal=proposal, acting_user=agency_admin)


def test_a_proposal_that_changes_nothing_is_refused(employee_a):
    with pytest.raises(InvalidInput):
        proposal_create(article=article(), acting_user=employee_a, texts={})


PROPOSE_MATRIX = [
    ("anonymous", 302),
    ("employee_a", 302),
    ("supervisor_a", 302),
    ("employee_b", 302),
    ("agency_admin", 302),
    ("system_admin", 302),
    ("evaluator", 302),
    ("decision_maker", 302),
]


@pytest.mark.parametrize(("persona", "status"), PROPOSE_MATRIX)
def test_every_member_of_staff_may_propose_and_visitors_may_not(as_persona, persona, status):
    client = as_persona(persona)
    url = reverse("knowledge:staff-propose", args=[article().slug])
    data = {
        "title_ar": article().title_ar,
        "short_answer_ar": "إجابة أقصر.",
        "comment": "shorter",
    }
    response = client.post(url, data)
    assert response.status_code == status
    created = EditProposal.objects.filter(short_answer_ar="إجابة أقصر.").count()
    if persona == "anonymous":
        assert "/accounts/" in response["Location"] and created == 0
    else:
        assert created == 1


@pytest.mark.parametrize(
    ("persona", "status", "decided"),
    [
        ("employee_a", 403, False),
        ("employee_b", 403, False),
        ("supervisor_a", 403, False),
        ("agency_admin", 302, True),
        ("system_admin", 302, True),
    ],
)
def test_only_an_editor_of_the_article_decides(as_persona, employee_a, persona, status, decided):
    proposal = proposal_create(
        article=article(), acting_user=employee_a, texts={"notes_en": "Cash is not accepted."}
    )
    response = as_persona(persona).post(
        reverse("knowledge:staff-proposal", args=[proposal.pk]), {"decision": "accept"}
    )
    assert response.status_code == status
    proposal.refresh_from_db()
    assert (proposal.status == ProposalStatus.ACCEPTED) is decided
    assert (article().notes_en == "Cash is not accepted.") is decided


def test_an_agency_admin_cannot_decide_on_another_agencys_article(as_persona, employee_b):
    traffic = Article.objects.get(service__slug="driving-licence-renewal")
    proposal = proposal_create(
        article=traffic, acting_user=employee_b, texts={"notes_en": "Eye test first."}
    )
    response = as_persona("agency_admin").post(
        reverse("knowledge:staff-proposal", args=[proposal.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
