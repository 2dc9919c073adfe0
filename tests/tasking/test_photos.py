"""Photos on tasks: only real images, not too big, kept without their metadata (GPS above all)
under a name the server makes, and read back only by those who may see them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from saferplace.errors import NotAllowed, NotFound
from saferplace.tasking import photos
from saferplace.tasking.models import TaskEvent, TaskEventKind, TaskPhoto
from saferplace.tasking.selectors import task_photo_get
from saferplace.tasking.services import task_photo_add, task_take
from tests.conftest import viewer

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def jpeg_with_gps(size=(64, 48), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0131] = "SecretCam 1.0"  # software
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 27.0, 1.5), 3: "W", 4: (0.0, 57.0, 2.5)})
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif, comment=b"taken at 12 Park Road")
    return output.getvalue()


def upload(content: bytes, name="IMG_0001.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_the_test_photo_does_carry_gps_to_begin_with():
    with Image.open(io.BytesIO(jpeg_with_gps())) as image:
        assert image.getexif().get_ifd(GPS_IFD)


def test_a_photo_is_kept_without_its_exif_and_gps_under_a_new_name(stored_uploads, make_task, council_officer):
    task = make_task(assignee=council_officer)
    photo = task_photo_add(viewer=viewer(council_officer), task=task, upload=upload(jpeg_with_gps()))
    assert photo.file.startswith("task-photos/") and "IMG_0001" not in photo.file and photo.file.endswith(".jpg")
    with stored_uploads.open(photo.file, "rb") as stored:
        content = stored.read()
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {} and not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info and "comment" not in image.info
    assert b"SecretCam" not in content and b"PhoneMaker" not in content and b"Park Road" not in content
    assert TaskEvent.objects.filter(record=task, kind=TaskEventKind.PHOTO).count() == 1


def test_a_photo_taken_on_its_side_is_turned_upright_before_its_exif_goes(stored_uploads, make_task, council_officer):
    task = make_task(assignee=council_officer)
    photo = task_photo_add(viewer=viewer(council_officer), task=task,
                           upload=upload(jpeg_with_gps(size=(64, 48), orientation=6)))
    with stored_uploads.open(photo.file, "rb") as stored, Image.open(stored) as image:
        assert image.size == (48, 64)


def test_png_and_webp_are_kept_as_jpeg(stored_uploads, make_task, council_officer):
    task = make_task(assignee=council_officer)
    for kind in ("PNG", "WEBP"):
        output = io.BytesIO()
        Image.new("RGBA", (20, 20), (0, 0, 255, 128)).save(output, format=kind)
        photo = task_photo_add(viewer=viewer(council_officer), task=task, upload=upload(output.getvalue(), f"x.{kind}"))
        with stored_uploads.open(photo.file, "rb") as stored, Image.open(stored) as image:
            assert image.format == "JPEG"


@pytest.mark.parametrize("content, why", [
    (b"%PDF-1.4 not a photo at all", "not a photo"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not a photo"),
    (b"GIF89a" + b"\x00" * 40, "not a photo"),
    (b"", "empty"),
])
def test_what_is_not_a_photo_is_refused_and_nothing_is_kept(stored_uploads, make_task, council_officer, content, why):
    task = make_task(assignee=council_officer)
    with pytest.raises(ValueError, match=why):
        task_photo_add(viewer=viewer(council_officer), task=task, upload=upload(content, "photo.jpg"))
    assert not TaskPhoto.objects.exists()
    assert not TaskEvent.objects.filter(record=task, kind=TaskEventKind.PHOTO).exists()


def test_a_gif_is_refused_by_its_content_whatever_its_name(stored_uploads, make_task, council_officer):
    task = make_task(assignee=council_officer)
    output = io.BytesIO()
    Image.new("RGB", (10, 10)).save(output, format="GIF")
    with pytest.raises(ValueError, match="JPEG, PNG or WebP"):
        task_photo_add(viewer=viewer(council_officer), task=task, upload=upload(output.getvalue(), "photo.jpg"))


def test_a_photo_over_10_mb_is_refused_before_it_is_read(stored_uploads, make_task, council_officer):
    task = make_task(assignee=council_officer)
    big = upload(jpeg_with_gps() + b"\x00" * (photos.LARGEST_BYTES + 1))
    with pytest.raises(ValueError, match="10 MB"):
        task_photo_add(viewer=viewer(council_officer), task=task, upload=big)
    assert not TaskPhoto.objects.exists()


def test_a_photo_over_40_megapixels_is_refused_before_it_is_decoded(stored_uploads, make_task, council_officer):
    task = make_task(assignee=council_officer)
    output = io.BytesIO()
    Image.new("1", (8000, 5001)).save(output, format="PNG")  # 40.008 megapixels, a few kilobytes
    assert len(output.getvalue()) < photos.LARGEST_BYTES
    with pytest.raises(ValueError, match="40 megapixels"):
        task_photo_add(viewer=viewer(council_officer), task=task, upload=upload(output.getvalue(), "big.png"))


def test_a_photo_is_read_back_only_by_who_may_see_it(stored_uploads, make_task, council_officer, council_analyst,
                                                    police_officer, council_auditor, volunteer, other_volunteer, area):
    task = make_task(assignee=council_officer)
    photo = task_photo_add(viewer=viewer(council_officer), task=task, upload=upload(jpeg_with_gps()))
    found, opened = task_photo_get(viewer=viewer(council_analyst), photo_id=photo.pk)
    opened.close()
    assert found == photo
    for outsider in (police_officer, volunteer):
        with pytest.raises(NotFound):
            task_photo_get(viewer=viewer(outsider), photo_id=photo.pk)
    with pytest.raises(NotAllowed):
        task_photo_get(viewer=viewer(council_auditor), photo_id=photo.pk)
    with pytest.raises(NotFound):
        task_photo_get(viewer=viewer(council_officer), photo_id="not-a-number")
    # A volunteer sees their own photo on the task they took; not another volunteer's before them.
    offered = make_task(for_volunteers=True, place=area["community"])
    task_take(viewer=viewer(volunteer), task=offered)
    theirs = task_photo_add(viewer=viewer(volunteer), task=offered, upload=upload(jpeg_with_gps()))
    task_photo_get(viewer=viewer(volunteer), photo_id=theirs.pk)[1].close()
    with pytest.raises(NotFound):
        task_photo_get(viewer=viewer(other_volunteer), photo_id=theirs.pk)


def _png(mode: str, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG")
    return buffer.getvalue()


def test_memory_is_bounded_by_the_decoded_size_not_only_the_pixels(monkeypatch):
    """Four bands of a photo cost a third more than three: the decoded size is checked too."""
    monkeypatch.setattr(photos, "LARGEST_DECODED_BYTES", 3 * 400 * 300)
    assert photos.photo_clean(upload(_png("RGB", (400, 300)), name="a.png", content_type="image/png"))
    with pytest.raises(photos.PhotoRefused, match="megapixels"):
        photos.photo_clean(upload(_png("RGBA", (400, 300)), name="a.png", content_type="image/png"))


def test_a_large_photo_is_kept_at_the_longest_edge(monkeypatch):
    monkeypatch.setattr(photos, "LONGEST_EDGE", 100)
    kept = Image.open(io.BytesIO(photos.photo_clean(upload(jpeg_with_gps(size=(640, 480))))))
    assert kept.size == (100, 75)
