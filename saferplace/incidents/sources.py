"""The names people read for the sources incidents are filed under. A source is stored as a short
code (`police-uk`, `stats19`, a mapping profile's `fire-incidents`): pages show its name."""

import re

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

# Sources whose name is not just their code in words.
SOURCE_NAMES = {
    "police-uk": "police.uk street-level crime",
    "stats19": "STATS19 road collisions",
}

# Words written in capitals (or their own way) when a code is turned into words.
WORDS = {"asb": "ASB", "uk": "UK", "nhs": "NHS", "neet": "NEET", "cctv": "CCTV", "stats19": "STATS19", "csp": "CSP"}


def source_name(code: str) -> str:
    """The name of the source `code`: its own where it has one, else the code in words
    ("police-asb" → "Police ASB", "fire-incidents" → "Fire incidents")."""
    if code in SOURCE_NAMES:
        return SOURCE_NAMES[code]
    if not SLUG.match(code):  # not a code: already words (or nothing)
        return code
    words = [WORDS.get(word, word) for word in code.replace("_", "-").split("-") if word]
    if not words:
        return code
    first = words[0]
    words[0] = first if first in WORDS.values() else first[:1].upper() + first[1:]
    return " ".join(words)
