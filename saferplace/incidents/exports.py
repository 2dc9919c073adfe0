"""Bulk exports of the incidents a viewer may see, filtered: CSV and GeoJSON, streamed as they
are read, each audited before its first row (`incidents_export_audit`: the scope and the number
of rows), so an auditor searching for one record finds every export that could have held it.

A million records stream at about the speed of `pandas.DataFrame.to_csv` writing the same rows
(`benchmarks/export_speed.py`, `docs/performance.md` § Exports), in constant memory, because:

* the rows are the incident's own columns read as plain tuples (`values_list`) in one query the
  database streams in the list's order (a server-side cursor on PostgreSQL; chunked fetches on
  SQLite, sorting in a temporary file: `_streamed`), not model instances joined to nine tables;
* what the ids stand for (organisations, data categories, categories, the source's labels,
  places, locations) is read from those tables when rows first need it, a few hundred ids at a
  time, and kept: each distinct value is written for its sink once (neutralised and quoted as
  a CSV cell, or encoded as JSON) rather than once a row. What is kept is bounded
  (`REMEMBERED`), so a store of a million distinct locations costs no more memory;
* each row is then put together from those ready-made pieces, and a few hundred rows are sent
  at once, as a string of about 70 KB (CSV) or 170 KB (GeoJSON) of police.uk records.

The output is what writing each record with `csv.writer` (every value through
`csv_stream.neutralise`) or `json.dumps` gives, byte for byte (`tests/incidents/test_exports.py`
compares them)."""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import batched, filterfalse

from django.db import connections
from django.db.models import Model, QuerySet

from saferplace.csv_stream import neutralise
from saferplace.incidents.models import IncidentCategory, Location, LocationPrecision, SourceLabel
from saferplace.incidents.selectors import (
    IncidentFilters,
    incident_count,
    incident_list,
    incident_summary,
)
from saferplace.incidents.services import incidents_export_audit
from saferplace.incidents.sources import source_name
from saferplace.partners.models import DataCategory, Organisation
from saferplace.places.models import Place
from saferplace.words import count_of

EXPORT_COLUMNS = [
    "id", "source", "owning_organisation", "data_category", "external_id", "occurred_on",
    "occurred_precision", "category", "source_category", "latitude", "longitude",
    "location_precision", "lsoa", "ward", "community", "h3_cell", "outcome",
    # Added later, at the end: the names beside the codes. The columns before them stay as they
    # were, for the analysts' files and scripts that read them.
    "source_name", "category_name", "data_category_name", "occurred_time", "location_description",
    "lsoa_name", "ward_name", "community_name",
]

# The incident's own columns an export reads, in the order the row builders unpack them.
FIELDS = (
    "id", "source", "owning_organisation_id", "data_category_id", "external_id", "occurred_on",
    "occurred_precision", "occurred_time", "category_id", "source_category_id", "location_id",
    "lsoa_id", "ward_id", "community_id", "outcome_id",
)
FETCH_ROWS = 2000  # rows fetched from the database at once
WRITE_ROWS = 200  # rows sent at once
REMEMBERED = 100_000  # distinct values one lookup keeps before it starts again
LOCATION_FIELDS = ("latitude", "longitude", "precision", "h3_cell", "description")


class _Lookup(dict):
    """Ids → what an export writes for them, read from their table when rows first need them and
    kept (up to `REMEMBERED`); None (no record) → `default`."""

    def __init__(self, model: type[Model], fields: tuple[str, ...], make: Callable, default, key: str = "pk"):
        super().__init__({None: default})
        self.model, self.fields, self.make, self.default, self.key = model, fields, make, default, key

    def fill(self, ids: set) -> None:
        wanted = set(filterfalse(self.__contains__, ids))
        if not wanted:
            return
        if len(self) + len(wanted) > REMEMBERED:  # start again, with what these rows need
            self.clear()
            self[None] = self.default
            wanted = {each for each in ids if each is not None}
        for key, *values in self.model.objects.filter(**{f"{self.key}__in": wanted}).values_list(self.key, *self.fields):
            self[key] = self.make(*values)


class _Memo(dict):
    """Values → `make(value)`, worked out once each (a date, a time, a precision, a source)."""

    def __init__(self, make: Callable):
        super().__init__()
        self.make = make

    def __missing__(self, value):
        if len(self) > REMEMBERED:
            self.clear()
        made = self[value] = self.make(value)
        return made


