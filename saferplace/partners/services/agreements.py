"""Information sharing agreements: proposing and changing them, each party's signature, and their
lifecycle (suspending, resuming and ending them, and the warning before one lapses).

An agreement grants access only once every party has signed it as it stands (see
`access.agreements_in_force`). An administrator may only propose or change an agreement their
own organisation is a party to, and saving it signs it for their organisation. Narrowing it
(suspending or ending it, taking out a party, a category or days) needs nobody else, because it
gives nobody more; any other change removes the other parties' signatures, so each signs the
new terms before they apply. The operator records agreements signed on paper for every party.

Suspending, resuming and ending an agreement each has its own service, which asks for the
reason: the edit form only moves an agreement between draft and active. Every change writes an
event on the agreement's timeline (`AgreementEvent`) and an audit entry in the same transaction
(`saferplace.history.record_change`)."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from saferplace.errors import NotAllowed
from saferplace.history import changes_between, event_write, record_change, value_in_words
from saferplace.partners import access
from saferplace.partners.events import AgreementEvent, AgreementEventKind
from saferplace.partners.models import (
    AgreementSignature,
    AgreementStatus,
    DataCategory,
    LawfulBasis,
    Organisation,
    SharingAgreement,
    SpecialCategoryCondition,
)
from saferplace.partners.selectors import agreements_due

NARROWING_STATUSES = {AgreementStatus.SUSPENDED, AgreementStatus.ENDED, AgreementStatus.DRAFT}
# The statuses the edit form moves an agreement between; the others have their own services.
EDITABLE_STATUSES = {AgreementStatus.DRAFT, AgreementStatus.ACTIVE}
# Terms whose new wording could let the parties share more (or on another footing).
TERMS = ("purpose", "lawful_basis", "special_category_condition", "title", "reference")
REASON_MAX_LENGTH = 2000

_https_url = URLValidator(schemes=["https"])


def _widens(agreement: SharingAgreement, values: dict, parties: set[int], categories: set[int]) -> bool:
    """Whether the change could give anyone more than the agreement gave before."""
    old_parties = {party.pk for party in agreement.parties.all()}
    old_categories = {category.pk for category in agreement.data_categories.all()}
    if parties - old_parties or categories - old_categories:
        return True
    if values["status"] != agreement.status and values["status"] not in NARROWING_STATUSES:
        return True
    if values["start_date"] < agreement.start_date:
        return True
    if agreement.end_date is not None and (values["end_date"] is None or values["end_date"] > agreement.end_date):
        return True
    return any(values[name] != getattr(agreement, name) for name in TERMS if name in values)


def _current_terms(agreement: SharingAgreement) -> dict:
    return {name: getattr(agreement, name) for name in ("status", "start_date", "end_date", *TERMS)}


def _names(organisation_ids: Iterable[int], names: dict[int, str]) -> str | None:
    """The organisations' names in order, as one line of text for the timeline (None for none)."""
    listed = sorted(names[pk] for pk in organisation_ids)
    return ", ".join(listed) or None


class _Signatures:
    """What a change does to the signatures: which go (a party's taken out; the other parties'
    when it widens) and which are added (the saver's own organisation's; the operator's, every
    party's). Worked out before the change and applied after it is saved, so that the audit entry
    written with the change can say both."""

    def __init__(self, viewer, agreement: SharingAgreement, parties: list[Organisation], widened: bool,
                 signers: list[Organisation] | None = None):
        self.viewer = viewer
        existing = {
            signature.organisation_id: signature.organisation.name
            for signature in AgreementSignature.objects.filter(agreement_id=agreement.pk).select_related("organisation")
        } if agreement.pk else {}
        party_ids = {party.pk for party in parties}
        self.names = {**existing, **{party.pk: party.name for party in parties}}
        self.before = set(existing)
        self.removed = {pk for pk in existing if pk not in party_ids}
        if widened and not viewer.is_operator:
            self.removed |= {pk for pk in existing if pk != viewer.organisation_id}
        if signers is None:
            signers = parties if viewer.is_operator else [party for party in parties if party.pk == viewer.organisation_id]
        self.widened = widened
        self.kept = self.before - self.removed
        self.to_sign = [party for party in signers if party.pk not in self.kept]

    @property
    def details(self) -> dict:
        """The audit entry's account of the signatures."""
        return {
            "signed_for": [party.name for party in self.to_sign],
            "signatures_removed": sorted(self.names[pk] for pk in self.removed),
        }

    def removed_change(self) -> list:
        return [_names(self.before, self.names), _names(self.kept, self.names)]

    def signed_change(self) -> list:
        return [_names(self.kept, self.names), _names(self.kept | {party.pk for party in self.to_sign}, self.names)]

    def apply(self, agreement: SharingAgreement, *, write_signed_event: bool = True) -> None:
        """Remove and add the signatures, each with its event on the agreement's timeline."""
        if self.removed:
            AgreementSignature.objects.filter(agreement=agreement, organisation__in=self.removed).delete()
            event_write(viewer=self.viewer, record=agreement, kind=AgreementEventKind.SIGNATURES_REMOVED,
                        changes={"signatures": self.removed_change()},
                        note="The change could give someone more, so every party signs it again."
                        if self.widened else "A party was taken out of the agreement.")
        for party in self.to_sign:
            AgreementSignature.objects.create(agreement=agreement, organisation=party, signed_by=self.viewer.name)
        if self.to_sign and write_signed_event:
            event_write(viewer=self.viewer, record=agreement, kind=AgreementEventKind.SIGNED,
                        changes={"signatures": self.signed_change()})


