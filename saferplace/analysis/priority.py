"""What matters most, and why: each candidate issue (a hotspot, an emerging hot spot) scored on a
threat, risk and harm matrix in the spirit of MoRiLE.

Eight dimensions, each scored 0 to 4: the four kinds of harm of what happened (physical,
psychological, community, financial), the vulnerability of those affected and the partnership's
capacity and opportunity to act (all from the category: `CategoryRisk`); its scale (how many
incidents, against the busiest candidate's); and the likelihood it goes on (from the statistics:
how far a hotspot stands out, an emerging hot spot's pattern, an exceedance, how often a place
repeats; the stronger when an issue is more than one).
The score is the weighted mean of the eight on a scale of 0 to 100, the weights being data
(`PriorityWeight`). Every score comes with its reasons: each dimension's score, weight and share
of the total, in words and numbers. The starting values (`STARTING_WEIGHTS`, `STARTING_RISK`)
are installed by a migration and are a partnership's to change."""

from dataclasses import dataclass, field

from saferplace.words import count_of

DIMENSIONS = ("physical", "psychological", "community", "financial", "scale", "likelihood", "vulnerability", "capacity")
TOP = 4  # the scale's highest score

STARTING_WEIGHTS = {
    "physical": (3.0, "Physical harm: injury, loss of life"),
    "psychological": (2.0, "Psychological harm: fear, distress"),
    "community": (2.0, "Harm to the community: confidence, cohesion, the place itself"),
    "financial": (1.0, "Financial harm: loss, damage, cost"),
    "scale": (2.0, "How many incidents, against the busiest candidate's"),
    "likelihood": (3.0, "How likely it is to go on: how far it stands out from chance, and its trend"),
    "vulnerability": (2.0, "How vulnerable those affected are"),
    "capacity": (1.0, "The partnership's capacity and opportunity to act on it"),
}
# (physical, psychological, community, financial, vulnerability, capacity) by category group,
# then for the categories that differ most from their group.
STARTING_RISK = {
    "crime": (2, 2, 2, 2, 2, 2), "asb": (1, 2, 3, 1, 2, 3), "environmental": (0, 1, 3, 1, 1, 4),
    "fire": (3, 2, 2, 3, 2, 2), "road": (3, 2, 1, 2, 2, 2), "youth": (1, 2, 2, 1, 3, 3),
    "safeguarding": (3, 4, 1, 1, 4, 2), "health": (2, 2, 1, 1, 3, 2), "demand": (1, 1, 1, 1, 2, 2),
    "other": (1, 1, 1, 1, 2, 2),
    "violent-crime": (4, 4, 2, 2, 3, 2), "robbery": (3, 4, 2, 3, 2, 2), "burglary": (1, 4, 2, 3, 2, 3),
    "possession-of-weapons": (4, 3, 3, 1, 2, 2), "drugs": (2, 2, 4, 2, 3, 2), "shoplifting": (0, 1, 1, 3, 1, 3),
    "criminal-damage-arson": (2, 2, 3, 3, 2, 3), "public-order": (1, 3, 3, 1, 2, 3),
}
RISK_FIELDS = ("physical", "psychological", "community", "financial", "vulnerability", "capacity")


def starting_levels(code: str, group: str) -> dict[str, int]:
    """A category's starting levels (`STARTING_RISK`: its own, else its group's)."""
    levels = STARTING_RISK.get(code) or STARTING_RISK.get(group) or STARTING_RISK["other"]
    return dict(zip(RISK_FIELDS, levels, strict=True))


PATTERN_LIKELIHOOD = {"new": 4, "consecutive": 4, "intensifying": 4, "persistent": 3, "sporadic": 2,
                      "oscillating": 2, "diminishing": 1, "historical": 0}
WORDS = ("none", "low", "moderate", "high", "very high")


@dataclass
class Candidate:
    kind: str  # "hotspot" or "emerging hot spot"
    category: str  # its code
    category_name: str
    h3_cell: str
    where: str
    count: int
    evidence: dict  # the statistics behind it
    likelihood: int = 0
    likelihood_why: str = ""
    scale: int = 0
    scale_why: str = ""
    score: float = 0.0
    reasons: list[dict] = field(default_factory=list)


def hotspot_likelihood(z: float) -> tuple[int, str]:
    level = 4 if z >= 5 else 3 if z >= 4 else 2 if z >= 3 else 1
    return level, f"it stands out from chance with z = {z:.1f}"


def pattern_likelihood(pattern: str, trend_z: float) -> tuple[int, str]:
    name = pattern.removesuffix(" hot spot")
    return PATTERN_LIKELIHOOD.get(name, 1), f"{pattern} (trend z = {trend_z:.1f})"


def exceedance_likelihood(test: dict) -> tuple[int, str]:
    level = 4 if test["q_value"] <= 0.01 else 3
    return level, (f"{test['observed']:,} in the last days against {test['expected']:.1f} expected "
                   f"(q = {test['q_value']:.2g})")


def repeat_likelihood(place: dict) -> tuple[int, str]:
    level = 4 if place["count"] >= 6 else 3
    return level, f"{count_of(place['count'], 'incident')} at the same place from {place['first']} to {place['last']}"


def scale_level(count: int, busiest: int) -> tuple[int, str]:
    share = count / busiest if busiest else 0.0
    level = 4 if share >= 0.5 else 3 if share >= 0.25 else 2 if share >= 0.1 else 1 if count else 0
    return level, f"{count_of(count, 'incident')}, {share:.0%} of the busiest candidate's {busiest:,}"


def score(candidate: Candidate, risk: dict[str, int], weights: dict[str, float]) -> Candidate:
    """Fill in the candidate's score (0 to 100) and its reasons, the largest contribution first."""
    levels = {**risk, "likelihood": candidate.likelihood, "scale": candidate.scale}
    total_weight = sum(weights[dimension] for dimension in DIMENSIONS) or 1.0
    reasons = []
    for dimension in DIMENSIONS:
        level = levels[dimension]
        points = 100 * weights[dimension] * level / TOP / total_weight
        why = {"likelihood": candidate.likelihood_why, "scale": candidate.scale_why}.get(
            dimension, f"{candidate.category_name}: {WORDS[level]}")
        reasons.append({"dimension": dimension, "score": level, "weight": weights[dimension], "points": round(points, 1),
                        "why": f"{dimension.title()} {WORDS[level]} ({level} of {TOP}, weight {weights[dimension]:g}): {why}"})
    candidate.score = round(sum(reason["points"] for reason in reasons), 1)
    candidate.reasons = sorted(reasons, key=lambda reason: -reason["points"])
    return candidate
