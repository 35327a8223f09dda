def test_world_builds(erp_a, erp_b):
    response = erp_a.client("admin").get("/api/v1/contracts/")
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 2
    assert erp_a.client("supplier").get("/api/v1/lots/").json()["count"] == 1
