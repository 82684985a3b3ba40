"""The public conventions of shared/DESIGN.md §5 hold from the first endpoint on."""

import pytest


def test_an_unknown_api_path_answers_json_404(api_as, personas):
    response = api_as(personas.owner).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_wrong_method_answers_405_in_the_error_shape(api_as, personas):
    response = api_as(personas.owner).delete("/api/v1/mechanisms/")
    assert response.status_code == 405
    assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("path", ["/api/v1/regions/", "/api/v1/mechanisms/"])
def test_every_list_is_paginated(api_as, personas, path):
    body = api_as(personas.owner).get(path, {"page_size": 5}).json()
    assert {"count", "next", "previous", "results"} <= set(body)
    assert len(body["results"]) == 5


def test_a_bad_page_answers_404_in_the_error_shape(api_as, personas):
    response = api_as(personas.owner).get("/api/v1/regions/", {"page": 999})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_openapi_schema_is_served(api_as, personas):
    response = api_as(personas.owner).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/auth/token/" in response.json()["paths"]


def test_the_api_docs_load_their_assets_locally(client, personas):
    client.force_login(personas.owner)
    body = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert "cdn" not in body.lower()
