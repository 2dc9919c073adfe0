"""Information sharing agreements: proposing and changing them, and each party's signature.

An agreement grants access only once every party has signed it as it stands (see
`access.agreements_in_force`). An administrator may only propose or change an agreement their
own organisation is a party to, and saving it signs it for their organisation. Narrowing it
(suspending or ending it, taking out a party, a category or days) needs nobody else, because it
gives nobody more; any other change removes the other parties' signatures, so each signs the
new terms before they apply. The operator records agreements signed on paper for every party."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record, changed_fields
from saferplace.errors import NotAllowed
from saferplace.partners import access
from saferplace.partners.models import (
    AgreementSignature,
    AgreementStatus,
    DataCategory,
    LawfulBasis,
    Organisation,
    SharingAgreement,
)

NARROWING_STATUSES = {AgreementStatus.SUSPENDED, AgreementStatus.ENDED, AgreementStatus.DRAFT}


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
    return any(values[name] != getattr(agreement, name) for name in ("purpose", "lawful_basis", "title", "reference"))


def _sign(viewer, agreement: SharingAgreement, organisations: Iterable[Organisation]) -> list[str]:
    signed = []
    for organisation in organisations:
        _, created = AgreementSignature.objects.get_or_create(
            agreement=agreement, organisation=organisation, defaults={"signed_by": viewer.name}
        )
        if created:
            signed.append(organisation.name)
    return signed


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
    agreement: SharingAgreement | None = None,
) -> SharingAgreement:
    access.require(viewer, "agreements.manage", agreement)
    parties = list(parties)
    data_categories = list(data_categories)
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
    }
    party_ids = {party.pk for party in parties}
    creating = agreement is None
    changes = {} if creating else changed_fields(agreement, values)
    widened = False
    if creating:
        agreement = SharingAgreement(**values)
    else:
        widened = _widens(agreement, values, party_ids, {category.pk for category in data_categories})
        old_parties = sorted(agreement.parties.values_list("name", flat=True))
        old_categories = sorted(agreement.data_categories.values_list("code", flat=True))
        new_parties = sorted(party.name for party in parties)
        new_categories = sorted(category.code for category in data_categories)
        if old_parties != new_parties:
            changes["parties"] = [old_parties, new_parties]
        if old_categories != new_categories:
            changes["data_categories"] = [old_categories, new_categories]
        for field, value in values.items():
            setattr(agreement, field, value)
    agreement.save()
    agreement.parties.set(parties)
    agreement.data_categories.set(data_categories)
    signatures = AgreementSignature.objects.filter(agreement=agreement)
    removed = list(signatures.exclude(organisation__in=party_ids).values_list("organisation__name", flat=True))
    if widened and not viewer.is_operator:
        removed += list(signatures.exclude(organisation=viewer.organisation_id).filter(organisation__in=party_ids)
                        .values_list("organisation__name", flat=True))
        signatures.exclude(organisation=viewer.organisation_id).delete()
    else:
        signatures.exclude(organisation__in=party_ids).delete()
    signers = parties if viewer.is_operator else [party for party in parties if party.pk == viewer.organisation_id]
    signed = _sign(viewer, agreement, signers)
    details = {"signed_for": signed, "signatures_removed": sorted(removed)}
    if creating:
        audit_record(viewer=viewer, action=AuditAction.CREATE, obj=agreement, details=details)
    elif changes or signed or removed:
        audit_record(viewer=viewer, action=AuditAction.CHANGE, obj=agreement, details={"changes": changes, **details})
    return agreement


@transaction.atomic
def agreement_sign(*, viewer, agreement: SharingAgreement, organisation: Organisation | None = None) -> SharingAgreement:
    """Sign the agreement as it stands for the viewer's own organisation (the operator, for the
    party named)."""
    access.require(viewer, "agreements.manage", agreement)
    organisation = organisation if viewer.is_operator and organisation is not None else viewer.organisation
    if organisation is None or organisation.pk not in agreement.owner_ids():
        raise NotAllowed("Only a party to the agreement can sign it.", capability="agreements.manage")
    signed = _sign(viewer, agreement, [organisation])
    if signed:
        audit_record(viewer=viewer, action=AuditAction.CHANGE, obj=agreement, details={"signed_for": signed})
    return agreement
