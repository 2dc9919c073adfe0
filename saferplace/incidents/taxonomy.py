"""The built-in partnership taxonomy. A migration loads it; partnerships add their own categories
and change harm weights as data (the `IncidentCategory` table), never in code.

Harm weights are starting values, loosely after the Cambridge Crime Harm Index (the relative
seriousness of one incident of each kind); a partnership should set its own."""

from saferplace.incidents.models import CategoryGroup as G

# (code, name, group, parent code, harm weight)
BUILTIN_CATEGORIES: list[tuple[str, str, str, str | None, float]] = [
    # police.uk street-level crime types
    ("anti-social-behaviour", "Anti-social behaviour", G.ASB, None, 1.0),
    ("bicycle-theft", "Bicycle theft", G.CRIME, None, 2.0),
    ("burglary", "Burglary", G.CRIME, None, 15.0),
    ("criminal-damage-arson", "Criminal damage and arson", G.CRIME, None, 4.0),
    ("drugs", "Drugs", G.CRIME, None, 5.0),
    ("other-theft", "Other theft", G.CRIME, None, 2.0),
    ("possession-of-weapons", "Possession of weapons", G.CRIME, None, 20.0),
    ("public-order", "Public order", G.CRIME, None, 5.0),
    ("robbery", "Robbery", G.CRIME, None, 50.0),
    ("shoplifting", "Shoplifting", G.CRIME, None, 1.0),
    ("theft-from-the-person", "Theft from the person", G.CRIME, None, 5.0),
    ("vehicle-crime", "Vehicle crime", G.CRIME, None, 3.0),
    ("violent-crime", "Violence and sexual offences", G.CRIME, None, 30.0),
    ("other-crime", "Other crime", G.CRIME, None, 3.0),
    # ASB by its three national types
    ("asb-personal", "ASB: personal", G.ASB, "anti-social-behaviour", 2.0),
    ("asb-nuisance", "ASB: nuisance", G.ASB, "anti-social-behaviour", 1.0),
    ("asb-environmental", "ASB: environmental", G.ASB, "anti-social-behaviour", 1.0),
    # environmental reports
    ("fly-tipping", "Fly-tipping", G.ENVIRONMENTAL, "asb-environmental", 0.5),
    ("graffiti", "Graffiti", G.ENVIRONMENTAL, "asb-environmental", 0.5),
    ("litter", "Litter", G.ENVIRONMENTAL, "asb-environmental", 0.2),
    ("abandoned-vehicle", "Abandoned vehicle", G.ENVIRONMENTAL, "asb-environmental", 0.5),
    ("drug-litter", "Drug litter and needles", G.ENVIRONMENTAL, "asb-environmental", 1.0),
    # fire
    ("deliberate-primary-fire", "Deliberate primary fire", G.FIRE, None, 10.0),
    ("deliberate-secondary-fire", "Deliberate secondary fire", G.FIRE, None, 2.0),
    ("accidental-dwelling-fire", "Accidental dwelling fire", G.FIRE, None, 8.0),
    # road collisions by severity (STATS19)
    ("road-collision-fatal", "Road collision: fatal", G.ROAD, None, 400.0),
    ("road-collision-serious", "Road collision: serious", G.ROAD, None, 40.0),
    ("road-collision-slight", "Road collision: slight", G.ROAD, None, 4.0),
    # youth service and NEET
    ("youth-detached-contact", "Youth work: detached contact", G.YOUTH, None, 0.0),
    ("youth-centre-session", "Youth work: centre session", G.YOUTH, None, 0.0),
    ("youth-referral", "Youth work: referral", G.YOUTH, None, 0.0),
    ("neet", "Young person not in education, employment or training", G.YOUTH, None, 0.0),
    # safeguarding and domestic abuse
    ("domestic-abuse-crime", "Domestic abuse: crime", G.SAFEGUARDING, None, 30.0),
    ("domestic-abuse-incident", "Domestic abuse: non-crime incident", G.SAFEGUARDING, None, 5.0),
    ("child-concern", "Safeguarding concern: child", G.SAFEGUARDING, None, 5.0),
    ("adult-at-risk-concern", "Safeguarding concern: adult at risk", G.SAFEGUARDING, None, 5.0),
    # health
    ("assault-attendance", "Emergency department attendance: assault", G.HEALTH, None, 30.0),
    # police calls for service
    ("call-for-service", "Call for service", G.DEMAND, None, 0.5),
]

# police.uk's "Crime type" column → taxonomy code
POLICE_UK_CRIME_TYPES: dict[str, str] = {
    "Anti-social behaviour": "anti-social-behaviour",
    "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson",
    "Drugs": "drugs",
    "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime",
    "Other crime": "other-crime",
}


def taxonomy_install(category_model) -> int:
    """Create or refresh the built-in categories (used by the migration and the tests).
    Harm weights a partnership has changed are kept."""
    created = 0
    for code, name, group, parent_code, weight in BUILTIN_CATEGORIES:
        parent = category_model.objects.get(code=parent_code) if parent_code else None
        _, was_created = category_model.objects.update_or_create(
            code=code,
            defaults={"name": name, "group": str(group), "parent": parent, "is_builtin": True},
            create_defaults={"name": name, "group": str(group), "parent": parent, "is_builtin": True, "harm_weight": weight},
        )
        created += was_created
    return created
