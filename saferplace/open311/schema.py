"""The OpenAPI 3 document of SaferPlace's Open311 GeoReport v2 API (its JSON format; the XML
answers carry the same fields under the specification's element names). Written by hand, kept
beside the views it describes (tests/open311/test_schema.py checks every path answers)."""

STRING = {"type": "string"}
NULLABLE_STRING = {"type": "string", "nullable": True}
MOMENT = {"type": "string", "format": "date-time"}
ERRORS = {"type": "array", "items": {"type": "object", "required": ["code", "description"],
                                      "properties": {"code": {"type": "integer"}, "description": STRING}}}


def _answer(description: str, schema: dict | None = None) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema or {"$ref": "#/components/schemas/Errors"}}}}


def _refused(*statuses: int) -> dict:
    words = {400: "What was sent is not valid", 403: "api_key missing, unknown or revoked, or not allowed this",
             404: "Not found (or another jurisdiction)", 429: "Too many requests"}
    return {str(status): _answer(words[status]) for status in statuses}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    # Every query parameter is read as absent when it is empty (`?start_date=` is no date).
    return {"name": name, "in": "query", "required": False, "allowEmptyValue": True, "description": description,
            "schema": schema or STRING}


def _path(name: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema or STRING}


JURISDICTION = _query("jurisdiction_id", "This partnership's jurisdiction (optional; another one is 404)")
PAGING = [_query("page", "Page, from 1", {"type": "integer", "minimum": 1, "maximum": 1000000}),
          _query("page_size", "Requests a page, at most 1000", {"type": "integer", "minimum": 1, "maximum": 1000})]
FLAG = {"type": "string", "enum": ["true", "false", "1", "0"]}
# What the URL patterns take (saferplace/open311/urls.py): no dot, no slash.
CODE, TOKEN = {"type": "string", "pattern": "^[^/.]{1,100}$"}, {"type": "string", "pattern": "^[^/.]{1,40}$"}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False, "description":
               "A retried POST with the same key and the same content gets the first answer again",
               "schema": {"type": "string", "minLength": 1, "maxLength": 100}}

REQUEST = {"type": "object", "properties": {
    "service_request_id": {"type": "integer"}, "status": {"type": "string", "enum": ["open", "closed"]},
    "status_notes": STRING, "service_name": STRING, "service_code": STRING, "description": STRING,
    "agency_responsible": STRING, "service_notice": STRING, "requested_datetime": MOMENT,
    "updated_datetime": MOMENT, "expected_datetime": {**MOMENT, "nullable": True}, "address": STRING,
    "address_id": NULLABLE_STRING, "zipcode": NULLABLE_STRING, "lat": {"type": "number"}, "long": {"type": "number"},
    "media_url": NULLABLE_STRING, "extended_attributes": {"type": "object"}}}
