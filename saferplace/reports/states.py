"""A report's starting states, each of a kind (FixMyStreet's State table), and the messages a
resident is sent when their report reaches one; installed by a migration (data: a partnership may
change them; installing again adds only what is missing)."""

# code, name, kind, FixMyStreet's extended status, order
STATES = [
    ("open", "Open", "open", "OPEN", 1),
    ("investigating", "Investigating", "open", "INVESTIGATING", 2),
    ("action_scheduled", "Action scheduled", "open", "ACTION_SCHEDULED", 3),
    ("in_progress", "In progress", "open", "IN_PROGRESS", 4),
    ("fixed", "Fixed", "fixed", "FIXED", 5),
    ("duplicate", "Duplicate", "closed", "DUPLICATE", 6),
    ("not_responsible", "Not for the partnership", "closed", "NOT_COUNCILS_RESPONSIBILITY", 7),
    ("no_further_action", "No further action", "closed", "NO_FURTHER_ACTION", 8),
    ("unable_to_fix", "Closed: not fixed", "closed", "UNABLE_TO_FIX", 9),
    ("internal_referral", "Referred on", "closed", "INTERNAL_REFERRAL", 10),
    ("closed", "Closed", "closed", "CLOSED", 11),
    ("hidden", "Removed", "hidden", "HIDDEN", 12),
]

TEMPLATES = {
    "open": "Thank you: your report has been received by {organisation}.",
    "investigating": "{organisation} is looking into your report.",
    "action_scheduled": "{organisation} has planned what to do about your report.",
    "in_progress": "{organisation} is working on it.",
    "fixed": "{organisation} has fixed the problem you reported.",
    "duplicate": "This problem was already reported; follow the earlier report for updates.",
    "not_responsible": "This is not something the partnership can deal with.",
    "no_further_action": "{organisation} has looked into your report and will take no further action.",
    "unable_to_fix": "{organisation} was not able to fix this problem, and has closed the report.",
    "internal_referral": "{organisation} has passed your report on to the organisation that deals with it.",
    "closed": "{organisation} has closed your report.",
}


def report_states_install(state_model, template_model) -> None:
    for code, name, kind, external, order in STATES:
        state_model.objects.get_or_create(code=code, defaults={"name": name, "kind": kind,
                                                               "external_status": external, "order": order})
    for code, text in TEMPLATES.items():
        template_model.objects.get_or_create(service=None, state_id=code, defaults={"text": text})
