"""The OpenAPI document describes what answers: every path in it answers (in JSON and XML), and
every Open311 URL is in it."""

from django.urls import get_resolver

from tests.open311.conftest import BASE, answer


def test_the_document_is_openapi_3_with_every_endpoint(client, world):
    response = client.get(f"{BASE}openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "/open311/v2"}]  # wherever the server is
    assert set(document["paths"]) == {
        "/discovery.json", "/services.json", "/services/{service_code}.json", "/requests.json",
        "/requests/{service_request_id}.json", "/tokens/{token}.json", "/servicerequestupdates.json"}
    assert set(document["paths"]["/requests.json"]) == {"get", "post"}
    assert set(document["paths"]["/servicerequestupdates.json"]) == {"get", "post"}
    post = document["paths"]["/requests.json"]["post"]
    assert set(post["responses"]) == {"200", "400", "403", "404", "429"}
    names = {parameter["name"] for parameter in document["paths"]["/requests.json"]["get"]["parameters"]}
    assert names >= {"service_request_id", "service_code", "start_date", "end_date", "status", "updated_after",
                     "updated_before", "page", "page_size", "extensions", "jurisdiction_id"}


def test_every_path_answers_as_described(client, make_report):
    report = make_report()
    document = client.get(f"{BASE}openapi.json").json()
    values = {"{service_code}": "fly-tipping", "{service_request_id}": str(report.pk), "{token}": report.token}
    for path, operations in document["paths"].items():
        if "get" not in operations:
            continue
        for placeholder, value in values.items():
            path = path.replace(placeholder, value)
        for fmt in ("json", "xml"):
            response = client.get(f"{BASE}{path[1:].removesuffix('.json')}.{fmt}")
            assert response.status_code == 200, path
        assert isinstance(answer(client.get(f"{BASE}{path[1:]}")), dict | list)


def test_every_open311_url_is_documented():
    resolver = get_resolver()
    open311 = next(pattern for pattern in resolver.url_patterns if str(pattern.pattern) == "open311/v2/")
    names = {pattern.name for pattern in open311.url_patterns}
    assert names == {"openapi", "photo", "discovery", "services", "service", "requests", "request", "token",
                     "updates", "not_found"}
