"""Open311 answers in JSON or XML, shaped as GeoReport v2 shapes them: a JSON list is a top-level
array; in XML a list is an element holding one child per item, named as the specification names
it (services/service, service_requests/request, errors/error, …). XML is built with ElementTree
(which escapes), after the characters XML 1.0 cannot carry are removed."""

import json
import re
from datetime import datetime
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# A list's element name → the name of each item's element.
ITEMS = {
    "services": "service", "attributes": "attribute", "values": "value", "service_requests": "request",
    "errors": "error", "service_request_updates": "request_update", "endpoints": "endpoint", "formats": "format",
    "notes": "note", "media_urls": "media_url", "answers": "answer",
}
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def moment(value: datetime | None) -> str | None:
    """ISO 8601 with the offset, to the second: 2026-11-28T09:30:00+00:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, value) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _fill(ElementTree.SubElement(element, name), item)
    elif isinstance(value, list | tuple):
        item_name = ITEMS.get(element.tag, "item")
        for item in value:
            _fill(ElementTree.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def as_xml(root: str, data) -> str:
    element = ElementTree.Element(root)
    _fill(element, data)
    return DECLARATION + ElementTree.tostring(element, encoding="unicode")


def render(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """`data` (a list, or a dict for discovery and a service definition) as `fmt`; `root` is the
    XML root element's name."""
    if fmt == "xml":
        body = as_xml(root, data)
    else:
        fmt = "json"
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    """Open311's error answer: a list of one {code, description}."""
    return render(fmt if fmt in FORMATS else "json", "errors", [{"code": status, "description": description}],
                  status=status)
