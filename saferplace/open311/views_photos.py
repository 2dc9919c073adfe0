"""A public report's photo, served through SaferPlace (its file is never at a public address of
its own): never a photo of a private or hidden report."""

from django.conf import settings
from django.http import FileResponse, HttpResponse

from saferplace.errors import NotFound
from saferplace.interfaces import client_address
from saferplace.reports.limits import allow
from saferplace.reports.listing import public_photo_get
from saferplace.tasking.photos import photo_open

PHOTO_ID_MOST = 2**63 - 1


def photo(request, photo_id: int):
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    if not allow(f"open311-read:{client_address(request)}", most=settings.PUBLIC_READS_PER_MINUTE_PER_ADDRESS,
                 seconds=60):
        return HttpResponse("Too many requests", status=429, content_type="text/plain")
    try:
        if photo_id > PHOTO_ID_MOST:
            raise NotFound
        found = public_photo_get(photo_id)
        handle = photo_open(found.file)
    except (NotFound, OSError):
        return HttpResponse("There is no such photo", status=404, content_type="text/plain")
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response
