"""What each Riverford partner records in a year at size 1: the sources, their categories,
volumes, seasons, planted hotspots and repeat locations. Volumes are of the order of a real
English city of 200,000 (about 20,000 police crimes including ASB)."""

from dataclasses import dataclass, field

from saferplace.demo import partnership as partners_of
from saferplace.incidents.models import LocationPrecision


@dataclass(frozen=True)
class CategorySpec:
    code: str
    label: str
    per_year: float  # at size 1
    peak_month: int = 7  # the month with most records
    seasonality: float = 0.05  # amplitude: 0.35 means the peak month is 35% above average
    hotspots: dict[str, float] = field(default_factory=dict)  # hotspot key → share of records
    repeat_share: float = 0.0  # share of records at the stream's repeat locations (same point)


@dataclass(frozen=True)
class SourceSpec:
    source: str
    organisation: str
    data_category: str
    precision: LocationPrecision
    id_prefix: str
    categories: list[CategorySpec]
    no_location_share: float = 0.01
    outcomes: tuple[str, ...] = ()
    victim_references: str = ""  # a prefix: records carry victim references, some repeating
    # Organisation that owns a share of the records instead (e.g. youth work done by the CVS).
    other_organisation: tuple[str, float] | None = None


CRIME_OUTCOMES = (
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Local resolution",
    "Offender given a caution",
    "Awaiting court outcome",
    "Offender sent to prison",
)
ENVIRONMENTAL_OUTCOMES = (
    "Cleared",
    "Cleared; fixed penalty notice issued",
    "Referred to the landowner",
    "Under investigation",
)