class _Pieces:
    """Every lookup one export needs, each value written by `encode`, the sink's encoding (with
    `blank` for a name there is none of). Locations differ by sink: CSV writes the point as two
    columns, GeoJSON as the geometry."""

    def __init__(self, encode: Callable[[object], str], blank, locations: _Lookup):
        def pair(code, name):
            return encode(code), encode(name or blank)

        self.organisations = _Lookup(Organisation, ("name",), encode, None)
        self.data_categories = _Lookup(DataCategory, ("code", "name"), pair, None)
        self.category_names = _Lookup(IncidentCategory, ("name",), lambda name: encode(name or blank), None, key="code")
        self.labels = _Lookup(SourceLabel, ("text",), encode, encode(""))
        self.places = _Lookup(Place, ("code", "name"), pair, (encode(blank), encode(blank)))
        self.locations = locations
        self.sources = _Memo(lambda code: (encode(code), encode(source_name(code) or blank)))
        self.texts = _Memo(encode)  # short texts on many rows: the date's precision, the category's code
        self.days = _Memo(lambda day: encode(day.isoformat()))
        self.times = _Memo(lambda at: encode(at.strftime("%H:%M") if at is not None else blank))

    def fill(self, rows: tuple[tuple, ...]) -> None:
        """Read what these rows' ids stand for, where not read already."""
        (_, _, owners, data_categories, _, _, _, _, categories, source_categories, locations, lsoas, wards, communities,
         outcomes) = zip(*rows, strict=True)
        self.organisations.fill(set(owners))
        self.data_categories.fill(set(data_categories))
        self.category_names.fill(set(categories))
        self.labels.fill(set(source_categories).union(outcomes))
        self.locations.fill(set(locations))
        self.places.fill(set(lsoas).union(wards, communities))


def _streamed(rows: QuerySet) -> Iterator[tuple]:
    """The rows as the database streams them. SQLite sorts in memory here (`temp_store=MEMORY`:
    right for the pages' small sorts), which for an export would hold every row it sorts; so an
    export sorts in a temporary file instead, in constant memory, and the connection goes back
    after. (SQLite cannot change that inside a transaction: an export made in one, from a
    command, sorts in memory.)"""
    connection = connections[rows.db]
    on_disk = connection.vendor == "sqlite" and not connection.in_atomic_block
    before = _temp_store(connection, "FILE") if on_disk else None
    streamed = rows.iterator(chunk_size=FETCH_ROWS)
    try:
        yield from streamed
    finally:
        streamed.close()
        if on_disk:
            _temp_store(connection, before)


def _temp_store(connection, value: str | int) -> int:
    """Set SQLite's `temp_store` ("FILE", or a number as it answers: 0 default, 1 file, 2
    memory); return what it was."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA temp_store")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA temp_store = {value}")  # no parameters in a PRAGMA: only these values come here
    return before


# --- CSV -------------------------------------------------------------------------------------


def incidents_export_csv(*, viewer, filters: IncidentFilters) -> Iterator[str]:
    """The incidents the viewer may see that match the filters, as CSV text in the list's order
    (formula-leading values neutralised); the export is audited first, with its scope and
    number of rows."""
    incidents = incident_list(viewer=viewer, filters=filters)
    count = incident_count(viewer=viewer, filters=filters)  # from the counts when they can say: the download starts at once
    incidents_export_audit(viewer=viewer, description=f"{count_of(count, 'incident')} as CSV", filters=filters, rows=count,
                           export_format="csv")
    return _csv_stream(_streamed(incidents.values_list(*FIELDS)))


def _csv_cells() -> Callable[[object], str]:
    """A function writing one value as `csv.writer` writes it in a row, once neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def cell(value) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow((neutralise(value), None))  # a second cell, so that "" is written as nothing
        return buffer.getvalue()[:-3]  # less the second cell's comma and the line's end

    return cell


def _csv_stream(rows: Iterable[tuple]) -> Iterator[str]:
    cell = _csv_cells()
    yield ",".join(map(cell, EXPORT_COLUMNS)) + "\r\n"  # at once: the download starts while the database reads
    pieces = _Pieces(cell, "", _Lookup(
        Location, LOCATION_FIELDS,
        lambda latitude, longitude, precision, h3_cell, description: (
            f"{cell(latitude)},{cell(longitude)},{cell(precision)}", cell(h3_cell), cell(description),
        ),
        (f",,{LocationPrecision.NONE.value}", "", ""),
    ))
    for batch in batched(rows, WRITE_ROWS):
        pieces.fill(batch)
        yield "".join(_csv_lines(batch, pieces, cell))


def _csv_lines(rows: tuple[tuple, ...], pieces: _Pieces, cell: Callable[[object], str]) -> list[str]:
    organisations, data_categories, category_names = pieces.organisations, pieces.data_categories, pieces.category_names
    labels, locations, places = pieces.labels, pieces.locations, pieces.places
    sources, texts, days, times = pieces.sources, pieces.texts, pieces.days, pieces.times
    lines = []
    for (pk, source, owner, data_category, external_id, occurred_on, precision, occurred_time, category,
         source_category, location, lsoa, ward, community, outcome) in rows:
        if not external_id.isalnum() and external_id:  # only then can it need quotes or neutralising
            external_id = cell(external_id)
        source_code, source_words = sources[source]
        data_category_code, data_category_name = data_categories[data_category]
        point, h3_cell, description = locations[location]
        lsoa_code, lsoa_name = places[lsoa]
        ward_code, ward_name = places[ward]
        community_code, community_name = places[community]
        lines.append(
            f"{pk},{source_code},{organisations[owner]},{data_category_code},{external_id},{days[occurred_on]},"
            f"{texts[precision]},{texts[category]},{labels[source_category]},{point},{lsoa_code},{ward_code},"
            f"{community_code},{h3_cell},{labels[outcome]},{source_words},{category_names[category]},"
            f"{data_category_name},{times[occurred_time]},{description},{lsoa_name},{ward_name},{community_name}\r\n"
        )
    return lines


