"""Plots through the API: the geometry rules as an integrator meets them (400 with the field
named), verification, the plots of origin of a reception, deletion kept back by receptions
and by the five-year retention, imports, and who sees which plot."""

import json
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.eudr.geometry import geojson_dumps
from erp.eudr.models import Plot, PlotStatus
from erp.eudr.services import plots_retain

from .helpers import evidence_file, plot, reception_from, square

PLOTS = "/api/v1/eudr/plots/"


def post_json(client, url: str, text: str, method: str = "post"):
    """JSON sent as written: a test client's encoder would turn -79.100000 into -79.1."""
    return getattr(client, method)(url, data=text, content_type="application/json")


def plot_body(world, geometry: str, area="2.5", **fields) -> str:
    values = {"supplier": world.partners["supplier"].pk, "name": "Finca El Cisne", "area_ha": area, **fields}
    body = json.dumps(values)
    return body[:-1] + f', "geometry": {geometry}}}'


POINT_6 = '{"type": "Point", "coordinates": [-79.100000, -1.523456]}'


def test_a_point_written_with_six_decimals_is_kept_and_given_back_with_them(erp_a):
    response = post_json(erp_a.client("admin"), PLOTS, plot_body(erp_a, POINT_6))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["geometry_kind"] == "Point" and answer["status"] == "pending"
    assert (answer["centroid_lon"], answer["centroid_lat"]) == ("-79.100000", "-1.523456")
    assert answer["code"].startswith("PL-")
    geojson = erp_a.client("admin").get(f"{PLOTS}geojson/").content.decode()
    assert "[-79.100000,-1.523456]" in geojson


def test_geometry_mistakes_answer_400_naming_the_field(erp_a):
    client = erp_a.client("admin")
    five = '{"type": "Point", "coordinates": [-79.10000, -1.52345]}'
    response = post_json(client, PLOTS, plot_body(erp_a, five))
    assert response.status_code == 400 and "geometry" in response.json()
    big_point = post_json(client, PLOTS, plot_body(erp_a, POINT_6, area="4.01"))
    assert big_point.status_code == 400 and "geometry" in big_point.json()
    swapped = '{"type": "Point", "coordinates": [-1.523456, -79.100000]}'
    assert post_json(client, PLOTS, plot_body(erp_a, swapped)).status_code == 400
    assert post_json(client, PLOTS, plot_body(erp_a, '"here"')).status_code == 400
    assert post_json(client, PLOTS, plot_body(erp_a, POINT_6, area="0")).status_code == 400
    assert post_json(client, PLOTS, '{"supplier": ').status_code == 400  # not JSON at all
    with tenant_context(erp_a.company):
        assert not Plot.objects.exists()


def test_a_polygon_above_four_hectares_is_measured_against_the_declared_area(erp_a):
    nine_ha = geojson_dumps(square(side_m=300)).decode()
    client = erp_a.client("admin")
    refused = post_json(client, PLOTS, plot_body(erp_a, nine_ha, area="15"))
    assert refused.status_code == 400 and "area_ha" in refused.json()
    created = post_json(client, PLOTS, plot_body(erp_a, nine_ha, area="9"))
    assert created.status_code == 201, created.content
    assert Decimal(created.json()["measured_area_ha"]) == pytest.approx(Decimal("9"), abs=Decimal("0.05"))


def test_verifying_needs_the_declaration_and_evidence_and_a_change_sends_it_back(erp_a):
    client = erp_a.client("admin")
    with tenant_context(erp_a.company):
        made = plot(erp_a)
    url = f"{PLOTS}{made.pk}/"
    assert client.post(f"{url}status/", {"status": "verified"}, format="json").status_code == 400
    client.patch(url, {"deforestation_free": True}, format="json")
    refused = client.post(f"{url}status/", {"status": "verified"}, format="json")
    assert refused.status_code == 400 and "evidencia" in refused.json()["status"][0]
    upload = client.post(
        f"{url}evidence/", {"kind": "land_title", "title": "Escritura", "file": evidence_file()}
    )
    assert upload.status_code == 201, upload.content
    assert client.post(f"{url}status/", {"status": "verified"}, format="json").json()["verified"] is True
    assert client.get(upload.json()["file_url"]).status_code == 200
    moved = post_json(
        client, url, '{"geometry": {"type": "Point", "coordinates": [-79.200000, -1.523456]}}', "patch"
    )
    assert moved.status_code == 200 and moved.json()["status"] == PlotStatus.PENDING
    assert client.post(f"{url}status/", {"status": "rejected"}, format="json").status_code == 400  # no reason