SERVICE = {"type": "object", "properties": {
    "service_code": STRING, "service_name": STRING, "description": STRING, "metadata": {"type": "boolean"},
    "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]}, "keywords": STRING, "group": STRING}}
ATTRIBUTE = {"type": "object", "properties": {
    "variable": {"type": "boolean"}, "code": STRING, "datatype": {"type": "string", "enum": [
        "string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
    "required": {"type": "boolean"}, "datatype_description": STRING, "order": {"type": "integer"},
    "description": STRING, "values": {"type": "array", "items": {"type": "object", "properties": {
        "key": STRING, "name": STRING}}}}}
UPDATE = {"type": "object", "properties": {
    "update_id": {"type": "integer"}, "service_request_id": {"type": "integer"}, "status": STRING,
    "updated_datetime": MOMENT, "description": STRING, "media_url": NULLABLE_STRING}}
DISCOVERY = {"type": "object", "properties": {
    "changeset": STRING, "contact": STRING, "key_service": STRING, "jurisdiction_id": STRING,
    "max_requests": {"type": "integer"}, "endpoints": {"type": "array", "items": {"type": "object"}}}}

REQUEST_FORM = {"type": "object", "required": ["api_key", "service_code", "lat", "long", "description"], "properties": {
    "api_key": STRING, "jurisdiction_id": STRING, "service_code": {"type": "string", "maxLength": 60},
    "lat": {"type": "number", "minimum": -90, "maximum": 90}, "long": {"type": "number", "minimum": -180, "maximum": 180},
    "address_string": {"type": "string", "maxLength": 200}, "email": {"type": "string", "maxLength": 254},
    "device_id": {"type": "string", "maxLength": 200}, "account_id": {"type": "string", "maxLength": 200},
    "first_name": {"type": "string", "maxLength": 200}, "last_name": {"type": "string", "maxLength": 200},
    "phone": {"type": "string", "maxLength": 40}, "description": {"type": "string", "maxLength": 5000},
    "media_url": {"type": "string", "maxLength": 500},
    "media": {"type": "array", "maxItems": 3, "items": {"type": "string", "format": "binary"}}},
    "additionalProperties": {"type": "string", "description": "attribute[CODE]=value; attribute[CODE][]=value"}}
UPDATE_FORM = {"type": "object", "required": ["api_key", "service_request_id", "description"], "properties": {
    "api_key": STRING, "jurisdiction_id": STRING, "service_request_id": {"type": "integer", "minimum": 1},
    "status": {"type": "string", "maxLength": 40, "description": "FixMyStreet's extended status, e.g. FIXED"},
    "description": {"type": "string", "maxLength": 2000}, "updated_datetime": MOMENT,
    "update_id": {"type": "string", "maxLength": 100}, "email": {"type": "string", "maxLength": 254},
    "first_name": {"type": "string", "maxLength": 150}, "last_name": {"type": "string", "maxLength": 150},
    "media_url": {"type": "string", "maxLength": 500}, "account_id": {"type": "string", "maxLength": 200}}}


def _list(schema_name: str) -> dict:
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{schema_name}"}}


def _get(summary: str, answer: dict, parameters: list, refused=(400, 404, 429)) -> dict:
    return {"get": {"summary": summary, "parameters": [JURISDICTION, *parameters],
                    "responses": {"200": _answer("OK", answer), **_refused(*refused)}}}


def _post(summary: str, form: dict, answer: dict) -> dict:
    encoded = {**form, "properties": {name: value for name, value in form["properties"].items() if name != "media"}}
    body = {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": encoded},
                                          "multipart/form-data": {"schema": form}}}
    return {"post": {"summary": summary, "parameters": [IDEMPOTENCY], "requestBody": body,
                     "responses": {"200": _answer("OK", answer), **_refused(400, 403, 404, 429)}}}


def openapi(server: str) -> dict:
    requests_filters = [
        _query("service_request_id", "Comma-separated ids (overrides the other filters)"),
        _query("service_code", "Comma-separated service codes"),
        _query("start_date", "Requested on or after (ISO 8601)", MOMENT),
        _query("end_date", "Requested on or before (ISO 8601)", MOMENT),
        _query("status", "open, closed, or open,closed"),
        _query("updated_after", "Updated on or after (ISO 8601)", MOMENT),
        _query("updated_before", "Updated on or before (ISO 8601)", MOMENT),
        *PAGING, _query("extensions", "true adds extended_attributes", FLAG),
    ]
    requests_path = _get("Public service requests (90 days and 1000 by default)", _list("Request"), requests_filters)
    requests_path.update(_post("Post a service request", REQUEST_FORM, {"type": "array", "items": {
        "type": "object", "properties": {"service_request_id": {"type": "integer"}, "token": STRING,
                                         "service_notice": STRING, "account_id": NULLABLE_STRING}}}))
    updates_path = _get("Updates of public requests", _list("Update"), [
        _query("start_date", "On or after (ISO 8601)", MOMENT), _query("end_date", "On or before (ISO 8601)", MOMENT),
        *PAGING])
    updates_path.update(_post("Post an update to a request", UPDATE_FORM, {"type": "array", "items": {
        "type": "object", "properties": {"update_id": {"type": "integer"}, "service_request_id": {"type": "integer"}}}}))
    return {
        "openapi": "3.0.3",
        "info": {"title": "SaferPlace Open311 GeoReport v2", "version": "2",
                 "description": "Open311 GeoReport v2 with FixMyStreet's extensions. JSON answers shown; every path "
                                "also answers .xml with the specification's element names."},
        "servers": [{"url": server}],
        "paths": {
            "/discovery.json": _get("Service discovery", {"$ref": "#/components/schemas/Discovery"}, []),
            "/services.json": _get("Services a resident may report", _list("Service"), []),
            "/services/{service_code}.json": _get("A service's questions", {"type": "object", "properties": {
                "service_code": STRING, "attributes": _list("Attribute")}}, [_path("service_code", CODE)]),
            "/requests.json": requests_path,
            "/requests/{service_request_id}.json": _get("One public request", _list("Request"), [
                _path("service_request_id", {"type": "integer", "minimum": 1}),
                _query("extensions", "true adds extended_attributes", FLAG)]),
            "/tokens/{token}.json": _get("The request a token stands for", {"type": "array", "items": {
                "type": "object", "properties": {"service_request_id": {"type": "integer"}, "token": STRING}}},
                [_path("token", TOKEN)]),
            "/servicerequestupdates.json": updates_path,
        },
        "components": {"schemas": {"Errors": ERRORS, "Request": REQUEST, "Service": SERVICE, "Attribute": ATTRIBUTE,
                                   "Update": UPDATE, "Discovery": DISCOVERY}},
    }
