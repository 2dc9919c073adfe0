"""Updating many rows by id through a staging table and one joined UPDATE (SQLite and
PostgreSQL alike; on an SQLite older than 3.33, a correlated subquery instead of the join)."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from saferplace.incidents.importers import bulk_update
from saferplace.incidents.importers.bulk_update import rows_insert, rows_update
from saferplace.incidents.models import PostcodeCentroid
from saferplace.places.models import Place, PlaceKind

pytestmark = pytest.mark.django_db

STAMP = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def places(count: int) -> list[int]:
    Place.objects.bulk_create(Place(kind=PlaceKind.LSOA, code=f"E01{number:06d}", name=f"Place {number}")
                              for number in range(count))
    return list(Place.objects.order_by("code").values_list("pk", flat=True))


@pytest.fixture(params=["join", "subquery"])
def update_kind(request, monkeypatch):
    """Both ways of joining the staging table (the subquery one is what an older SQLite gets)."""
    if request.param == "subquery":
        if connection.vendor != "sqlite":
            pytest.skip("only an SQLite older than 3.33 updates through a subquery")
        monkeypatch.setattr(bulk_update, "_update_joins", lambda: False)
    return request.param


def test_rows_update_sets_the_given_rows_fields_and_leaves_the_others(update_kind):
    ids = places(2345)  # two full statements of 1,000 rows and a part one
    parent = Place.objects.create(kind=PlaceKind.WARD, code="E05000001", name="Ward")
    changed = ids[:2100]
    updated = rows_update(model=Place, fields=["population", "parent"],
                          rows=[(pk, 1000 + position, parent.pk) for position, pk in enumerate(changed)],
                          fixed={"updated_at": STAMP})

    assert updated == 2100
    got = dict(Place.objects.filter(pk__in=changed).values_list("pk", "population"))
    assert got == {pk: 1000 + position for position, pk in enumerate(changed)}
    assert set(Place.objects.filter(pk__in=changed).values_list("parent", "updated_at")) == {(parent.pk, STAMP)}
    untouched = Place.objects.filter(pk__in=ids[2100:])
    assert set(untouched.values_list("population", "parent")) == {(None, None)}
    assert not untouched.filter(updated_at=STAMP).exists()


def test_rows_update_sets_nulls_and_takes_any_iterable(update_kind):
    ids = places(3)
    Place.objects.filter(pk__in=ids).update(population=5)
    updated = rows_update(model=Place, fields=["population", "name"],
                          rows=((pk, None, f"Renamed {pk}") for pk in ids[:2]))
    assert updated == 2
    assert list(Place.objects.filter(pk__in=ids).order_by("code").values_list("population", "name")) == [
        (None, f"Renamed {ids[0]}"), (None, f"Renamed {ids[1]}"), (5, "Place 2"),
    ]


def test_nothing_to_update_changes_nothing_and_leaves_no_staging_table():
    ids = places(2)
    assert rows_update(model=Place, fields=["population"], rows=[]) == 0
    assert rows_update(model=Place, fields=["population"], rows=[(ids[0], 7)]) == 1  # the staging table is made again
    assert Place.objects.get(pk=ids[0]).population == 7
    assert not temporary_tables()


def test_rows_insert_inserts_and_with_unique_fields_updates_what_is_there():
    PostcodeCentroid.objects.create(postcode="TB11AA", latitude=1, longitude=1)
    given = rows_insert(model=PostcodeCentroid, fields=["postcode", "latitude", "longitude"],
                        rows=[(f"T{number:04d}AB", 52.0, 0.5) for number in range(1500)] + [("TB11AA", 52.5, 0.25)],
                        unique_fields=["postcode"], update_fields=["latitude", "longitude"])
    assert given == 1501
    assert PostcodeCentroid.objects.count() == 1501
    assert PostcodeCentroid.objects.filter(postcode="TB11AA").values_list("latitude", "longitude").get() == (52.5, 0.25)

    rows_insert(model=Place, fields=["code", "name"], rows=[("E01000001", "One"), ("E01000002", "Two")],
                fixed={"kind": PlaceKind.LSOA, "updated_at": STAMP})
    assert set(Place.objects.values_list("code", "kind", "updated_at", "population")) == {
        ("E01000001", "lsoa", STAMP, None), ("E01000002", "lsoa", STAMP, None),
    }


def temporary_tables() -> list[str]:
    sql = ("SELECT name FROM sqlite_temp_master WHERE type = 'table'" if connection.vendor == "sqlite"
           else "SELECT tablename FROM pg_tables WHERE schemaname LIKE 'pg_temp%%'")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [name for (name,) in cursor.fetchall() if name.startswith("saferplace_update_")]
