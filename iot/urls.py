"""Routes of the IoT app: the API under /api/v1/iot/ and the seed's device aliases."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .api import CsvUploadView, DeviceViewSet, PesajeView, ReadingImportViewSet, ReadingViewSet

router = SimpleRouter()
router.register("iot/devices", DeviceViewSet, basename="iot-device")
router.register("iot/readings", ReadingViewSet, basename="iot-reading")
router.register("iot/imports", ReadingImportViewSet, basename="iot-import")

# Under /api/v1/.
api_urlpatterns = [
    re_path(r"^iot/siemens/csv/?$", CsvUploadView.as_view(), name="iot-siemens-csv"),
    re_path(r"^iot/pesaje/?$", PesajeView.as_view(), name="iot-pesaje"),
    *router.urls,
]

# At the site's root, as the seed's devices call them.
seed_urlpatterns = [
    re_path(r"^iot/pesaje/?$", PesajeView.as_view(), name="iot-pesaje-seed"),
    re_path(r"^iot/siemens/csv/?$", CsvUploadView.as_view(), name="iot-siemens-csv-seed"),
]
