"""What Riverford's residents may report (`saferplace.reports`): thirteen services in four groups,
each with the questions a partner would ask first (the seeds' "initial investigation prompts":
enough that a volunteer can collect a fly tip with no investigation leads, or confirm that
graffiti is of a racial nature), who handles each where (the council everywhere for the streets,
the police for drug dealing, street drinking and private concerns, the fire service for fire
risks, Riverside Homes for noise on its estates) and what residents are told at some states.

Services, questions, routes and messages are data (no service sets them yet): they are written
here in bulk and the whole set is audited as one change, as a service would."""

from dataclasses import dataclass, field

from saferplace.audit.models import AuditAction
from saferplace.audit.services import audit_record
from saferplace.demo import partnership as partners_of
from saferplace.demo.geography import CityPlan
from saferplace.incidents.models import IncidentCategory
from saferplace.partners.models import DataCategory, Organisation
from saferplace.places.models import Place
from saferplace.reports.models import (
    ReportState,
    ResponseTemplate,
    RoutingRule,
    Service,
    ServiceAttribute,
)
from saferplace.reports.states import report_states_install

ESTATE_LSOAS = 4  # Heathcote Estate's LSOA and its nearest neighbours in the ward


def _choices(*names: str) -> list[dict]:
    return [{"key": name.lower().replace(" ", "-").replace(",", "").replace("'", "")[:40], "name": name}
            for name in names]


@dataclass(frozen=True)
class Question:
    code: str
    description: str
    datatype: str = "singlevaluelist"
    values: tuple[str, ...] = ()
    required: bool = False
    variable: bool = True


@dataclass(frozen=True)
class DemoService:
    code: str
    name: str
    group: str
    description: str
    keywords: str
    data_category: str
    incident_category: str | None
    organisation: str  # who handles it everywhere
    questions: tuple[Question, ...] = ()
    private: bool = False
    urgent: bool = False
    on_estates: str | None = None  # who handles it on the estates instead
    templates: dict[str, str] = field(default_factory=dict)  # state → message


WHEN = ("Mornings", "Afternoons", "Evenings", "Late at night", "Weekends")
HOW_OFTEN = ("This once", "A few times", "Most days")
COUNCIL, POLICE, FIRE, HOUSING = partners_of.COUNCIL, partners_of.POLICE, partners_of.FIRE, partners_of.HOUSING