def test_a_reception_names_plots_of_its_own_supplier_only(erp_a):
    with tenant_context(erp_a.company):
        own, other = plot(erp_a), plot(erp_a, supplier="supplier2", name="Finca Vecina")
        reception = reception_from(erp_a, [])
    url = f"/api/v1/eudr/receptions/{reception.pk}/plots/"
    center = erp_a.client("center")
    assert center.put(url, {"plots": [other.pk]}, format="json").status_code == 400
    answer = center.put(url, {"plots": [own.pk]}, format="json")
    assert answer.status_code == 200 and [p["code"] for p in answer.json()["plots"]] == [own.code]
    assert erp_a.client("supplier").put(url, {"plots": []}, format="json").status_code == 403
    assert erp_a.client("supplier").get(url).json()["plots"][0]["code"] == own.code


def test_a_plot_named_by_a_reception_or_kept_by_a_statement_is_not_deleted(erp_a):
    client = erp_a.client("admin")
    with tenant_context(erp_a.company):
        used, kept, free = plot(erp_a), plot(erp_a, name="Kept"), plot(erp_a, name="Free")
        reception_from(erp_a, [used])
        plots_retain(plots=[kept])
    assert client.delete(f"{PLOTS}{used.pk}/").status_code == 400
    refused = client.delete(f"{PLOTS}{kept.pk}/")
    assert refused.status_code == 400 and "se conserva hasta" in refused.json()["plot"][0]
    assert client.delete(f"{PLOTS}{free.pk}/").status_code == 204
    with tenant_context(erp_a.company):
        kept.refresh_from_db()
        assert kept.retain_until.year == timezone.localdate().year + 5
        with pytest.raises(DatabaseError, match="kept until"), transaction.atomic():  # the database itself
            Plot.objects.filter(pk=kept.pk).delete()
        assert Plot.objects.filter(pk=kept.pk).exists()


def test_an_import_creates_every_plot_or_none_and_says_which_rows_are_wrong(erp_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = erp_a.client("admin")
    supplier = erp_a.partners["supplier"]
    good = (
        "code;name;area_ha;longitude;latitude\n"
        "A1;Finca Norte;1,5;-79,512345;-1,512345\n"
        "B2;Finca Sur;2;-79,612345;-1,612345\n"
    )
    bad = good + "C3;Finca Rota;3;-79,61;-1,61\n"
    csv = lambda text: SimpleUploadedFile("fincas.csv", text.encode(), content_type="text/csv")  # noqa: E731
    refused = client.post(f"{PLOTS}import/", {"file": csv(bad), "supplier": supplier.pk})
    assert refused.status_code == 400 and any("Finca Rota" in m for m in refused.json()["file"])
    with tenant_context(erp_a.company):
        assert not Plot.objects.exists()
    created = client.post(f"{PLOTS}import/", {"file": csv(good), "supplier": supplier.pk})
    assert created.status_code == 201, created.content
    assert sorted(p["name"] for p in created.json()) == ["Finca Norte", "Finca Sur"]
    assert erp_a.client("center").post(f"{PLOTS}import/", {"file": csv(good)}).status_code == 403


def test_each_partner_sees_the_plots_it_may_and_another_company_none(erp_a, erp_b):
    with tenant_context(erp_a.company):
        own, other = plot(erp_a), plot(erp_a, supplier="supplier2", name="Finca Vecina")
    codes = lambda role: {p["code"] for p in erp_a.client(role).get(PLOTS).json()["results"]}  # noqa: E731
    assert codes("admin") == {own.code, other.code}
    assert codes("supplier") == {own.code}
    assert codes("center") == set()  # no reception from them yet
    with tenant_context(erp_a.company):
        reception_from(erp_a, [own])
    assert codes("center") == {own.code}
    assert erp_a.client("supplier").get(f"{PLOTS}{other.pk}/").status_code == 404
    supplier_post = post_json(
        erp_a.client("supplier"), PLOTS, plot_body(erp_a, POINT_6, supplier=erp_a.partners["supplier2"].pk)
    )
    assert supplier_post.status_code == 400 and "supplier" in supplier_post.json()
    assert erp_b.client("admin").get(f"{PLOTS}{own.pk}/").status_code == 404
    token_a = erp_a.client("admin")
    token_a.defaults["HTTP_HOST"] = erp_b.host
    assert token_a.get(PLOTS).status_code == 401
