"""The demo personas: one synthetic person per kind of user, all with the same documented
password and the same documented two-factor secret, so anyone trying the demo can sign in.

These credentials are public. They exist only in a demo database (`saferplace demo`); the
users are marked `is_demo_persona` so they can be found and removed."""

import time
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferplace.demo import partnership as partners_of
from saferplace.partners.models import Role, User
from saferplace.partners.services import user_create

DEMO_PASSWORD = "riverford-demo-2026"  # noqa: S105 - a published demo password, not a secret
# The 20-byte two-factor key every persona shares: the ASCII bytes of "riverford-demo-2026!".
DEMO_TOTP_KEY_HEX = b"riverford-demo-2026!".hex()
# The same key as an authenticator app wants it (base32), for adding it by hand.
DEMO_TOTP_BASE32 = b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()
DEMO_TOTP_STEP = 30


@dataclass(frozen=True)
class Persona:
    username: str
    role: Role
    organisation: str
    team: str
    first_name: str
    last_name: str
    job_title: str
    about: str


PERSONAS = [
    Persona("admin.council", Role.ADMINISTRATOR, partners_of.COUNCIL, "Information Governance",
            "Priya", "Natarajan", "Systems and Information Governance Manager",
            "runs SaferPlace for the partnership: users, organisations and agreements"),
    Persona("admin2.council", Role.ADMINISTRATOR, partners_of.COUNCIL, "Information Governance",
            "Joseph", "Adeyemi", "Data Protection Officer",
            "the council's second administrator: approves (or refuses) a role another administrator "
            "gives that opens a special category"),
    Persona("analyst.council", Role.ANALYST, partners_of.COUNCIL, "Performance, Analysis and Intelligence Hub",
            "Tom", "Ashworth", "Community Safety Analyst",
            "loads partner data, finds hotspots and repeat locations, writes profiles"),
    Persona("analyst.police", Role.ANALYST, partners_of.POLICE, "Analysis and Intelligence Unit",
            "Nadia", "Kowalski", "Crime and Intelligence Analyst",
            "uploads the force's files: police.uk crime and outcomes, STATS19 collisions, calls for service"),
    Persona("chair.police", Role.CHAIR, partners_of.POLICE, "Riverford Neighbourhood Policing Team",
            "Helen", "Okafor", "Neighbourhood Policing Inspector",
            "chairs the daily risk management meeting and tasks agencies"),
    Persona("officer.police", Role.PRACTITIONER, partners_of.POLICE, "Riverford Neighbourhood Policing Team",
            "Dan", "Whitfield", "Police Constable, Neighbourhood Team",
            "works the briefing on a phone in the field"),
    Persona("asb.council", Role.PRACTITIONER, partners_of.COUNCIL, "Anti-social Behaviour Team",
            "Grace", "Mensah", "Anti-social Behaviour Officer",
            "works ASB cases and case reviews"),
    Persona("youth.cvs", Role.PRACTITIONER, partners_of.VOLUNTARY, "Detached Youth Work",
            "Kieran", "Doyle", "Detached Youth Worker",
            "plans outreach from the youth and environmental records the CVS may see"),
    Persona("volunteer.cvs", Role.VOLUNTEER, partners_of.VOLUNTARY, "Volunteer Centre",
            "Margaret", "Lowe", "Community Volunteer",
            "receives low-level tasks (check a location, collect a fly-tip) and reports back"),
    Persona("auditor.council", Role.AUDITOR, partners_of.COUNCIL, "Information Governance",
            "Samuel", "Reid", "Information Governance Auditor",
            "reads who saw what, and why"),
    Persona("analyst.bid", Role.ANALYST, partners_of.BUSINESS_DISTRICT, "Street Rangers",
            "Chloe", "Barnes", "Business Crime Analyst",
            "works for an organisation with no sharing agreement: sees no partner records"),
    Persona("firefighter.fire", Role.PRACTITIONER, partners_of.FIRE, "Prevention and Protection",
            "Owen", "Pritchard", "Firefighter, Prevention Team",
            "targets deliberate fire prevention work"),
]


def demo_totp_code(now: datetime | float | None = None) -> str:
    """The six-digit code every demo persona's authenticator shows at `now` (default: now)."""
    if now is None:
        moment = time.time()
    elif isinstance(now, datetime):
        moment = now.timestamp()
    else:
        moment = float(now)
    generator = TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX), step=DEMO_TOTP_STEP, t0=0, digits=6)
    generator.time = moment
    return f"{generator.token():06d}"


def demo_totp_seconds_left(now: float | None = None) -> int:
    """How many seconds the current code stays valid."""
    moment = time.time() if now is None else now
    return DEMO_TOTP_STEP - int(moment) % DEMO_TOTP_STEP


def personas_create(*, viewer, partnership: partners_of.Partnership) -> list[User]:
    users = []
    for persona in PERSONAS:
        user = user_create(
            viewer=viewer,
            username=persona.username,
            password=DEMO_PASSWORD,
            organisation=partnership.organisations[persona.organisation],
            role=persona.role,
            first_name=persona.first_name,
            last_name=persona.last_name,
            email=f"{persona.username}@riverford.example",
            job_title=persona.job_title,
            team=partnership.team(persona.organisation, persona.team),
            is_demo_persona=True,
            validate=False,
            must_change_password=False,  # the demo's password is published: there is nothing to keep secret
        )
        TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY_HEX, confirmed=True)
        users.append(user)
    return users
