"""Services, reports and updates as Open311 names their fields. A report is what is public about
it: never the resident's name, email or phone, nor the address they typed (the street and ward
SaferPlace found are its address); its photos are served through SaferPlace."""

from django.conf import settings
from django.urls import reverse

from saferplace.open311.formats import moment
from saferplace.reports.listing import Listed
from saferplace.reports.models import Service, ServiceAttribute

COORDINATE_PLACES = 6


def service(item: Service) -> dict:
    return {"service_code": item.code, "service_name": item.name, "description": item.description,
            "metadata": any(attribute.variable for attribute in item.attributes.all()), "type": "realtime",
            "keywords": item.keywords, "group": item.group}


def attribute(item: ServiceAttribute) -> dict:
    return {"variable": item.variable, "code": item.code, "datatype": item.datatype, "required": item.required,
            "datatype_description": item.datatype_description, "order": item.order, "description": item.description,
            "values": [{"key": str(value.get("key", "")), "name": str(value.get("name", ""))}
                       for value in item.values or [] if isinstance(value, dict)]}


def definition(item: Service) -> dict:
    return {"service_code": item.code, "attributes": [attribute(each) for each in item.attributes.all()]}


def photo_url(photo_id: int) -> str:
    return settings.PUBLIC_URL + reverse("open311:photo", kwargs={"photo_id": photo_id})


def _extended(listed: Listed) -> dict:
    report = listed.report
    answers = [{"code": code, "values": value} if isinstance(value, list) else {"code": code, "value": value}
               for code, value in (report.attributes or {}).items()]
    notes = [{"datetime": moment(update.at), "summary": update.state.name, "description": update.text,
              "type": "comment" if update.from_resident else "update", "status": update.state.external_status}
             for update in listed.updates]
    return {"title": f"{report.service.name}, {report.where}" if report.where else report.service.name,
            "detail": report.description, "comment_count": max(len(listed.updates) - 1, 0), "interface_used": report.channel,
            "supporters": report.supporters, "duplicate_of": report.duplicate_of_id,
            "external_status_code": report.state.external_status, "attributes": answers,
            "media_urls": [photo_url(photo_id) for photo_id in listed.photo_ids], "notes": notes}


def request(listed: Listed, *, extensions: bool = False) -> dict:
    report = listed.report
    media = photo_url(listed.photo_ids[0]) if listed.photo_ids else (report.media_url or None)
    answer = {
        "service_request_id": report.pk, "status": report.state.open311_status, "status_notes": listed.status_notes,
        "service_name": report.service.name, "service_code": report.service.code, "description": report.description,
        "agency_responsible": report.owning_organisation.name, "service_notice": "",
        "requested_datetime": moment(report.created_at), "updated_datetime": moment(report.updated_at),
        "expected_datetime": None, "address": report.where, "address_id": None, "zipcode": None,
        "lat": round(report.latitude, COORDINATE_PLACES), "long": round(report.longitude, COORDINATE_PLACES),
        "media_url": media,
    }
    if extensions:
        answer["extended_attributes"] = _extended(listed)
    return answer


def update(item) -> dict:
    return {"update_id": item.pk, "service_request_id": item.report_id, "status": item.state.external_status,
            "updated_datetime": moment(item.at), "description": item.text, "media_url": None}