SOURCES = [
    SourceSpec(
        source="police-crime",
        organisation=partners_of.POLICE,
        data_category="crime",
        precision=LocationPrecision.SNAPPED,
        id_prefix="FP-CR",
        no_location_share=0.02,
        outcomes=CRIME_OUTCOMES,
        categories=[
            CategorySpec("violent-crime", "Violence and sexual offences", 5200, 7, 0.12, {"town-centre": 0.22}),
            CategorySpec("criminal-damage-arson", "Criminal damage and arson", 1700, 8, 0.10,
                         {"estate": 0.10, "park": 0.04}, 0.04),
            CategorySpec("shoplifting", "Shoplifting", 1500, 12, 0.10, {"town-centre": 0.50}, 0.25),
            CategorySpec("other-theft", "Other theft", 1300, 8, 0.08, {"town-centre": 0.10}),
            CategorySpec("vehicle-crime", "Vehicle crime", 1200, 11, 0.10),
            CategorySpec("public-order", "Public order", 1100, 7, 0.15, {"town-centre": 0.25}),
            CategorySpec("burglary", "Burglary", 1000, 12, 0.25),
            CategorySpec("drugs", "Drugs", 500, 7, 0.15, {"park": 0.30}),
            CategorySpec("bicycle-theft", "Bicycle theft", 300, 7, 0.30, {"town-centre": 0.20}),
            CategorySpec("other-crime", "Other crime", 300),
            CategorySpec("theft-from-the-person", "Theft from the person", 200, 12, 0.10, {"town-centre": 0.35}),
            CategorySpec("robbery", "Robbery", 150, 11, 0.10, {"town-centre": 0.15}),
            CategorySpec("possession-of-weapons", "Possession of weapons", 150, 7, 0.10, {"town-centre": 0.15}),
        ],
    ),
    SourceSpec(
        source="police-asb",
        organisation=partners_of.POLICE,
        data_category="asb",
        precision=LocationPrecision.SNAPPED,
        id_prefix="FP-ASB",
        no_location_share=0.02,
        categories=[
            CategorySpec("anti-social-behaviour", "Anti-social behaviour", 5500, 7, 0.35,
                         {"park": 0.12, "estate": 0.05, "town-centre": 0.05}, 0.06),
        ],
    ),
    SourceSpec(
        source="police-calls",
        organisation=partners_of.POLICE,
        data_category="calls-for-service",
        precision=LocationPrecision.EXACT,
        id_prefix="CAD",
        no_location_share=0.03,
        categories=[
            CategorySpec("call-for-service", "Call for service", 9000, 7, 0.15,
                         {"town-centre": 0.15, "park": 0.05, "estate": 0.05}, 0.04),
        ],
    ),
    SourceSpec(
        source="council-environmental",
        organisation=partners_of.COUNCIL,
        data_category="environmental",
        precision=LocationPrecision.EXACT,
        id_prefix="RCC-ENV",
        outcomes=ENVIRONMENTAL_OUTCOMES,
        categories=[
            CategorySpec("fly-tipping", "Fly-tipping", 1600, 6, 0.15, {"estate": 0.25}, 0.15),
            CategorySpec("litter", "Litter", 700, 7, 0.20, {"town-centre": 0.10, "park": 0.10}),
            CategorySpec("graffiti", "Graffiti", 600, 7, 0.10, {"town-centre": 0.08, "estate": 0.08}, 0.15),
            CategorySpec("abandoned-vehicle", "Abandoned vehicle", 300, 1, 0.05),
            CategorySpec("drug-litter", "Drug litter (needles)", 300, 8, 0.10, {"park": 0.30}, 0.10),
        ],
    ),
    SourceSpec(
        source="fire-incidents",
        organisation=partners_of.FIRE,
        data_category="fire",
        precision=LocationPrecision.EXACT,
        id_prefix="FFRS",
        no_location_share=0.005,
        categories=[
            CategorySpec("deliberate-secondary-fire", "Deliberate secondary fire", 450, 6, 0.55, {"estate": 0.25}, 0.10),
            CategorySpec("accidental-dwelling-fire", "Accidental dwelling fire", 230, 1, 0.15),
            CategorySpec("deliberate-primary-fire", "Deliberate primary fire", 120, 7, 0.15, {"estate": 0.20}),
        ],
    ),
    SourceSpec(
        source="road-collisions",
        organisation=partners_of.POLICE,
        data_category="road-safety",
        precision=LocationPrecision.EXACT,
        id_prefix="FP-RTC",
        no_location_share=0.0,
        categories=[
            CategorySpec("road-collision-slight", "Road collision: slight injury", 504, 11, 0.10, {}, 0.10),
            CategorySpec("road-collision-serious", "Road collision: serious injury", 90, 11, 0.10),
            CategorySpec("road-collision-fatal", "Road collision: fatal", 6, 11, 0.10),
        ],
    ),
    SourceSpec(
        source="youth-contacts",
        organisation=partners_of.COUNCIL,
        other_organisation=(partners_of.VOLUNTARY, 0.3),
        data_category="youth",
        precision=LocationPrecision.EXACT,
        id_prefix="YTH",
        no_location_share=0.25,
        categories=[
            CategorySpec("youth-detached-contact", "Detached youth work contact", 800, 8, 0.35, {"park": 0.20}),
            CategorySpec("youth-centre-session", "Youth centre session", 500, 2, 0.15, {}, 0.60),
            CategorySpec("youth-referral", "Referral to youth support", 200, 10, 0.10),
        ],
    ),
    SourceSpec(
        source="police-domestic-abuse",
        organisation=partners_of.POLICE,
        data_category="domestic-abuse",
        precision=LocationPrecision.SNAPPED,
        id_prefix="DAV",
        no_location_share=0.10,
        victim_references="DAV",
        categories=[
            CategorySpec("domestic-abuse-incident", "Domestic abuse incident", 450, 12, 0.12),
            CategorySpec("domestic-abuse-crime", "Domestic abuse related crime", 250, 12, 0.12),
        ],
    ),
    SourceSpec(
        source="police-safeguarding",
        organisation=partners_of.POLICE,
        data_category="safeguarding",
        precision=LocationPrecision.SNAPPED,
        id_prefix="SGV",
        no_location_share=0.10,
        victim_references="SGV",
        categories=[
            CategorySpec("child-concern", "Child at risk concern", 180, 10, 0.05),
            CategorySpec("adult-at-risk-concern", "Adult at risk concern", 120, 1, 0.05),
        ],
    ),
    SourceSpec(
        source="health-emergency-department",
        organisation=partners_of.HEALTH,
        data_category="health",
        precision=LocationPrecision.SNAPPED,
        id_prefix="NHS-ED",
        no_location_share=0.20,
        categories=[
            CategorySpec("assault-attendance", "Emergency department attendance after an assault", 300, 7, 0.15,
                         {"town-centre": 0.35}),
        ],
    ),
]

# The first words and the kinds of Riverford's street names (see demo/streets.py; the main roads
# take theirs from here too).
STREET_NAMES = [
    "Mill", "Church", "Station", "Victoria", "Albert", "Park", "High", "Bridge", "Queen", "King",
    "Orchard", "Meadow", "Willow", "Chestnut", "Oak", "Ash", "Elm", "Cedar", "Riverside", "Wharf",
    "Abbey", "Priory", "Market", "Granary", "Brook", "Fen", "Heath", "Lark", "Swan", "Heron",
    "Kingfisher", "Cromwell", "Nene", "Welland", "Stamford", "Oundle", "Lincoln", "Thorpe", "Cotton", "Barley",
]
STREET_KINDS = ["Road", "Street", "Lane", "Close", "Avenue", "Way", "Drive", "Gardens", "Crescent", "Walk"]