SERVICES = [
    DemoService(
        "fly-tipping", "Fly tipping", "Streets and rubbish", "Rubbish dumped in the street or on open land",
        "rubbish, dumped, waste, mattress, bags", "environmental", "fly-tipping", COUNCIL, (
            Question("what", "What has been dumped?", values=(
                "Household rubbish", "Furniture or mattresses", "Builders' waste", "Garden waste", "Tyres",
                "Something else"), required=True),
            Question("amount", "How much is there?", values=(
                "A single item", "A few bags", "A car boot load", "A small van load", "A lorry load or more")),
            Question("hazards", "Is there anything dangerous in it?", "multivaluelist", (
                "Needles or syringes", "Asbestos", "Chemicals or paint tins", "Broken glass")),
            Question("leads", "Is there anything showing where it came from, such as letters with an address?",
                     values=("Yes", "No", "I did not look")),
        ),
        templates={"action_scheduled": "{organisation} will collect it within five working days.",
                   "fixed": "{organisation} has cleared the fly tip. Thank you for reporting it."},
    ),
    DemoService(
        "litter", "Litter", "Streets and rubbish", "Litter, or a litter bin that is full", "litter, bin, overflowing",
        "environmental", "litter", COUNCIL, (
            Question("kind", "What is the problem?", values=("Litter on the ground", "A bin is full or overflowing",
                                                               "A bin is damaged")),
        ),
    ),
    DemoService(
        "graffiti", "Graffiti", "Streets and rubbish", "Graffiti on walls, bus shelters and street furniture",
        "graffiti, tagging, spray paint", "environmental", "graffiti", COUNCIL, (
            Question("offensive", "Is it offensive, racist or aimed at a group of people?",
                     values=("Yes", "No", "Not sure"), required=True),
            Question("surface", "What is it on?", values=(
                "A house or garden wall", "A public building", "A bus shelter", "A fence or gate", "Something else")),
        ),
        templates={"fixed": "{organisation} has removed the graffiti."},
    ),
    DemoService(
        "abandoned-vehicle", "Abandoned vehicle", "Streets and rubbish", "A vehicle that seems to have been left",
        "car, van, untaxed, dumped vehicle", "environmental", "abandoned-vehicle", COUNCIL, (
            Question("registration", "The registration number, if it has one", "string"),
            Question("how-long", "How long has it been there?", values=("Less than a week", "One to four weeks",
                                                                          "More than a month")),
            Question("condition", "What is wrong with it?", "multivaluelist", (
                "No tax", "Flat tyres", "Broken windows", "Someone seems to be sleeping in it")),
        ),
    ),
    DemoService(
        "dog-fouling", "Dog fouling", "Streets and rubbish", "Dog mess left on pavements or in parks",
        "dog mess, dog poo", "environmental", "asb-environmental", COUNCIL, (
            Question("when", "When is it usually left?", "multivaluelist", WHEN),
            Question("regular", "Does it happen often here?", values=HOW_OFTEN),
        ),
    ),
    DemoService(
        "drug-dealing", "Drug dealing", "Anti-social behaviour", "Drugs being sold or used in public",
        "drugs, dealing, county lines, needles", "asb", "drugs", POLICE, (
            Question("when", "When does it happen?", "multivaluelist", WHEN, required=True),
            Question("how-often", "How often have you seen it?", values=HOW_OFTEN),
            Question("vehicles", "Are vehicles involved? Say their make, colour and registration if you saw them",
                     "text"),
            Question("young-people", "Do children or young people seem to be involved?",
                     values=("Yes", "No", "Not sure")),
        ),
        templates={"investigating": "Thank you. {organisation}'s neighbourhood team reads every report. To keep "
                                    "people who report safe, we do not say what action we take."},
    ),
    DemoService(
        "noise-nuisance", "Noise or nuisance", "Anti-social behaviour", "Noise, rowdy behaviour or a neighbour "
        "causing a nuisance", "noise, music, shouting, party, neighbour", "asb", "asb-nuisance", COUNCIL, (
            Question("source", "What is the noise or nuisance?", values=(
                "Loud music", "Shouting or arguing", "Parties", "Vehicles", "Dogs barking", "Something else"),
                required=True),
            Question("when", "When does it happen?", "multivaluelist", WHEN),
            Question("how-often", "How often?", values=HOW_OFTEN),
        ),
        on_estates=HOUSING,
        templates={"investigating": "{organisation} is looking into it and may write to the household concerned."},
    ),
    DemoService(
        "street-drinking", "Street drinking", "Anti-social behaviour", "Groups drinking in the street or a park",
        "alcohol, drinking, drunk", "asb", "asb-nuisance", POLICE, (
            Question("people", "About how many people?", "number"),
            Question("when", "When does it happen?", "multivaluelist", WHEN),
            Question("intimidating", "Did anyone threaten or intimidate people passing?", values=("Yes", "No")),
            Question("sleeping", "Does anyone seem to be sleeping there?", values=("Yes", "No", "Not sure")),
        ),
    ),
    DemoService(
        "street-light", "Street light not working", "Lighting and roads", "A street light that is out, on in the "
        "day or damaged", "lamp, lamp post, dark, light", "environmental", None, COUNCIL, (
            Question("number", "The number on the lamp post, if you can see it", "string"),
            Question("fault", "What is wrong?", values=("Off all the time", "On during the day", "Flickering",
                                                        "Damaged or leaning"), required=True),
        ),
        templates={"investigating": "An engineer will check the light within ten working days."},
    ),
    DemoService(
        "pothole", "Pothole", "Lighting and roads", "A hole or broken surface in a road or pavement",
        "road, pavement, hole, surface", "environmental", None, COUNCIL, (
            Question("where", "Where is it?", values=("In the road", "On the pavement", "In a cycle lane"),
                     required=True),
            Question("size", "How big is it?", values=("Smaller than a dinner plate", "About a car wheel",
                                                       "Bigger than a car wheel")),
        ),
        templates={"action_scheduled": "{organisation} has inspected the pothole and booked the repair."},
    ),
    DemoService(
        "fire-risk", "Rubbish that could be set alight", "Safety", "Rubbish, furniture or bins piled where they "
        "could be set on fire", "fire, arson, bins, burning", "fire", None, FIRE, (
            Question("near", "How close is it to a building?", values=(
                "Against a building", "Near a building", "In the open"), required=True),
        ),
    ),
    DemoService(
        "someone-at-risk", "Someone is at risk", "Safety", "You are worried about a child or an adult's safety",
        "safeguarding, abuse, neglect, vulnerable", "safeguarding", "adult-at-risk-concern", POLICE, (
            Question("danger", "If someone is in danger now, call 999.", "string", variable=False),
            Question("who", "Who are you worried about?", values=("A child", "An adult", "Not sure"), required=True),
        ),
        private=True, urgent=True,
        templates={"open": "Thank you for telling us. {organisation}'s safeguarding hub will read your report "
                           "today. If anyone is in danger now, call 999."},
    ),
    DemoService(
        "hate-incident", "Hate incident", "Safety", "Something done or said because of who someone is",
        "hate, racist, homophobic, abuse", "crime", None, POLICE, (
            Question("because-of", "Do you think it was because of", "multivaluelist", (
                "Race or ethnicity", "Religion or belief", "Sexual orientation", "Disability",
                "Transgender identity", "Something else")),
            Question("again", "Has it happened before?", values=("Yes", "No")),
        ),
        private=True,
    ),
]


