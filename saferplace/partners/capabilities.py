"""The catalogue of capabilities and which roles hold them when SaferPlace is installed.

A capability is something a role lets a person do. It says nothing about *which* records: that
is the access policy (reads) and ownership (writes), both applied by `access.can`. The table of
roles and capabilities is data (`Capability`, `RoleCapability`): this file only installs it (a
migration calls `capabilities_install`), and a partnership may change the rows afterwards.

Each capability has a scope:

- `read`: it reads records about people, and only those the sharing agreements open;
- `own`: it changes records, and only those of the person's own organisation;
- `partnership`: it concerns the partnership as a whole (its places, the audit trail).
"""

from dataclasses import dataclass

from saferplace.partners.models import CapabilityScope, Role

ADMINISTRATOR, ANALYST, CHAIR, PRACTITIONER, VOLUNTEER, AUDITOR = (
    Role.ADMINISTRATOR, Role.ANALYST, Role.CHAIR, Role.PRACTITIONER, Role.VOLUNTEER, Role.AUDITOR,
)
READ, OWN, PARTNERSHIP = CapabilityScope.READ, CapabilityScope.OWN, CapabilityScope.PARTNERSHIP


@dataclass(frozen=True)
class CapabilityDefinition:
    code: str
    name: str
    scope: CapabilityScope
    roles: tuple[Role, ...]
    description: str = ""


CAPABILITIES = [
    CapabilityDefinition(
        "incidents.view", "See incidents", READ, (ANALYST, CHAIR, PRACTITIONER, ADMINISTRATOR),
        "The incident explorer, its map and chart, and one incident at a time (the API too).",
    ),
    CapabilityDefinition(
        "incidents.export", "Export incidents", READ, (ANALYST, CHAIR, PRACTITIONER, ADMINISTRATOR),
        "CSV and GeoJSON downloads, pages of the API's list, the incidents of a map hexagon.",
    ),
    CapabilityDefinition(
        "imports.run", "Import files", OWN, (ANALYST, ADMINISTRATOR),
        "Upload partner files whose records the person's organisation owns, and see its import runs.",
    ),
    CapabilityDefinition(
        "profiles.manage", "Make mapping profiles", OWN, (ANALYST, ADMINISTRATOR),
        "Make, change and use the mapping profiles of the person's own organisation.",
    ),
    CapabilityDefinition(
        "places.manage", "Change places", PARTNERSHIP, (ADMINISTRATOR,),
        "Load and change the partnership's places: place, population and postcode lookups, boundaries.",
    ),
    CapabilityDefinition(
        "harm.manage", "Set harm weights", PARTNERSHIP, (ADMINISTRATOR,),
        "Load harm weight tables (Crime Severity Score, Crime Harm Index, offence mappings) and set "
        "the categories' harm weights, each change with its reason.",
    ),
    CapabilityDefinition(
        "partners.manage", "Manage the organisation", OWN, (ADMINISTRATOR,),
        "Change the person's own organisation and its teams; add a new partner organisation.",
    ),
    CapabilityDefinition(
        "agreements.manage", "Manage sharing agreements", OWN, (ADMINISTRATOR,),
        "Propose, change and sign the sharing agreements the person's organisation is a party to.",
    ),
    CapabilityDefinition(
        "users.manage", "Manage people", OWN, (ADMINISTRATOR,),
        "Add people to the person's own organisation, change their role, stop them signing in, "
        "end their sessions and API tokens, approve another administrator's special-category role.",
    ),
    CapabilityDefinition(
        "api.tokens", "Make API tokens", OWN, (ANALYST, ADMINISTRATOR),
        "Make tokens for the person's own use of the JSON API, limited in time and scope.",
    ),
    CapabilityDefinition(
        "audit.read", "Read the audit trail", PARTNERSHIP, (AUDITOR,),
        "Search the audit trail, see each entry's details, export a search (itself audited).",
    ),
    CapabilityDefinition(
        "roles.view", "See roles and capabilities", PARTNERSHIP, (ADMINISTRATOR, AUDITOR),
        "See which role holds which capability.",
    ),
    CapabilityDefinition(
        "meetings.chair", "Chair meetings", OWN, (CHAIR,),
        "Set up a meeting series of the person's organisation, prepare its agenda, run the meeting, "
        "engage agencies on an item, record decisions and actions, close and send the minutes.",
    ),
    CapabilityDefinition(
        "meetings.attend", "Take part in meetings", PARTNERSHIP, (CHAIR, ANALYST, PRACTITIONER, ADMINISTRATOR),
        "Follow the meetings of series the person's organisation is a member of, raise a concern for "
        "the agenda, add what their agency knows to an item, read the minutes.",
    ),
    CapabilityDefinition(
        "meetings.reveal", "Reveal identifiable details", READ, (CHAIR, ANALYST, PRACTITIONER),
        "See an item's names, exact addresses and dates of birth, with a reason (audited), when the "
        "chair has engaged the person's agency on it and the sharing agreements allow.",
    ),
    CapabilityDefinition(
        "tasks.assign", "Assign tasks", OWN, (CHAIR, ANALYST, ADMINISTRATOR),
        "Task agencies, teams and volunteers; reassign the tasks of the person's own organisation.",
    ),
    CapabilityDefinition(
        "tasks.work", "Work on tasks", OWN, (CHAIR, ANALYST, PRACTITIONER, ADMINISTRATOR),
        "See the tasks given to the person and their team; accept, decline, add notes and photos, complete.",
    ),
    CapabilityDefinition(
        "tasks.volunteer", "Take volunteer tasks", PARTNERSHIP, (VOLUNTEER,),
        "See the low-level tasks offered to the volunteer pool of the person's areas, take one, "
        "answer its questions, add a photo, complete it. Never identifiable details.",
    ),
    CapabilityDefinition(
        "reports.triage", "Triage public reports", OWN, (PRACTITIONER, ANALYST, CHAIR),
        "The organisation's queue of residents' reports: accept, reject with a reason, mark as a "
        "duplicate, reassign to a partner, raise as an incident, make a task, put forward to the "
        "meeting, update the resident.",
    ),
    CapabilityDefinition(
        "reports.manage", "Set up public reporting", PARTNERSHIP, (ADMINISTRATOR,),
        "What residents may report (services, their questions), who handles what where (routing), "
        "the messages residents are sent, and Open311 client keys.",
    ),
]

BY_CODE = {definition.code: definition for definition in CAPABILITIES}


def capabilities_install(capability_model, role_capability_model) -> None:
    """Create the catalogue's capabilities, and give each its default roles the first time it is
    installed (a partnership's later changes to the table are kept)."""
    for definition in CAPABILITIES:
        _, created = capability_model.objects.update_or_create(
            code=definition.code,
            defaults={"name": definition.name, "description": definition.description, "scope": str(definition.scope)},
        )
        if created:
            for role in definition.roles:
                role_capability_model.objects.get_or_create(role=str(role), capability_id=definition.code)
