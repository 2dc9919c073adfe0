"""An agreement's lifecycle: suspending, ending and resuming it (each with a reason, each written on
its timeline with the audit entry), the details a data protection officer asks for (review date,
DPIA, the signed document, the Article 9 condition), and the warning before one lapses."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed, NotFound
from saferplace.incidents.models import Incident
from saferplace.partners import access
from saferplace.partners.events import AgreementEvent, AgreementEventKind
from saferplace.partners.models import (
    AgreementStatus,
    LawfulBasis,
    Role,
    SharingAgreement,
    SpecialCategoryCondition,
)
from saferplace.partners.selectors import agreement_history, agreement_what_stops, agreements_due
from saferplace.partners.services import (
    agreement_end,
    agreement_resume,
    agreement_save,
    agreement_sign,
    agreement_suspend,
    agreement_warnings_write,
)
from tests.conftest import OPERATOR, _persona, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_admin(world):
    return _persona(world, "police_admin", "police", Role.ADMINISTRATOR)


def _visible(user) -> set[str]:
    return set(access.visible_to(viewer(user), Incident.objects.all()).values_list("external_id", flat=True))


def _entries(agreement, action: str):
    return AuditEntry.objects.filter(action=action, object_type="partners.sharingagreement", object_id=str(agreement.pk))


def _kinds(agreement) -> list[str]:
    return list(AgreementEvent.objects.filter(record=agreement).order_by("at", "id").values_list("kind", flat=True))


def _state(agreement) -> tuple:
    agreement = SharingAgreement.objects.get(pk=agreement.pk)
    return (agreement.status, agreement.end_date, sorted(agreement.signatures.values_list("organisation_id", flat=True)),
            AgreementEvent.objects.filter(record=agreement).count())


def _terms(world, **changes) -> dict:
    terms = {
        "title": "Crime sharing", "reference": "ISA-CRIME", "purpose": "Problem solving",
        "lawful_basis": LawfulBasis.CRIME_AND_DISORDER,
        "parties": [world["organisations"]["council"], world["organisations"]["police"]],
        "data_categories": [world["categories"]["crime"]], "start_date": date.today() - timedelta(days=10),
        "status": AgreementStatus.ACTIVE,
    }
    return terms | changes


# --- the history of a save and a signature --------------------------------------------------------


def test_proposing_changing_and_signing_write_the_timeline_with_the_audit(world, council_admin, police_admin):
    agreement = agreement_save(viewer=viewer(council_admin), **_terms(world))
    assert _kinds(agreement) == ["proposed", "signed"]
    created = _entries(agreement, "create").get()
    assert created.details == {"signed_for": ["Riverford City Council"], "signatures_removed": []}

    agreement_sign(viewer=viewer(police_admin), agreement=agreement)
    signed = AgreementEvent.objects.filter(record=agreement).last()
    assert (signed.kind, signed.actor_name, signed.actor_organisation) == ("signed", "police_admin", "Fenshire Police")
    assert signed.changes == {"signatures": ["Riverford City Council", "Fenshire Police, Riverford City Council"]}
    entry = _entries(agreement, "change").get()
    assert entry.details["signed_for"] == ["Fenshire Police"]

    # The police add a category: the council's signature goes, in the same change.
    agreement_save(viewer=viewer(police_admin), agreement=agreement,
                   **_terms(world, data_categories=[world["categories"]["crime"], world["categories"]["asb"]]))
    assert _kinds(agreement)[-2:] == ["changed", "signatures_removed"]
    changed, removed = AgreementEvent.objects.filter(record=agreement).order_by("-id")[:2][::-1]
    assert changed.changes == {"data_categories": [["Crime"], ["Anti-social behaviour", "Crime"]]}  # names, for people
    assert removed.changes == {"signatures": ["Fenshire Police, Riverford City Council", "Fenshire Police"]}
    audit = _entries(agreement, "change").order_by("-sequence").first()
    assert audit.details["signatures_removed"] == ["Riverford City Council"]
    assert audit.details["changes"]["data_categories"] == [["crime"], ["asb", "crime"]]


def test_saving_it_unchanged_writes_nothing(world, council_admin):
    agreement = agreement_save(viewer=viewer(council_admin), **_terms(world))
    before = (_kinds(agreement), AuditEntry.objects.count())
    agreement_save(viewer=viewer(council_admin), agreement=agreement, **_terms(world))
    assert (_kinds(agreement), AuditEntry.objects.count()) == before


def test_the_edit_form_does_not_suspend_end_or_resume(world, council_admin):
    agreement = agreement_save(viewer=viewer(council_admin), **_terms(world))
    for status, message in [(AgreementStatus.SUSPENDED, "Suspend the agreement from its page"),
                            (AgreementStatus.ENDED, "End the agreement from its page")]:
        with pytest.raises(ValidationError) as error:
            agreement_save(viewer=viewer(council_admin), agreement=agreement, **_terms(world, status=status))
        assert message in error.value.message_dict["status"][0]
    agreement_suspend(viewer=viewer(council_admin), agreement=agreement, reason="Audit")
    with pytest.raises(ValidationError) as error:
        agreement_save(viewer=viewer(council_admin), agreement=agreement, **_terms(world))
    assert "Resume the suspended agreement from its page" in error.value.message_dict["status"][0]
    assert SharingAgreement.objects.get(pk=agreement.pk).status == AgreementStatus.SUSPENDED


# --- suspending, ending, resuming ------------------------------------------------------------------


def test_a_party_suspends_an_agreement_with_a_reason(records, world, council_admin, council_analyst):
    csp = world["agreements"]["csp"]
    assert "POL-ASB-1" in _visible(council_analyst)
    agreement_suspend(viewer=viewer(council_admin), agreement=csp, reason="  Data breach under investigation ")
    csp.refresh_from_db()
    assert csp.status == AgreementStatus.SUSPENDED
    assert "POL-ASB-1" not in _visible(council_analyst)
    assert csp.signatures.count() == 2  # narrowing keeps every signature
    event = AgreementEvent.objects.filter(record=csp).last()
    assert (event.kind, event.note, event.changes) == ("suspended", "Data breach under investigation",
                                                       {"status": ["Active", "Suspended"]})  # in words
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.object_id, entry.reason, entry.actor_username) == (
        "change", str(csp.pk), "Data breach under investigation", "council_admin")


def test_a_party_ends_an_agreement_and_its_end_date_is_recorded(world, council_admin):
    csp = world["agreements"]["csp"]
    agreement_end(viewer=viewer(council_admin), agreement=csp, reason="Replaced by ISA-CSP-2")
    csp.refresh_from_db()
    today = timezone.localdate()
    assert (csp.status, csp.end_date) == (AgreementStatus.ENDED, today)
    event = AgreementEvent.objects.filter(record=csp).last()
    assert event.kind == "ended" and event.changes["end_date"] == ["none", f"{today.day} {today:%B %Y}"]
    assert AuditEntry.objects.order_by("-sequence").first().details["changes"]["end_date"] == [None, today.isoformat()]
    with pytest.raises(ValidationError, match="already ended"):
        agreement_end(viewer=viewer(council_admin), agreement=csp, reason="Again")


def test_an_end_date_can_be_earlier_but_never_later_than_the_one_it_had(world, council_admin):
    fire = world["agreements"]["fire"]  # council and fire, started 30 days ago
    ten_days_ago = timezone.localdate() - timedelta(days=10)
    agreement_end(viewer=viewer(council_admin), agreement=fire, reason="Pilot over", end_date=ten_days_ago)
    fire.refresh_from_db()
    assert fire.end_date == ten_days_ago

    expired = world["agreements"]["expired"]  # ended 400 days ago by its dates, still "active"
    agreement_end(viewer=viewer(council_admin), agreement=expired, reason="Tidying up")
    expired.refresh_from_db()
    assert (expired.status, expired.end_date) == (AgreementStatus.ENDED, timezone.localdate() - timedelta(days=400))


def test_an_end_date_in_the_future_or_before_the_start_is_refused(world, council_admin):
    csp = world["agreements"]["csp"]
    before = _state(csp)
    with pytest.raises(ValidationError) as error:
        agreement_end(viewer=viewer(council_admin), agreement=csp, reason="x",
                      end_date=timezone.localdate() + timedelta(days=1))
    assert "today or earlier" in error.value.message_dict["end_date"][0]
    with pytest.raises(ValidationError) as error:
        agreement_end(viewer=viewer(council_admin), agreement=csp, reason="x", end_date=csp.start_date - timedelta(days=1))
    assert "after the start date" in error.value.message_dict["end_date"][0]
    assert _state(csp) == before


@pytest.mark.parametrize("service", [agreement_suspend, agreement_end, agreement_resume])
def test_a_reason_is_required(world, council_admin, service):
    csp = world["agreements"]["csp"]
    if service is agreement_resume:
        agreement_suspend(viewer=viewer(council_admin), agreement=csp, reason="Audit")
    before = _state(csp)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as error:
            service(viewer=viewer(council_admin), agreement=csp, reason=reason)
        assert error.value.message_dict["reason"][0].startswith("Enter the reason for")
    assert _state(csp) == before


def test_resuming_asks_the_other_parties_to_sign_again(records, world, council_admin, police_admin, council_analyst):
    csp = world["agreements"]["csp"]
    agreement_suspend(viewer=viewer(police_admin), agreement=csp, reason="Audit")
    agreement_resume(viewer=viewer(council_admin), agreement=csp, reason="Audit finished")
    csp.refresh_from_db()
    assert csp.status == AgreementStatus.ACTIVE
    assert set(csp.signatures.values_list("organisation__name", flat=True)) == {"Riverford City Council"}
    assert "POL-ASB-1" not in _visible(council_analyst)  # not until the police sign again
    assert _kinds(csp)[-2:] == ["resumed", "signatures_removed"]
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry.reason == "Audit finished" and entry.details["signatures_removed"] == ["Fenshire Police"]
    agreement_sign(viewer=viewer(police_admin), agreement=csp)
    assert "POL-ASB-1" in _visible(council_analyst)


def test_only_a_suspended_agreement_resumes_and_only_an_active_one_suspends(world, council_admin):
    csp = world["agreements"]["csp"]
    with pytest.raises(ValidationError, match="Only a suspended agreement"):
        agreement_resume(viewer=viewer(council_admin), agreement=csp, reason="x")
    agreement_end(viewer=viewer(council_admin), agreement=csp, reason="Over")
    with pytest.raises(ValidationError, match="Only an active agreement"):
        agreement_suspend(viewer=viewer(council_admin), agreement=csp, reason="x")


@pytest.mark.parametrize("service", [agreement_suspend, agreement_end, agreement_resume])
def test_another_organisations_administrator_changes_nothing(world, council_admin, service):
    safeguarding = world["agreements"]["safeguarding"]  # the police and health, not the council
    if service is agreement_resume:
        agreement_suspend(viewer=OPERATOR, agreement=safeguarding, reason="Audit")
    before, entries = _state(safeguarding), AuditEntry.objects.count()
    with pytest.raises((NotAllowed, NotFound)):
        service(viewer=viewer(council_admin), agreement=safeguarding, reason="Taking over")
    assert _state(safeguarding) == before and AuditEntry.objects.count() == entries


@pytest.mark.parametrize("service", [agreement_suspend, agreement_end, agreement_resume])
def test_a_role_without_the_capability_changes_nothing(world, council_analyst, service):
    csp = world["agreements"]["csp"]  # the council is a party, but an analyst does not manage agreements
    if service is agreement_resume:
        agreement_suspend(viewer=OPERATOR, agreement=csp, reason="Audit")
    before, entries = _state(csp), AuditEntry.objects.count()
    with pytest.raises(NotAllowed):
        service(viewer=viewer(council_analyst), agreement=csp, reason="Because")
    assert _state(csp) == before and AuditEntry.objects.count() == entries


# --- the details of an agreement -------------------------------------------------------------------


def test_special_categories_need_an_article_9_condition_and_others_none(world, council_admin):
    safeguarding = [world["categories"]["safeguarding"]]
    with pytest.raises(ValidationError) as error:
        agreement_save(viewer=viewer(council_admin), **_terms(world, data_categories=safeguarding))
    assert "Article 9 condition for sharing Safeguarding" in error.value.message_dict["special_category_condition"][0]
    with pytest.raises(ValidationError) as error:
        agreement_save(viewer=viewer(council_admin),
                       **_terms(world, special_category_condition=SpecialCategoryCondition.SAFEGUARDING))
    assert "none of the data categories covered is special" in error.value.message_dict["special_category_condition"][0]
    with pytest.raises(ValidationError) as error:
        agreement_save(viewer=viewer(council_admin),
                       **_terms(world, data_categories=safeguarding, special_category_condition="art9-made-up"))
    assert error.value.message_dict["special_category_condition"] == ["Choose a condition from the list"]
    assert not SharingAgreement.objects.filter(reference="ISA-CRIME").exists()
    agreement = agreement_save(viewer=viewer(council_admin), **_terms(
        world, data_categories=safeguarding, special_category_condition=SpecialCategoryCondition.SAFEGUARDING))
    assert agreement.get_special_category_condition_display().startswith("Art. 9(2)(g)")


@pytest.mark.parametrize("url", ["http://documents.example.org/isa.pdf", "javascript:alert(1)", "documents/isa.pdf",
                                 "https://"])
def test_the_signed_document_link_must_be_https(world, council_admin, url):
    with pytest.raises(ValidationError) as error:
        agreement_save(viewer=viewer(council_admin), **_terms(world, document_url=url))
    assert "starting https://" in error.value.message_dict["document_url"][0]


def test_review_date_dpia_and_document_are_kept_and_their_change_is_on_the_timeline(world, council_admin):
    review = date.today() + timedelta(days=200)
    agreement = agreement_save(viewer=viewer(council_admin), **_terms(
        world, review_date=review, dpia_reference="DPIA-2026-04", document_url="https://documents.example.org/isa.pdf"))
    assert (agreement.review_date, agreement.dpia_reference, agreement.document_url) == (
        review, "DPIA-2026-04", "https://documents.example.org/isa.pdf")
    agreement_save(viewer=viewer(council_admin), agreement=agreement, **_terms(
        world, review_date=review, dpia_reference="DPIA-2026-05", document_url="https://documents.example.org/isa.pdf"))
    event = AgreementEvent.objects.filter(record=agreement).last()
    assert (event.kind, event.changes) == ("changed", {"dpia_reference": ["DPIA-2026-04", "DPIA-2026-05"]})
    assert agreement.signatures.count() == 1  # a new DPIA reference gives nobody more


# --- its history, as the page reads it ------------------------------------------------------------


def test_the_history_is_read_by_those_who_may_see_the_agreement(world, council_admin, council_analyst):
    csp = world["agreements"]["csp"]
    agreement_suspend(viewer=viewer(council_admin), agreement=csp, reason="Audit")
    assert [event.kind for event in agreement_history(viewer=viewer(council_admin), agreement=csp)][-1] == "suspended"
    with pytest.raises(NotAllowed):
        agreement_history(viewer=viewer(council_analyst), agreement=csp)


def test_what_stops_names_who_loses_sight_of_what(world, council_admin, police_admin):
    csp = world["agreements"]["csp"]  # council and police: anti-social behaviour, environmental
    stops = agreement_what_stops(viewer=viewer(council_admin), agreement=csp)
    lost = {item.organisation.name: [(owner.name, [c.code for c in categories]) for owner, categories in item.lost]
            for item in stops}
    assert lost == {"Riverford City Council": [("Fenshire Police", ["asb", "environmental"])],
                    "Fenshire Police": [("Riverford City Council", ["asb", "environmental"])]}
    # Another agreement in force covering the police's anti-social behaviour for the council: that stays open.
    other = agreement_save(viewer=OPERATOR, **_terms(world, reference="ISA-ASB", data_categories=[world["categories"]["asb"]]))
    assert other.is_in_force()
    stops = agreement_what_stops(viewer=viewer(council_admin), agreement=csp)
    assert {item.organisation.name: [[c.code for c in categories] for _, categories in item.lost] for item in stops} == {
        "Riverford City Council": [["environmental"]], "Fenshire Police": [["environmental"]]}
    with pytest.raises(NotAllowed):  # only a party's administrators are asked
        agreement_what_stops(viewer=viewer(council_admin), agreement=world["agreements"]["safeguarding"])


# --- the warning before an agreement lapses ---------------------------------------------------------


def test_agreements_ending_or_due_for_review_soon_are_listed_for_their_parties(world, council_admin, police_admin, settings):
    settings.AGREEMENT_WARNING_DAYS = 30
    today = timezone.localdate()
    ending = agreement_save(viewer=OPERATOR, **_terms(world, end_date=today + timedelta(days=30)))
    review = agreement_save(viewer=OPERATOR, **_terms(world, reference="ISA-REVIEW", review_date=today + timedelta(days=5)))
    agreement_save(viewer=OPERATOR, **_terms(world, reference="ISA-LATER", end_date=today + timedelta(days=31),
                                             review_date=today + timedelta(days=31)))
    agreement_save(viewer=OPERATOR, **_terms(world, reference="ISA-DRAFT", end_date=today + timedelta(days=3),
                                             status=AgreementStatus.DRAFT))
    due = agreements_due(viewer=viewer(council_admin))
    assert [(item.agreement.reference, item.ends_on, item.review_on) for item in due] == [
        ("ISA-REVIEW", None, today + timedelta(days=5)), ("ISA-CRIME", today + timedelta(days=30), None)]
    assert "ISA-CRIME ends on" in due[1].summary
    assert agreements_due(viewer=viewer(police_admin)) == due
    # The fire service's administrator is party to neither.
    fire_admin = _persona(world, "fire_admin", "fire", Role.ADMINISTRATOR)
    assert agreements_due(viewer=viewer(fire_admin)) == []
    assert ending.is_in_force() and review.is_in_force()


def test_the_daily_warning_writes_one_event_per_date_and_does_not_repeat(world, settings):
    settings.AGREEMENT_WARNING_DAYS = 30
    today = timezone.localdate()
    agreement = agreement_save(viewer=OPERATOR, **_terms(world, end_date=today + timedelta(days=20)))
    worker = OPERATOR
    assert agreement_warnings_write(viewer=worker) == [agreement]
    assert agreement_warnings_write(viewer=worker) == []  # the next run
    assert agreement_warnings_write(viewer=worker, on=today + timedelta(days=1)) == []  # the next day
    warnings = AgreementEvent.objects.filter(record=agreement, kind=AgreementEventKind.REVIEW_DUE)
    ends = today + timedelta(days=20)
    assert [event.changes for event in warnings] == [{"ends_on": f"{ends.day} {ends:%B %Y}"}]
    # A review date coming into the window is a new date: one more warning, about it alone.
    agreement.review_date = today + timedelta(days=10)
    agreement.save()
    agreement_warnings_write(viewer=worker)
    review = today + timedelta(days=10)
    assert [event.changes for event in warnings.order_by("id")][-1] == {"review_due_on": f"{review.day} {review:%B %Y}"}
    assert warnings.all().count() == 2


def test_a_date_warned_of_before_dates_were_in_words_is_not_warned_of_again(world, settings):
    settings.AGREEMENT_WARNING_DAYS = 30
    today = timezone.localdate()
    agreement = agreement_save(viewer=OPERATOR, **_terms(world, end_date=today + timedelta(days=20)))
    AgreementEvent.objects.create(record=agreement, kind=AgreementEventKind.REVIEW_DUE, actor_name="operator:worker",
                                  changes={"ends_on": (today + timedelta(days=20)).isoformat()})
    assert agreement_warnings_write(viewer=OPERATOR) == []


def test_the_warning_needs_agreements_manage(world, council_analyst):
    with pytest.raises(NotAllowed):
        agreement_warnings_write(viewer=viewer(council_analyst))


def test_the_command_lists_the_agreements_due(world, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.AGREEMENT_WARNING_DAYS = 30
    out = StringIO()
    call_command("agreements", "due", stdout=out)
    assert out.getvalue().startswith("No agreement in force ends or is due for review within 30 days.")
    csp = world["agreements"]["csp"]
    csp.review_date = timezone.localdate() - timedelta(days=1)
    csp.save()
    out = StringIO()
    call_command("agreements", "due", stdout=out)
    assert out.getvalue().startswith("ISA-CSP was due for review on ")
    assert "parties: Fenshire Police, Riverford City Council" in out.getvalue()


def test_an_administrator_of_another_organisation_sees_what_happened_but_not_why(world, council_admin):
    agreement = world["agreements"]["csp"]
    agreement_suspend(viewer=viewer(council_admin), agreement=agreement, reason="An officer is suspected of misuse")
    bid_admin = _persona(world, "bid_admin", "bid", Role.ADMINISTRATOR)
    seen = agreement_history(viewer=viewer(bid_admin), agreement=agreement)[-1]
    assert (seen.kind, seen.note, seen.actor_name) == (AgreementEventKind.SUSPENDED, "", "Riverford City Council")
    party = agreement_history(viewer=viewer(council_admin), agreement=agreement)[-1]
    assert (party.note, party.actor_name) == ("An officer is suspected of misuse", "council_admin")


def test_a_document_link_written_in_capitals_is_kept_as_the_page_links_it(world, council_admin):
    agreement = agreement_save(viewer=viewer(council_admin),
                               **_terms(world, document_url="HTTPS://documents.example.org/ISA.pdf"))
    assert agreement.document_url == "https://documents.example.org/ISA.pdf"
