"""Service requests: a client posts one (a resident's report) with its API key, and anyone reads
public ones, filtered and paged, one by its id, or the id a token stands for."""

import re

from saferplace.errors import NotFound
from saferplace.interfaces import client_address
from saferplace.open311 import params, serialise
from saferplace.open311.common import endpoint
from saferplace.open311.formats import render
from saferplace.reports.listing import public_listed_get, public_listing
from saferplace.reports.public import resident_viewer
from saferplace.reports.selectors import (
    LIST_MOST,
    PublicFilters,
    report_id_for_token,
    service_for_report,
)
from saferplace.reports.services import DESCRIPTION_MOST, message_for, report_create

ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,60})\](\[\])?")
ATTRIBUTES_MOST, ANSWER_MOST, FIELD_MOST = 100, 5000, 200
PAGES_MOST = 1_000_000


def _answers(data) -> dict[str, str | list[str]]:
    """attribute[code]=value, and attribute[code][]=value repeated for a list of values."""
    answers: dict[str, str | list[str]] = {}
    for name, values in data.lists():
        found = ATTRIBUTE.fullmatch(name)
        if not found:
            continue
        if len(answers) >= ATTRIBUTES_MOST or any(len(value) > ANSWER_MOST for value in values):
            raise params.bad(f"attribute: at most {ATTRIBUTES_MOST} answers of {ANSWER_MOST} characters")
        answers[found.group(1)] = list(values) if found.group(2) else values[-1]
    return answers


def _point(data) -> tuple[str, str]:
    latitude, longitude = params.text(data, "lat", most=40), params.text(data, "long", most=40)
    if not (latitude and longitude):
        if params.text(data, "address_string", most=FIELD_MOST):
            raise params.bad("lat and long are required: SaferPlace places a report by its point on the map, "
                             "not by address_string alone")
        raise params.bad("lat and long are required, e.g. lat=52.5725&long=-0.2403")
    return latitude, longitude


@endpoint(method="POST")
def request_create(request, fmt, api_key):
    data = request.POST
    service_code = params.text(data, "service_code", most=params.CODE_MOST, required=True)
    latitude, longitude = _point(data)
    for name in ("device_id", "account_id"):
        params.text(data, name, most=FIELD_MOST)
    name = " ".join(part for part in (params.text(data, "first_name", most=FIELD_MOST),
                                      params.text(data, "last_name", most=FIELD_MOST)) if part)
    try:
        service = service_for_report(service_code)
    except NotFound as error:
        raise params.bad("service_code: there is no such service; the list is at services.json") from error
    report = report_create(
        viewer=resident_viewer(address=client_address(request), user_agent=request.headers.get("User-Agent", "")[:300],
                               client=api_key.name),
        service=service, latitude=latitude, longitude=longitude,
        description=params.text(data, "description", most=DESCRIPTION_MOST),
        address=params.text(data, "address_string", most=FIELD_MOST), answers=_answers(data), name=name,
        email=params.text(data, "email", most=254), phone=params.text(data, "phone", most=40),
        anonymous=not name, photos=request.FILES.getlist("media"), media_url=params.text(data, "media_url", most=500),
        api_key=api_key)
    return render(fmt, "service_requests", [{"service_request_id": report.pk, "token": report.token,
                                             "service_notice": message_for(report, report.state), "account_id": None}])


@endpoint()
def requests_list(request, fmt):
    data = request.GET
    page_size = params.integer(data, "page_size", least=1, most=LIST_MOST, default=LIST_MOST)
    page = params.integer(data, "page", least=1, most=PAGES_MOST, default=1)
    ids = params.ids(data)
    filters = PublicFilters(ids=ids) if ids else PublicFilters(
        service_codes=params.codes(data), start=params.moment(data, "start_date"), end=params.moment(data, "end_date"),
        statuses=params.statuses(data), updated_after=params.moment(data, "updated_after"),
        updated_before=params.moment(data, "updated_before"))
    extensions = params.flag(data, "extensions")
    listed = public_listing(filters, offset=(page - 1) * page_size, limit=page_size, details=extensions)
    return render(fmt, "service_requests", [serialise.request(item, extensions=extensions) for item in listed])


@endpoint()
def request_get(request, fmt, report_id):
    try:
        number = params.record_id(report_id)
    except params.Open311Error:
        raise params.Open311Error(404, "service_request_id not found") from None
    extensions = params.flag(request.GET, "extensions")
    return render(fmt, "service_requests", [serialise.request(public_listed_get(number), extensions=extensions)])


@endpoint()
def token_get(request, fmt, token):
    token = str(token)[:40]
    return render(fmt, "service_requests", [{"service_request_id": report_id_for_token(token), "token": token}])
