"""Taking the public "report a problem" journey with Django's test client (tests of
web/views/report_public.py and report_public_pages.py), and photos to send with it."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from tests.reports.fixtures import IN_PARKSIDE

FLY_ANSWERS = {"a_what": "household", "description": "Six black bags dumped by the garages"}
GPS = ExifTags.IFD.GPSInfo


def photo(name: str = "photo.jpg", *, gps: bool = False, size=(48, 32)) -> SimpleUploadedFile:
    """A JPEG; with `gps`, one carrying where it was taken (and the camera) in its EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Make] = "Phonecam"
        location = exif.get_ifd(GPS)
        location.update({ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (52.0, 26.0, 42.0),
                         ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (0.0, 57.0, 18.0)})
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def gps_of(content: bytes) -> dict:
    with Image.open(io.BytesIO(content)) as image:
        return dict(image.getexif().get_ifd(GPS))


def begin(client, *, at=IN_PARKSIDE, address: str = ""):
    assert client.get("/report/new/").status_code == 302
    response = client.post("/report/where/", {"latitude": at[0], "longitude": at[1], "address": address})
    assert response.status_code == 302, response.content.decode()
    return response


def to_details(client, *, service: str = "fly-tipping", at=IN_PARKSIDE):
    begin(client, at=at)
    response = client.post("/report/what/", {"service": service})
    assert response.status_code == 302 and response["Location"] == "/report/details/"


def to_check(client, *, service: str = "fly-tipping", at=IN_PARKSIDE, details: dict | None = None,
             about: dict | None = None):
    """Every step up to check your answers, as a resident with no nearby report to support."""
    to_details(client, service=service, at=at)
    response = client.post("/report/details/", details or (FLY_ANSWERS if service == "fly-tipping" else
                                                          {"description": "Something wrong here"}))
    assert response.status_code == 302, response.content.decode()
    assert client.get("/report/nearby/").status_code == 302
    response = client.post("/report/about-you/", about or {"anonymous": "yes"})
    assert response.status_code == 302 and response["Location"] == "/report/check/", response.content.decode()


def send(client, **data):
    return client.post("/report/check/", data)
