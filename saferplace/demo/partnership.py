"""The Riverford Community Safety Partnership: data categories, organisations, teams and
information sharing agreements, all created through the partners services."""

from dataclasses import dataclass
from datetime import date, timedelta

from saferplace.partners.models import (
    AgreementStatus,
    DataCategory,
    LawfulBasis,
    Organisation,
    OrganisationKind,
    Role,
    SpecialCategoryCondition,
)
from saferplace.partners.services import (
    agreement_save,
    data_category_ensure,
    organisation_save,
    team_create,
)

# code, name, special roles (empty: not a special category), description
DATA_CATEGORIES = [
    ("asb", "Anti-social behaviour", (), "Reports of anti-social behaviour to any partner."),
    ("crime", "Crime", (), "Police recorded crime."),
    ("environmental", "Environmental", (), "Fly-tipping, graffiti, litter, abandoned vehicles, drug litter."),
    ("fire", "Fire", (), "Fire and rescue incidents."),
    ("road-safety", "Road safety", (), "Road traffic collisions."),
    ("calls-for-service", "Calls for service", (), "Calls from the public to the police control room."),
    ("youth", "Youth", (), "Youth service and detached youth work contacts."),
    ("safeguarding", "Safeguarding", (Role.PRACTITIONER, Role.CHAIR), "Concerns about children and adults at risk."),
    ("domestic-abuse", "Domestic abuse", (Role.CHAIR, Role.PRACTITIONER), "Domestic abuse incidents and crimes."),
    ("offender-management", "Offender management", (), "Integrated offender management and resettlement."),
    ("health", "Health", (Role.PRACTITIONER,), "Health records such as emergency department assault attendances."),
]

COUNCIL = "Riverford City Council"
POLICE = "Fenshire Police"
FIRE = "Fenshire Fire and Rescue Service"
HEALTH = "Riverford Health and Care NHS Trust"
PROBATION = "Probation Service – Riverford"
PRISON = "HMP Riverford"
HOUSING = "Riverside Homes"
VOLUNTARY = "Riverford Council for Voluntary Service"
BUSINESS_DISTRICT = "Riverford Business Improvement District"

# name, short name, kind, teams
ORGANISATIONS = [
    (COUNCIL, "RCC", OrganisationKind.COUNCIL, [
        "Community Safety Team", "Anti-social Behaviour Team", "Youth Service",
        "Environmental Enforcement", "Performance, Analysis and Intelligence Hub", "Information Governance",
    ]),
    (POLICE, "Police", OrganisationKind.POLICE, [
        "Riverford Neighbourhood Policing Team", "Safeguarding Hub", "Roads Policing Unit",
        "Analysis and Intelligence Unit",
    ]),
    (FIRE, "Fire", OrganisationKind.FIRE, ["Prevention and Protection", "Riverford Fire Station"]),
    (HEALTH, "NHS", OrganisationKind.HEALTH, ["Emergency Department", "Safeguarding Adults and Children"]),
    (PROBATION, "Probation", OrganisationKind.PROBATION, ["Integrated Offender Management"]),
    (PRISON, "HMP", OrganisationKind.PRISON, ["Resettlement"]),
    (HOUSING, "Housing", OrganisationKind.HOUSING, ["Tenancy Sustainment", "Estate Services"]),
    (VOLUNTARY, "CVS", OrganisationKind.VOLUNTARY, ["Detached Youth Work", "Volunteer Centre"]),
    (BUSINESS_DISTRICT, "BID", OrganisationKind.OTHER, ["Street Rangers"]),
]


@dataclass
class Partnership:
    organisations: dict[str, Organisation]
    categories: dict[str, DataCategory]
    agreement_count: int

    def team(self, organisation: str, name: str):
        return self.organisations[organisation].teams.get(name=name)