def _clean_reason(reason: str, errors: dict, *, doing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = f"Enter the reason for {doing} the agreement"
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"The reason must be {REASON_MAX_LENGTH:,} characters or fewer"
    return reason


def _status_change_error(old: str, new: str) -> str | None:
    """Why the edit form may not make this change of status (None when it may)."""
    if old == new or (old in EDITABLE_STATUSES and new in EDITABLE_STATUSES):
        return None
    if new == AgreementStatus.SUSPENDED:
        return "Suspend the agreement from its page, giving the reason"
    if new == AgreementStatus.ENDED:
        return "End the agreement from its page, giving the reason"
    if old == AgreementStatus.SUSPENDED:
        return "Resume the suspended agreement from its page, giving the reason"
    return "An ended agreement stays ended: propose a new agreement to share again"


def _validate_details(errors: dict, *, data_categories: list[DataCategory], condition: str, document_url: str,
                      dpia_reference: str, review_date: date | None, start_date: date) -> None:
    special = [category.name for category in data_categories if category.is_special]
    if condition not in SpecialCategoryCondition.values:
        errors["special_category_condition"] = "Choose a condition from the list"
    elif special and not condition:
        errors["special_category_condition"] = (
            f"Choose the UK GDPR Article 9 condition for sharing {', '.join(special)}: "
            f"{'it is' if len(special) == 1 else 'they are'} special category data"
        )
    elif condition and not special:
        errors["special_category_condition"] = (
            "Choose “No special category data”: none of the data categories covered is special"
        )
    if document_url:
        try:
            _https_url(document_url)
        except ValidationError:
            errors["document_url"] = (
                "Enter the link to the signed agreement as a full address starting https://, "
                "like https://documents.example.org/isa-2026-01.pdf"
            )
        if len(document_url) > 500:
            errors["document_url"] = "The link must be 500 characters or fewer"
    if len(dpia_reference) > 100:
        errors["dpia_reference"] = "The DPIA reference must be 100 characters or fewer"
    if review_date is not None and review_date < start_date:
        errors["review_date"] = "The review date must be the same as or after the start date"


@transaction.atomic
def agreement_save(
    *,
    viewer,
    title: str,
    reference: str,
    purpose: str,
    lawful_basis: LawfulBasis | str,
    parties: Iterable[Organisation],
    data_categories: Iterable[DataCategory],
    start_date: date,
    end_date: date | None = None,
    status: AgreementStatus | str = AgreementStatus.DRAFT,
    review_date: date | None = None,
    dpia_reference: str = "",
    document_url: str = "",
    special_category_condition: SpecialCategoryCondition | str = "",
    agreement: SharingAgreement | None = None,
) -> SharingAgreement:
    """Propose an agreement (`agreement` None) or change one. A change of status is only between
    draft and active: suspending, resuming and ending have their own services."""
    access.require(viewer, "agreements.manage", agreement)
    parties = list(parties)
    data_categories = list(data_categories)
    condition = str(special_category_condition or "")
    dpia_reference = (dpia_reference or "").strip()
    document_url = (document_url or "").strip()
    if document_url[:8].lower() == "https://":
        document_url = "https://" + document_url[8:]  # one spelling of the scheme, as the page links it
    errors = {}
    if len(parties) < 2:
        errors["parties"] = "An agreement needs at least two parties."
    elif not viewer.is_operator and viewer.organisation_id not in {party.pk for party in parties}:
        errors["parties"] = "Your own organisation must be one of the parties."
    if not data_categories:
        errors["data_categories"] = "Choose at least one data category the agreement covers."
    if end_date is not None and end_date < start_date:
        errors["end_date"] = "The end date must be the same as or after the start date."
    duplicate = SharingAgreement.objects.filter(reference__iexact=reference).exclude(pk=getattr(agreement, "pk", None))
    if duplicate.exists():
        errors["reference"] = f"Another agreement already has the reference “{reference}”."
    if agreement is not None and (problem := _status_change_error(agreement.status, str(status))):
        errors["status"] = problem
    _validate_details(errors, data_categories=data_categories, condition=condition, document_url=document_url,
                      dpia_reference=dpia_reference, review_date=review_date, start_date=start_date)
    if errors:
        raise ValidationError(errors)
    values = {
        "title": title.strip(),
        "reference": reference.strip(),
        "purpose": purpose.strip(),
        "lawful_basis": LawfulBasis(lawful_basis),
        "start_date": start_date,
        "end_date": end_date,
        "status": AgreementStatus(status),
        "review_date": review_date,
        "dpia_reference": dpia_reference,
        "document_url": document_url,
        "special_category_condition": condition,
    }
    creating = agreement is None
    changes, shown = {}, {}
    if creating:
        agreement = SharingAgreement()
        widened = False
    else:
        widened = _widens(agreement, values, {party.pk for party in parties}, {c.pk for c in data_categories})
        old_parties = sorted(agreement.parties.values_list("name", flat=True))
        old_categories = dict(agreement.data_categories.values_list("code", "name"))
        new_categories = {category.code: category.name for category in data_categories}
        new_parties = sorted(party.name for party in parties)
        if old_parties != new_parties:
            changes["parties"] = [old_parties, new_parties]
        if sorted(old_categories) != sorted(new_categories):
            # The audit keeps the codes; the agreement's history says the categories' names.
            changes["data_categories"] = [sorted(old_categories), sorted(new_categories)]
            shown["data_categories"] = [sorted(old_categories.values()), sorted(new_categories.values())]
    signatures = _Signatures(viewer, agreement, parties, widened)
    if creating:
        kind = AgreementEventKind.PROPOSED
    elif changes or changes_between(agreement, values) or not signatures.to_sign:
        kind = AgreementEventKind.CHANGED
    else:  # saved as it stood: it only signs it
        kind = AgreementEventKind.SIGNED
        changes = {"signatures": signatures.signed_change()}
    record_change(viewer=viewer, record=agreement, kind=kind, values=values, changes=changes, created=creating,
                  shown=shown, details=signatures.details, always=bool(signatures.to_sign or signatures.removed))
    agreement.parties.set(parties)
    agreement.data_categories.set(data_categories)
    signatures.apply(agreement, write_signed_event=kind != AgreementEventKind.SIGNED)
    return agreement


@transaction.atomic
def agreement_sign(*, viewer, agreement: SharingAgreement, organisation: Organisation | None = None) -> SharingAgreement:
    """Sign the agreement as it stands for the viewer's own organisation (the operator, for the
    party named)."""
    access.require(viewer, "agreements.manage", agreement)
    organisation = organisation if viewer.is_operator and organisation is not None else viewer.organisation
    if organisation is None or organisation.pk not in agreement.owner_ids():
        raise NotAllowed("Only a party to the agreement can sign it.", capability="agreements.manage")
    signatures = _Signatures(viewer, agreement, list(agreement.parties.all()), widened=False, signers=[organisation])
    if not signatures.to_sign:
        return agreement
    record_change(viewer=viewer, record=agreement, kind=AgreementEventKind.SIGNED,
                  changes={"signatures": signatures.signed_change()}, details={"signed_for": [organisation.name]})
    signatures.apply(agreement, write_signed_event=False)
    return agreement


@transaction.atomic
def agreement_suspend(*, viewer, agreement: SharingAgreement, reason: str) -> SharingAgreement:
    """Stop an active agreement granting anything until a party resumes it. It narrows the
    agreement, so it needs no other party."""
    access.require(viewer, "agreements.manage", agreement)
    errors = {}
    reason = _clean_reason(reason, errors, doing="suspending")
    if agreement.status != AgreementStatus.ACTIVE:
        errors[NON_FIELD_ERRORS] = f"Only an active agreement can be suspended; this one is {agreement.get_status_display().lower()}."
    if errors:
        raise ValidationError(errors)
    # It narrows the agreement: every signature stays.
    record_change(viewer=viewer, record=agreement, kind=AgreementEventKind.SUSPENDED,
                  values={"status": AgreementStatus.SUSPENDED}, note=reason)
    return agreement


@transaction.atomic
def agreement_end(*, viewer, agreement: SharingAgreement, reason: str, end_date: date | None = None) -> SharingAgreement:
    """End the agreement for good, recording the day it ended: `end_date` (today or earlier), or
    today, and never later than the end date it already had. An agreement ended before it began
    ends on its start date (an agreement cannot end before it starts)."""
    access.require(viewer, "agreements.manage", agreement)
    errors = {}
    reason = _clean_reason(reason, errors, doing="ending")
    today = timezone.localdate()
    if agreement.status == AgreementStatus.ENDED:
        errors[NON_FIELD_ERRORS] = "This agreement has already ended."
    if end_date is not None and end_date > today:
        errors["end_date"] = ("The end date must be today or earlier. To end the agreement on a later date, "
                              "change its end date instead: it stops granting anything after that day")
    elif end_date is not None and end_date < agreement.start_date:
        errors["end_date"] = (f"The end date must be the same as or after the start date, "
                              f"{agreement.start_date.day} {agreement.start_date:%B %Y}")
    if errors:
        raise ValidationError(errors)
    day = end_date or max(today, agreement.start_date)
    if agreement.end_date is not None:
        day = min(day, agreement.end_date)
    record_change(viewer=viewer, record=agreement, kind=AgreementEventKind.ENDED,
                  values={"status": AgreementStatus.ENDED, "end_date": day}, note=reason)
    return agreement


@transaction.atomic
def agreement_resume(*, viewer, agreement: SharingAgreement, reason: str) -> SharingAgreement:
    """Make a suspended agreement active again. That gives the parties back what suspending took
    away, so, like any change that widens an agreement, it removes the other parties' signatures
    and signs it for the viewer's organisation: it grants access again once every party has
    signed (the operator records it signed for every party)."""
    access.require(viewer, "agreements.manage", agreement)
    errors = {}
    reason = _clean_reason(reason, errors, doing="resuming")
    if agreement.status != AgreementStatus.SUSPENDED:
        errors[NON_FIELD_ERRORS] = f"Only a suspended agreement can be resumed; this one is {agreement.get_status_display().lower()}."
    if errors:
        raise ValidationError(errors)
    parties = list(agreement.parties.all())
    values = {**_current_terms(agreement), "status": AgreementStatus.ACTIVE}
    widened = _widens(agreement, values, {party.pk for party in parties},
                      {category.pk for category in agreement.data_categories.all()})
    signatures = _Signatures(viewer, agreement, parties, widened)
    record_change(viewer=viewer, record=agreement, kind=AgreementEventKind.RESUMED,
                  values={"status": AgreementStatus.ACTIVE}, note=reason, details=signatures.details)
    signatures.apply(agreement)
    return agreement


@transaction.atomic
def agreement_warnings_write(*, viewer, on: date | None = None) -> list[SharingAgreement]:
    """Write a "review due" event on each agreement in force whose end date or review date falls
    within `AGREEMENT_WARNING_DAYS` (a review date already passed too), once for each date: the
    worker runs it daily, and a date already warned of is not warned of again. Returns the
    agreements warned of."""
    access.require(viewer, "agreements.manage")
    warned = []
    for due in agreements_due(viewer=viewer, on=on):
        dates = {"ends_on": due.ends_on, "review_due_on": due.review_on}
        dates = {name: day for name, day in dates.items() if day is not None}
        earlier = AgreementEvent.objects.filter(record=due.agreement, kind=AgreementEventKind.REVIEW_DUE)
        for event in earlier:  # a date already warned of, in words (or as earlier events wrote it, ISO)
            dates = {name: day for name, day in dates.items()
                     if event.changes.get(name) not in (value_in_words(day), day.isoformat())}
        if not dates:
            continue
        event_write(viewer=viewer, record=due.agreement, kind=AgreementEventKind.REVIEW_DUE,
                    changes={name: value_in_words(day) for name, day in dates.items()})
        warned.append(due.agreement)
    return warned
