"""The EUDR pages: who may open each one (the roles of the API action it mirrors, 404 for a plot
the user does not see), the plot form keeping six decimals and showing GeoJSON mistakes on the
field, imports, verification with evidence, deletion kept back, the lot's and the reception's
sections, another company, the license module and the page in English."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from erp.eudr.models import Plot, PlotStatus
from erp.reception.models import Reception
from master.licensing.models import Module
from tests.erp.web.conftest import page_client

from .helpers import evidence_file, plot, reception_from

ROLES = ["admin", "exporter", "center", "supplier"]
PLOTS = "/eudr/plots/"
POINT_6 = '{"type": "Point", "coordinates": [-79.100000, -1.523456]}'


def codes(admin, exporter, center, supplier):
    return dict(zip(ROLES, (admin, exporter, center, supplier), strict=True))


EVERYONE, COMPANY_SIDE = codes(200, 200, 200, 200), codes(200, 200, 403, 403)
SEEN_BY_COMPANY = codes(200, 200, 404, 404)
PAGES = [
    (PLOTS, EVERYONE),
    (f"{PLOTS}new/", EVERYONE),
    (f"{PLOTS}import/", COMPANY_SIDE),
    (f"{PLOTS}{{own}}/", EVERYONE),  # the center received from its supplier
    (f"{PLOTS}{{own}}/edit/", EVERYONE),
    (f"{PLOTS}{{other}}/", SEEN_BY_COMPANY),
    (f"{PLOTS}{{other}}/edit/", SEEN_BY_COMPANY),
    ("/eudr/evidence/{evidence}/file/", EVERYONE),
    ("/api/v1/eudr/plots/geojson/", EVERYONE),  # the list's download link, with the session login
    ("/receptions/{reception}/", EVERYONE),
]
# Actions the center and the supplier may not take: the company side's (a supplier may not set
# a reception's plots either).
REFUSED_POSTS = [
    (f"{PLOTS}{{own}}/status/", {"status": "pending"}, ("center", "supplier")),
    (f"{PLOTS}{{other}}/delete/", {}, ("center", "supplier")),
    ("/eudr/evidence/{evidence}/delete/", {}, ("center", "supplier")),
    (f"{PLOTS}import/", {}, ("center", "supplier")),
    ("/eudr/receptions/{reception}/plots/", {"plots": "{own}"}, ("supplier",)),
]


@pytest.fixture
def objects(erp_a):
    """The supplier's verified plot (with evidence) named by a reception at the center, so the
    center sees it; a plot of the second supplier nobody but the company side sees."""
    with tenant_context(erp_a.company):
        own = plot(erp_a, verified=True)
        other = plot(erp_a, supplier="supplier2", name="Finca Vecina")
        reception = reception_from(erp_a, [own])
        return {
            "own": own.pk,
            "other": other.pk,
            "evidence": own.evidence.get().pk,
            "reception": reception.pk,
            "lot": reception.lot_id,
        }


def test_each_page_opens_for_its_roles_only(erp_a, objects):
    clients = {role: page_client(erp_a, role) for role in ROLES}
    for page, expected in PAGES:
        url = page.format(**objects)
        for role in ROLES:
            status = clients[role].get(url).status_code
            assert status == expected[role], f"{url} as {role}: {status}"
    for page, data, refused in REFUSED_POSTS:
        body = {key: value.format(**objects) for key, value in data.items()}
        for role in refused:
            assert clients[role].post(page.format(**objects), body).status_code == 403, (page, role)
    assert page_client(erp_a, None).get(PLOTS).status_code == 302  # to the login


def test_another_companys_user_gets_404_for_a_plot(erp_a, erp_b, objects):
    assert page_client(erp_b, "admin").get(f"{PLOTS}{objects['own']}/").status_code == 404


def english_client(world, role: str):
    """A client of a user who chose English: messages are checked in the words of their msgid."""
    with tenant_context(world.company):
        world.users[role].language = "en"
        world.users[role].save(update_fields=["language"])
    return page_client(world, role)


def _plot_form(world, geometry: str = POINT_6, **changes) -> dict:
    return {
        "supplier": world.partners["supplier"].pk,
        "name": "Finca El Cisne",
        "area_ha": "2,5",  # the Spanish decimal comma
        "geometry": geometry,
        "deforestation_free": "on",
        **changes,
    }


def test_a_plot_made_through_the_form_keeps_six_decimals(erp_a):
    supplier = page_client(erp_a, "supplier")
    response = supplier.post(f"{PLOTS}new/", _plot_form(erp_a))
    with tenant_context(erp_a.company):
        made = Plot.objects.get()
    assert response.status_code == 302 and response.url == f"{PLOTS}{made.pk}/"
    assert (str(made.centroid_lon), str(made.centroid_lat)) == ("-79.100000", "-1.523456")
    assert str(made.area_ha) == "2.5000"
    assert made.deforestation_free and made.status == PlotStatus.PENDING
    assert "[-79.100000,-1.523456]" in supplier.get(f"{PLOTS}{made.pk}/").content.decode()
    listed = supplier.get(PLOTS).content.decode()
    assert made.code in listed and "2,50 ha" in listed and "<svg" in listed
    assert "[-79.100000,-1.523456]" in supplier.get("/api/v1/eudr/plots/geojson/").content.decode()


def test_geojson_mistakes_are_shown_on_the_geometry_field_and_nothing_is_saved(erp_a):
    admin = page_client(erp_a, "admin")
    broken = admin.post(f"{PLOTS}new/", _plot_form(erp_a, '{"type": "Point", "coordinates": [-79.1'))
    assert broken.status_code == 200
    assert "JSON válido" in broken.context["form"].errors["geometry"][0]
    five = '{"type": "Point", "coordinates": [-79.10000, -1.52345]}'
    short = admin.post(f"{PLOTS}new/", _plot_form(erp_a, five))
    assert len(short.context["form"].errors["geometry"]) == 2  # one message for each coordinate
    assert 'class="error"' in short.content.decode()
    big_point = admin.post(f"{PLOTS}new/", _plot_form(erp_a, area_ha="4,01"))
    assert "polígono" in big_point.context["form"].errors["geometry"][0]
    foreign = page_client(erp_a, "supplier").post(
        f"{PLOTS}new/", _plot_form(erp_a, supplier=erp_a.partners["supplier2"].pk)
    )
    assert foreign.context["form"].errors["supplier"]  # not among a supplier's choices
    with tenant_context(erp_a.company):
        assert not Plot.objects.exists()


def test_an_edit_that_moves_the_plot_sends_it_back_to_pending(erp_a, objects):
    moved = '{"type": "Point", "coordinates": [-79.200000, -1.523456]}'
    form = _plot_form(erp_a, moved, name="Finca La Esperanza", area_ha="2")
    del form["supplier"]
    assert page_client(erp_a, "supplier").post(f"{PLOTS}{objects['own']}/edit/", form).status_code == 302
    with tenant_context(erp_a.company):
        edited = Plot.objects.get(pk=objects["own"])
    assert (str(edited.centroid_lon), edited.status) == ("-79.200000", PlotStatus.PENDING)


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("fincas.csv", text.encode(), content_type="text/csv")


def test_the_import_page_creates_every_plot_of_a_csv_or_lists_the_wrong_rows(erp_a):
    good = (
        "code;name;area_ha;longitude;latitude\n"
        "A1;Finca Norte;1,5;-79,512345;-1,512345\n"
        "B2;Finca Sur;2;-79,612345;-1,612345\n"
    )
    bad = good + "C3;Finca Rota;3;-79,61;-1,61\n"
    admin, supplier = english_client(erp_a, "admin"), erp_a.partners["supplier"].pk
    refused = admin.post(f"{PLOTS}import/", {"file": _csv(bad), "supplier": supplier})
    assert refused.status_code == 200
    problems = refused.context["form"].errors["file"]
    assert problems and all("Finca Rota" in message for message in problems)
    assert "Finca Rota" in refused.content.decode()
    with tenant_context(erp_a.company):
        assert not Plot.objects.exists()
    created = admin.post(f"{PLOTS}import/", {"file": _csv(good), "supplier": supplier}, follow=True)
    assert created.redirect_chain[-1][0] == PLOTS
    with tenant_context(erp_a.company):
        assert sorted(Plot.objects.values_list("name", flat=True)) == ["Finca Norte", "Finca Sur"]
    assert [str(m) for m in created.context["messages"]] == ["2 plots imported."]


def test_the_verification_form_needs_evidence_and_a_reason_to_reject(erp_a):
    with tenant_context(erp_a.company):
        declared = plot(erp_a, verified=False)
        Plot.objects.filter(pk=declared.pk).update(deforestation_free=True)
    url = f"{PLOTS}{declared.pk}/"
    exporter = page_client(erp_a, "exporter")
    refused = exporter.post(f"{url}status/", {"status": "verified"})
    assert refused.status_code == 200 and "evidencia" in refused.context["status_form"].errors["status"][0]
    rejected = exporter.post(f"{url}status/", {"status": "rejected", "note": " "})
    assert rejected.context["status_form"].errors["note"]
    upload = {"kind": "land_title", "title": "Escritura", "file": evidence_file()}
    assert exporter.post(f"{url}evidence/", upload).status_code == 302
    assert exporter.post(f"{url}status/", {"status": "verified"}).status_code == 302
    page = exporter.get(url).content.decode()
    assert 'data-plot-status="verified"' in page and "/eudr/evidence/" in page
    with tenant_context(erp_a.company):
        assert Plot.objects.get(pk=declared.pk).is_verified


def test_a_plot_named_by_a_reception_is_not_deleted_and_a_free_one_is(erp_a, objects):
    admin = english_client(erp_a, "admin")
    kept = admin.post(f"{PLOTS}{objects['own']}/delete/", follow=True)
    assert kept.redirect_chain[-1][0] == f"{PLOTS}{objects['own']}/"
    assert any("Receptions name this plot" in str(m) for m in kept.context["messages"])
    assert admin.post(f"{PLOTS}{objects['other']}/delete/").url == PLOTS
    with tenant_context(erp_a.company):
        assert list(Plot.objects.values_list("pk", flat=True)) == [objects["own"]]


def test_the_list_filters_and_its_geojson_link_downloads_the_same_plots(erp_a, objects):
    admin = page_client(erp_a, "admin")
    page = admin.get(PLOTS, {"status": "verified"})
    listed = [plot.pk for plot in page.context["page"]]
    assert listed == [objects["own"]]
    link = page.context["geojson_url"]
    assert link == "/api/v1/eudr/plots/geojson/?status=verified"
    features = admin.get(link).json()["features"]
    assert [f["properties"]["name"] for f in features] == ["Finca La Esperanza"]
    assert [p.pk for p in admin.get(PLOTS, {"search": "vecina"}).context["page"]] == [objects["other"]]


def test_the_lot_page_shows_a_lot_fed_from_a_verified_plot_as_verified(erp_a, objects):
    with tenant_context(erp_a.company):
        without_plots = reception_from(erp_a, [])
    admin = page_client(erp_a, "admin")
    page = admin.get(f"/lots/{objects['lot']}/").content.decode()
    assert 'data-eudr-status="verified"' in page and f"{PLOTS}{objects['own']}/" in page
    assert 'data-eudr-status="unverified"' in admin.get(f"/lots/{without_plots.lot_id}/").content.decode()
    plain = admin.get(f"/lots/{erp_a.lots['supplier'].pk}/").content.decode()
    assert 'data-eudr-status="unknown"' in plain


def test_the_center_sets_a_receptions_plots_among_its_suppliers(erp_a, objects):
    with tenant_context(erp_a.company):
        reception = reception_from(erp_a, [])
        second = plot(erp_a, name="Finca Alta")
    url, center = f"/eudr/receptions/{reception.pk}/plots/", page_client(erp_a, "center")
    page = center.get(f"/receptions/{reception.pk}/").content.decode()
    assert url in page and "Finca Alta" in page and "Finca Vecina" not in page  # the supplier's plots only
    assert center.post(url, {"plots": [objects["own"], second.pk]}).status_code == 302
    refused = center.post(url, {"plots": [objects["other"]]}, follow=True)  # not the supplier's plot
    assert any(str(objects["other"]) in str(m) for m in refused.context["messages"])
    with tenant_context(erp_a.company):
        named = Reception.objects.get(pk=reception.pk).plots.order_by("pk")
        assert list(named.values_list("pk", flat=True)) == [objects["own"], second.pk]
    shown = page_client(erp_a, "supplier").get(f"/receptions/{reception.pk}/").content.decode()
    assert "Finca Alta" in shown and url not in shown  # the supplier reads them, without the form


def test_without_the_eudr_module_the_pages_and_sections_are_gone(erp_a, objects):
    admin = page_client(erp_a, "admin")
    assert f'href="{PLOTS}"' in admin.get("/").content.decode()  # "Plots (EUDR)" in the navigation
    license = erp_a.company.licenses.get()
    license.modules = [m for m in Module.values if m != Module.EUDR]
    license.save()
    assert admin.get(PLOTS).status_code == 403
    assert f'href="{PLOTS}"' not in admin.get("/").content.decode()
    assert 'id="eudr-title"' not in admin.get(f"/lots/{objects['lot']}/").content.decode()
    assert 'id="plots-title"' not in admin.get(f"/receptions/{objects['reception']}/").content.decode()


def test_the_plot_form_is_in_spanish_first_and_in_english_for_an_english_user(erp_a):
    spanish = page_client(erp_a, "admin").get(f"{PLOTS}new/").content.decode()
    assert '<html lang="es">' in spanish and "Proveedor" in spanish
    english = english_client(erp_a, "admin").get(f"{PLOTS}new/").content.decode()
    assert '<html lang="en">' in english
    assert "Declared free of deforestation after 31 December 2020" in english
