"""Two unmodified Open311 client libraries from PyPI, pointed at a running SaferPlace (pytest-django's
`live_server`): georeport (JSON or XML, reads only) and civicbot (JSON, reads and posts), and what
their XML answers look like once xmltodict has read them, made comparable with the JSON ones."""

from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from django.conf import settings
from georeport import GeoReport


def base_url(live_server) -> str:
    return f"{live_server.url}/open311/v2"


def georeport(live_server, fmt: str) -> GeoReport:
    return GeoReport(base_url(live_server), jurisdiction=settings.OPEN311_JURISDICTION, output_format=fmt)


def civicbot(live_server) -> Open311Client:
    endpoint = Endpoint(id="saferplace", name="SaferPlace", base_url=base_url(live_server), write=True)
    # No pause between calls to one host (civicbot's politeness default is half a second).
    return Open311Client(endpoint, transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0)),
                         jurisdiction_id=settings.OPEN311_JURISDICTION)


def items(value) -> list:
    """An XML list as xmltodict gives it: one child is a dict, several a list, none None."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_xml_text(value):
    """A JSON value as it reads in XML: text, `true`/`false`, and no text (None) for null or ''."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flat_as_xml(record: dict) -> dict:
    """A JSON object of plain values (a request, a service) as its XML element reads."""
    return {name: as_xml_text(value) for name, value in record.items()}


def definition_as_xml(definition: dict) -> dict:
    """A JSON service definition as xmltodict reads its XML (`attributes/attribute/values/value`)."""
    attributes = []
    for attribute in definition["attributes"]:
        values = [flat_as_xml(value) for value in attribute["values"]]
        flat = flat_as_xml({name: value for name, value in attribute.items() if name != "values"})
        attributes.append({**flat, "values": values})
    return {"service_code": definition["service_code"], "attributes": attributes}


def xml_definition(parsed: dict) -> dict:
    """georeport's XML service definition with each list made a list."""
    attributes = []
    for attribute in items((parsed.get("attributes") or {}).get("attribute")):
        values = [dict(value) for value in items((attribute.get("values") or {}).get("value"))]
        attributes.append({**dict(attribute), "values": values})
    return {"service_code": parsed["service_code"], "attributes": attributes}