def _agreements(today: date, period_start: date) -> list[dict]:
    core_start = min(period_start, today - timedelta(days=365))
    return [
        {
            "reference": "RVF-ISA-001",
            "title": "Riverford Community Safety Partnership information sharing agreement",
            "purpose": "To reduce crime, disorder and anti-social behaviour in Riverford by sharing the "
            "partners' incident data for daily risk management, tasking and problem solving.",
            "lawful_basis": LawfulBasis.CRIME_AND_DISORDER,
            "parties": [COUNCIL, POLICE, FIRE, PROBATION, HOUSING, PRISON, HEALTH],
            "categories": ["asb", "crime", "environmental", "fire", "road-safety", "youth", "calls-for-service"],
            "start_date": core_start,
            "status": AgreementStatus.ACTIVE,
        },
        {
            "reference": "RVF-ISA-002",
            "title": "Riverford safeguarding and domestic abuse information sharing agreement",
            "purpose": "To protect children and adults at risk and victims of domestic abuse by sharing "
            "concerns between the council, the police and health.",
            "lawful_basis": LawfulBasis.PUBLIC_TASK,
            "parties": [COUNCIL, POLICE, HEALTH],
            "categories": ["safeguarding", "domestic-abuse"],
            "start_date": core_start,
            "status": AgreementStatus.ACTIVE,
            "special_category_condition": SpecialCategoryCondition.SAFEGUARDING,
            "review_date": today + timedelta(days=21),  # its administrators see the warning
            "dpia_reference": "DPIA-RCC-2024-07",
        },
        {
            "reference": "RVF-ISA-003",
            "title": "Riverford voluntary sector youth and environment agreement",
            "purpose": "To let the Council for Voluntary Service plan detached youth work and community "
            "clean-ups from the council's youth and environmental records.",
            "lawful_basis": LawfulBasis.PUBLIC_TASK,
            "parties": [COUNCIL, VOLUNTARY],
            "categories": ["youth", "environmental"],
            "start_date": core_start,
            "status": AgreementStatus.ACTIVE,
        },
        {
            "reference": "RVF-ISA-004",
            "title": "Riverford violence reduction (emergency department data) agreement",
            "purpose": "To find where assaults happen from anonymised emergency department attendances "
            "(the Cardiff model) and share them with the police and council.",
            "lawful_basis": LawfulBasis.PUBLIC_TASK,
            "parties": [HEALTH, POLICE, COUNCIL],
            "categories": ["health"],
            "start_date": core_start,
            "special_category_condition": SpecialCategoryCondition.PREVENTING_CRIME,
            "status": AgreementStatus.ACTIVE,
        },
        {
            "reference": "RVF-ISA-005",
            "title": "Deliberate fire reduction pilot",
            "purpose": "A finished pilot in which police and fire shared deliberate fire and ASB reports "
            "for the Heathcote estate.",
            "lawful_basis": LawfulBasis.CRIME_AND_DISORDER,
            "parties": [POLICE, FIRE],
            "categories": ["fire", "asb"],
            "start_date": core_start - timedelta(days=730),
            "end_date": core_start - timedelta(days=1),
            "status": AgreementStatus.ENDED,
        },
        {
            "reference": "RVF-ISA-006",
            "title": "Integrated offender management information sharing agreement",
            "purpose": "To manage the offenders who cause Riverford most harm, sharing between "
            "probation, the prison, the police and the council.",
            "lawful_basis": LawfulBasis.LAW_ENFORCEMENT,
            "parties": [PROBATION, PRISON, POLICE, COUNCIL],
            "categories": ["offender-management"],
            "start_date": today,
            "status": AgreementStatus.DRAFT,
        },
    ]


def partnership_create(*, viewer, today: date, period_start: date) -> Partnership:
    categories = {
        code: data_category_ensure(
            viewer=viewer, code=code, name=name, is_special=bool(roles), special_roles=roles, description=description
        )
        for code, name, roles, description in DATA_CATEGORIES
    }
    organisations = {}
    for name, short_name, kind, teams in ORGANISATIONS:
        organisation = organisation_save(viewer=viewer, name=name, short_name=short_name, kind=kind)
        for team in teams:
            team_create(viewer=viewer, organisation=organisation, name=team)
        organisations[name] = organisation
    agreements = _agreements(today, period_start)
    for agreement in agreements:
        agreement_save(
            viewer=viewer,
            title=agreement["title"],
            reference=agreement["reference"],
            purpose=agreement["purpose"],
            lawful_basis=agreement["lawful_basis"],
            parties=[organisations[name] for name in agreement["parties"]],
            data_categories=[categories[code] for code in agreement["categories"]],
            start_date=agreement["start_date"],
            end_date=agreement.get("end_date"),
            status=agreement["status"],
            special_category_condition=agreement.get("special_category_condition", ""),
            review_date=agreement.get("review_date"),
            dpia_reference=agreement.get("dpia_reference", ""),
        )
    return Partnership(organisations=organisations, categories=categories, agreement_count=len(agreements))
