"""Service request updates (FixMyStreet's extension): anyone reads the updates of public reports;
a client posts one with its API key (a partner's key moves its own reports through their
states; any other key adds a resident's comment, or reopens a fixed report)."""

from saferplace.interfaces import client_address
from saferplace.open311 import params, serialise
from saferplace.open311.common import endpoint
from saferplace.open311.formats import render
from saferplace.reports.client_updates import report_client_update
from saferplace.reports.public import resident_viewer
from saferplace.reports.selectors import LIST_MOST, public_updates_between

PAGES_MOST = 1_000_000


@endpoint()
def updates_list(request, fmt):
    data = request.GET
    page_size = params.integer(data, "page_size", least=1, most=LIST_MOST, default=LIST_MOST)
    page = params.integer(data, "page", least=1, most=PAGES_MOST, default=1)
    updates = public_updates_between(start=params.moment(data, "start_date"), end=params.moment(data, "end_date"),
                                     offset=(page - 1) * page_size, limit=page_size)
    return render(fmt, "service_request_updates", [serialise.update(update) for update in updates])


@endpoint(method="POST")
def update_create(request, fmt, api_key):
    data = request.POST
    report_id = params.record_id(params.text(data, "service_request_id", most=20, required=True))
    params.moment(data, "updated_datetime")
    params.text(data, "account_id", most=200)
    update = report_client_update(
        viewer=resident_viewer(address=client_address(request), user_agent=request.headers.get("User-Agent", "")[:300],
                               client=api_key.name),
        api_key=api_key, report_id=report_id, status=params.text(data, "status", most=40),
        description=params.text(data, "description", most=5000), client_update_id=params.text(data, "update_id", most=100),
        email=params.text(data, "email", most=254), first_name=params.text(data, "first_name", most=150),
        last_name=params.text(data, "last_name", most=150), media_url=params.text(data, "media_url", most=500))
    return render(fmt, "service_request_updates", [{"update_id": update.pk, "service_request_id": report_id}])
