"""An update an Open311 client posts to a report (FixMyStreet's POST servicerequestupdates).

A partner's key (`ApiKey.organisation`) speaks for that partner: its status (FixMyStreet's
extended status, e.g. ACTION_SCHEDULED, FIXED, NO_FURTHER_ACTION) moves the partner's own report
to the state of that external status, with the description as the message the resident reads;
the same status is a message alone. Another partner's report is not found.

Any other key speaks for a resident: it may add a comment to a public report (or to one it
made), or say a fixed problem it made is still there (status OPEN or REOPEN on a fixed report);
nothing else. What the client says of the person (email, name) is checked but not kept: the update is
public, and the resident is "A resident"."""

from django.db import transaction
from django.utils import timezone

from saferplace.errors import NotAllowed, NotFound
from saferplace.history import record_change
from saferplace.partners import access
from saferplace.reports.checks import email_checked, media_url_checked, text_checked
from saferplace.reports.keys import key_viewer
from saferplace.reports.models import (
    ApiKey,
    Report,
    ReportEventKind,
    ReportState,
    ReportUpdate,
    StateKind,
)
from saferplace.reports.services import (
    MESSAGE_MOST,
    report_comment,
    report_reopen,
    report_state_set,
)

REOPENING = {"OPEN", "REOPEN"}
NAME_MOST, CLIENT_ID_MOST = 150, 100


def _status(value: str) -> str:
    return str(value or "").strip().upper().replace(" ", "_")[:40]


def _checked_person(email: str, first_name: str, last_name: str, media_url: str) -> None:
    """What the client said of the person and a photo: checked (a client hears what is wrong),
    not kept."""
    text_checked(first_name, what="first_name", most=NAME_MOST)
    text_checked(last_name, what="last_name", most=NAME_MOST)
    email_checked(email, what="email")
    media_url_checked(media_url)


def _latest(report: Report) -> ReportUpdate:
    return ReportUpdate.objects.filter(report=report).select_related("state").order_by("-at", "-id").first()


def _state_for(status: str) -> ReportState:
    for state in ReportState.objects.all():
        if _status(state.external_status) == status:
            return state
    known = ", ".join(sorted(ReportState.objects.values_list("external_status", flat=True)))
    raise ValueError(f"status: one of {known}")


def _as_partner(api_key: ApiKey, report_id: int, status: str, text: str, context: dict) -> ReportUpdate:
    viewer = key_viewer(api_key, **context)
    report = Report.objects.select_related("state").filter(pk=report_id).first()
    # Another partner's report is not found before anything is read of it (its state included).
    if report is None or not (access.allows(viewer, report) and access.can(viewer, "reports.triage", report)):
        raise NotFound("There is no such report.", record_type="reports.report", record_id=report_id)
    state = _state_for(status) if status else report.state
    if state.pk == report.state_id:
        if not text:
            raise ValueError("description: say what the update is")
        return report_comment(viewer=viewer, report=report, text=text)
    report_state_set(viewer=viewer, report=report, state=state, text=text)
    return _latest(report)


def _as_resident(api_key: ApiKey, report_id: int, status: str, text: str, note: str, viewer) -> ReportUpdate:
    report = Report.objects.select_for_update().select_related("state").filter(pk=report_id).first()
    visible = report is not None and report.state.kind != StateKind.HIDDEN and (
        report.is_public or report.api_key_id == api_key.pk)
    if not visible:
        raise NotFound("There is no such report.", record_type="reports.report", record_id=report_id)
    if not text:
        raise ValueError("description: say what the update is")
    if status in REOPENING and report.state.kind == StateKind.FIXED:
        if report.api_key_id != api_key.pk:  # the key is in every copy of an app: no one's reference
            raise NotAllowed("This key reopens only the reports made through it; the resident reopens any other "
                             "with their reference, on the report's page.")
        report_reopen(viewer=viewer, report=report, token=report.token, text=text)
        return _latest(report)
    if status and status not in REOPENING and status != _status(report.state.external_status):
        raise NotAllowed("This key may add a comment, or reopen a fixed report (status OPEN); only the partner "
                         "handling the report changes its status.")
    record_change(viewer=viewer, record=report, kind=ReportEventKind.COMMENT, note=note or text,
                  values={"updated_at": timezone.now()}, always=True)
    return ReportUpdate.objects.create(report=report, state=report.state, text=text, by="A resident",
                                       from_resident=True)


@transaction.atomic
def report_client_update(*, viewer, api_key: ApiKey, report_id: int, status: str = "", description: str = "",
                         client_update_id: str = "", email: str = "", first_name: str = "", last_name: str = "",
                         media_url: str = "") -> ReportUpdate:
    """The update the client `api_key` posts on report `report_id`; `viewer` is the resident's
    viewer (for a key that is not a partner's). Returns the update made (its id is Open311's
    update_id)."""
    text = text_checked(description, what="description", most=MESSAGE_MOST)
    client_update_id = text_checked(client_update_id, what="update_id", most=CLIENT_ID_MOST)
    _checked_person(email, first_name, last_name, media_url)
    status = _status(status)
    note = f"{text}\n(the client's update {client_update_id})" if client_update_id else ""
    if api_key.organisation_id:
        context = {"address": viewer.context.address, "user_agent": viewer.context.user_agent}
        return _as_partner(api_key, report_id, status, text, context)
    return _as_resident(api_key, report_id, status, text, note, viewer)