def estate_lsoa_codes(plan: CityPlan) -> list[str]:
    """Heathcote Estate's LSOA and its nearest neighbours in its ward: Riverside Homes' estates."""
    by_code = {lsoa.code: lsoa for lsoa in plan.lsoas}
    estate = by_code[plan.hotspot_lsoas["estate"]]
    centre = estate.geometry.centroid
    neighbours = sorted((lsoa for lsoa in plan.lsoas if lsoa.parent_code == estate.parent_code),
                        key=lambda lsoa: (lsoa.geometry.centroid.distance(centre), lsoa.code))
    return [lsoa.code for lsoa in neighbours[:ESTATE_LSOAS]]


def demo_report_services_create(*, viewer, plan: CityPlan) -> dict[str, Service]:
    """The services, their questions, routes and messages (the report states first, if missing)."""
    report_states_install(ReportState, ResponseTemplate)
    categories = {category.code: category for category in DataCategory.objects.all()}
    organisations = {organisation.name: organisation for organisation in Organisation.objects.all()}
    incident_categories = {category.code: category for category in IncidentCategory.objects.all()}
    estates = list(Place.objects.filter(code__in=estate_lsoa_codes(plan)))
    services, attributes, rules, templates = {}, [], [], []
    for order, spec in enumerate(SERVICES, start=1):
        service = Service.objects.create(
            code=spec.code, name=spec.name, group=spec.group, description=spec.description, keywords=spec.keywords,
            data_category=categories[spec.data_category], private=spec.private, urgent=spec.urgent, order=order,
            incident_category=incident_categories.get(spec.incident_category or ""),
        )
        services[spec.code] = service
        attributes += [ServiceAttribute(service=service, code=question.code, description=question.description,
                                        datatype=question.datatype, required=question.required, order=number,
                                        variable=question.variable, values=_choices(*question.values))
                       for number, question in enumerate(spec.questions, start=1)]
        rules.append(RoutingRule(service=service, organisation=organisations[spec.organisation]))
        if spec.on_estates:
            rules += [RoutingRule(service=service, organisation=organisations[spec.on_estates], place=place)
                      for place in estates]
        templates += [ResponseTemplate(service=service, state_id=state, text=text)
                      for state, text in spec.templates.items()]
    ServiceAttribute.objects.bulk_create(attributes)
    RoutingRule.objects.bulk_create(rules)
    ResponseTemplate.objects.bulk_create(templates)
    audit_record(viewer=viewer, action=AuditAction.CREATE, object_type="reports.service",
                 object_repr=f"{len(services)} services residents may report, with their routes",
                 details={"services": list(services), "questions": len(attributes), "routes": len(rules),
                          "templates": len(templates), "estates": [place.code for place in estates]})
    return services


def demo_report_services_delete() -> None:
    """The demo's services (after their reports), with their questions, routes and messages."""
    Service.objects.filter(code__in=[spec.code for spec in SERVICES], reports__isnull=True).delete()
