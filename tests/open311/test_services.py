"""Discovery, the service list and a service's definition, in JSON and XML: a private service
(safeguarding) is never listed nor defined; another jurisdiction is not found."""

from tests.open311.conftest import BASE, answer, xml


def test_discovery_names_the_jurisdiction_and_both_formats(client, settings, world):
    found = answer(client.get(f"{BASE}discovery.json"))
    assert found["jurisdiction_id"] == settings.OPEN311_JURISDICTION
    assert found["endpoints"][0]["url"].endswith("/open311/v2")
    assert set(found["endpoints"][0]["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get(f"{BASE}discovery.xml"))
    assert root.tag == "discovery"
    assert [each.text for each in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_services_lists_the_public_active_services_only(client, services):
    services["litter"].active = False
    services["litter"].save()
    listed = answer(client.get(f"{BASE}services.json"))
    assert isinstance(listed, list)
    assert {service["service_code"] for service in listed} == {"fly-tipping", "drug-dealing"}
    fly = next(service for service in listed if service["service_code"] == "fly-tipping")
    assert fly == {"service_code": "fly-tipping", "service_name": "Fly tipping",
                   "description": "Rubbish dumped in the street or on open land", "metadata": True, "type": "realtime",
                   "keywords": "rubbish, dumped, waste", "group": "Streets and rubbish"}
    assert next(service for service in listed if service["service_code"] == "drug-dealing")["metadata"] is False


def test_services_in_xml(client, services):
    root = xml(client.get(f"{BASE}services.xml"))
    assert root.tag == "services"
    assert {service.findtext("service_code") for service in root.findall("service")} == {
        "fly-tipping", "litter", "drug-dealing"}
    fly = next(service for service in root.findall("service") if service.findtext("service_code") == "fly-tipping")
    assert fly.findtext("metadata") == "true"
    assert fly.findtext("type") == "realtime"
    assert b"safeguarding" not in client.get(f"{BASE}services.xml").content


def test_service_definition_every_datatype(client, services):
    found = answer(client.get(f"{BASE}services/fly-tipping.json"))
    assert found["service_code"] == "fly-tipping"
    attributes = {attribute["code"]: attribute for attribute in found["attributes"]}
    assert [attribute["code"] for attribute in found["attributes"]] == ["what", "bags", "seen", "hazards"]
    assert attributes["what"] == {
        "variable": True, "code": "what", "datatype": "singlevaluelist", "required": True, "datatype_description": "",
        "order": 1, "description": "What has been dumped?",
        "values": [{"key": "household", "name": "Household rubbish"}, {"key": "builders", "name": "Builders' waste"},
                   {"key": "garden", "name": "Garden waste"}]}
    assert {code: attribute["datatype"] for code, attribute in attributes.items()} == {
        "what": "singlevaluelist", "bags": "number", "seen": "datetime", "hazards": "multivaluelist"}


def test_service_definition_in_xml(client, services):
    root = xml(client.get(f"{BASE}services/fly-tipping.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "fly-tipping"
    what = root.find("attributes/attribute")
    assert what.findtext("code") == "what"
    assert what.findtext("variable") == "true"
    assert [value.findtext("key") for value in what.findall("values/value")] == ["household", "builders", "garden"]
    assert [value.findtext("name") for value in what.findall("values/value")][1] == "Builders' waste"


def test_a_private_or_unknown_service_is_not_defined(client, services):
    for code in ("safeguarding", "no-such-thing"):
        response = client.get(f"{BASE}services/{code}.json")
        assert response.status_code == 404
        assert answer(response)[0]["code"] == 404
    root = xml(client.get(f"{BASE}services/safeguarding.xml"))
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"


def test_another_jurisdiction_is_not_found(client, services):
    for path in ("discovery.json", "services.json", "services/fly-tipping.json", "requests.json"):
        response = client.get(f"{BASE}{path}", {"jurisdiction_id": "elsewhere.example"})
        assert response.status_code == 404
        assert answer(response) == [{"code": 404, "description": "jurisdiction_id not found"}]
    assert client.get(f"{BASE}services.json", {"jurisdiction_id": "riverford.example"}).status_code == 200


def test_an_unknown_format_is_not_found(client, services):
    for path in ("services.html", "services.csv", "requests.rss", "services/fly-tipping.yaml"):
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 404
        assert answer(response)[0]["code"] == 404


def test_answers_need_no_session_and_are_not_cached(client, services):
    response = client.get(f"{BASE}services.json")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert response["Cache-Control"] == "no-store"
