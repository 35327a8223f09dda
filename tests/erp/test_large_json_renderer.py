"""The orjson renderer of large answers writes what DRF's JSON renderer writes."""

from decimal import Decimal

import orjson
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from erp.api import LargeJSONRenderer


def test_it_writes_the_same_compact_utf8_as_drf():
    data = {
        "code": "LT-2026-00001",
        "owner": "Centro Ñañay",
        "kg": "100.50",
        "lots": [{"id": 1, "hidden": False}],
    }
    assert LargeJSONRenderer().render(data) == JSONRenderer().render(data)


def test_types_json_lacks_go_through_drfs_encoder():
    data = {"kg": Decimal("1.50"), "label": gettext_lazy("Lots")}
    assert LargeJSONRenderer().render(data) == JSONRenderer().render(data)


def test_an_indented_answer_for_the_browsable_api_is_drfs_own():
    data = {"lots": [{"id": 1}]}
    media = "application/json; indent=4"
    assert LargeJSONRenderer().render(data, media) == JSONRenderer().render(data, media)
    assert LargeJSONRenderer().render(None) == b""


def test_an_answer_already_written_is_sent_as_it_is_or_indented():

    data = {"code": "LT-2026-00001", "lots": [{"id": 1, "kg": "100.50"}]}
    written = orjson.Fragment(orjson.dumps(data))
    assert LargeJSONRenderer().render(written) == JSONRenderer().render(data)
    media = "application/json; indent=4"
    assert LargeJSONRenderer().render(written, media) == JSONRenderer().render(data, media)