# --- GeoJSON ---------------------------------------------------------------------------------


def incidents_export_geojson(*, viewer, filters: IncidentFilters) -> Iterator[str]:
    """The incidents the viewer may see that match the filters as a GeoJSON FeatureCollection
    of points, newest first. Incidents with no location cannot be drawn: they are left out, and
    the `metadata` member says how many. The export is audited first, with its scope, the rows
    written and the rows left out."""
    incidents = incident_list(viewer=viewer, filters=filters).order_by("-occurred_on", "-id")
    located = incidents.exclude(location__latitude=None).exclude(location__longitude=None)
    summary = incident_summary(viewer=viewer, filters=filters)  # from the counts when they can say
    omitted = summary["without_location"]
    rows = summary["count"] - omitted
    incidents_export_audit(
        viewer=viewer, description=f"{count_of(rows, 'incident')} as GeoJSON", filters=filters, rows=rows,
        export_format="geojson", omitted_without_location=omitted,
    )
    metadata = {
        "title": "SaferPlace incidents",
        "filters": filters.as_dict(),
        "features": rows,
        "omitted_without_location": omitted,
        "note": f"{omitted} matching incident{'s have' if omitted != 1 else ' has'} no location and "
                f"{'are' if omitted != 1 else 'is'} not included.",
    }
    return _geojson_stream(metadata, _streamed(located.values_list(*FIELDS)))


def _geojson_stream(metadata: dict, rows: Iterable[tuple]) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "metadata": ' + json.dumps(metadata) + ', "features": ['
    encode = json.dumps
    pieces = _Pieces(encode, None, _Lookup(
        Location, LOCATION_FIELDS,
        lambda latitude, longitude, precision, h3_cell, description: (
            encode({"type": "Point", "coordinates": [longitude, latitude]}), encode(precision),
            encode(h3_cell or None), encode(description or None),
        ),
        None,  # every row here has a location
    ))
    separator = "\n"
    for batch in batched(rows, WRITE_ROWS):
        pieces.fill(batch)
        yield separator + ",\n".join(_features(batch, pieces))
        separator = ",\n"
    yield "\n]}\n"


def _features(rows: tuple[tuple, ...], pieces: _Pieces) -> list[str]:
    """Each row as a GeoJSON Feature: the text `json.dumps` writes for it."""
    organisations, data_categories, category_names = pieces.organisations, pieces.data_categories, pieces.category_names
    labels, locations, places = pieces.labels, pieces.locations, pieces.places
    sources, texts, days, times = pieces.sources, pieces.texts, pieces.days, pieces.times
    encode = json.dumps
    features = []
    for (pk, source, owner, data_category, external_id, occurred_on, precision, occurred_time, category,
         source_category, location, lsoa, ward, community, outcome) in rows:
        external_id = f'"{external_id}"' if external_id.isalnum() and external_id.isascii() else encode(external_id)
        source_code, source_words = sources[source]
        data_category_code, data_category_name = data_categories[data_category]
        geometry, location_precision, h3_cell, description = locations[location]
        lsoa_code, lsoa_name = places[lsoa]
        ward_code, ward_name = places[ward]
        community_code, community_name = places[community]
        features.append(
            f'{{"type": "Feature", "geometry": {geometry}, "properties": {{"id": {pk}, "source": {source_code}, '
            f'"owning_organisation": {organisations[owner]}, "data_category": {data_category_code}, '
            f'"external_id": {external_id}, "occurred_on": {days[occurred_on]}, '
            f'"occurred_precision": {texts[precision]}, "category": {texts[category]}, '
            f'"category_name": {category_names[category]}, "source_category": {labels[source_category]}, '
            f'"location_precision": {location_precision}, "lsoa": {lsoa_code}, "ward": {ward_code}, '
            f'"community": {community_code}, "h3_cell": {h3_cell}, "outcome": {labels[outcome]}, '
            f'"source_name": {source_words}, "data_category_name": {data_category_name}, '
            f'"occurred_time": {times[occurred_time]}, "location_description": {description}, '
            f'"lsoa_name": {lsoa_name}, "ward_name": {ward_name}, "community_name": {community_name}}}}}'
        )
    return features
