"""Lookups that set up real areas from ONS files: the LSOA → ward → community → local authority
lookup ("place-lookup"), residents per place ("population") and postcode centres
("postcode-lookup", e.g. the ONS Postcode Directory). Column names can be given as options;
the defaults are ONS's. See docs/importers/place-lookups.md."""

import re
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count
from django.utils import timezone

from saferplace.history import events_write
from saferplace.incidents.importers.base import FileRefused, ImportContext, Importer
from saferplace.incidents.importers.bulk_update import rows_insert, rows_update
from saferplace.incidents.importers.locations import PointLocator
from saferplace.incidents.importers.options import column_option
from saferplace.incidents.importers.reading import (
    CsvReader,
    column_values,
    map_distinct,
    read_header,
    read_table,
)
from saferplace.incidents.importers.rows import RowChecks
from saferplace.incidents.models import PostcodeCentroid
from saferplace.places.events import PlaceEventKind
from saferplace.places.models import Place, PlaceKind


def _column(header: list[str], options: dict, option: str, patterns: list[str], *, what: str, required: bool) -> str | None:
    """The column named by the option, else the first header name matching a default pattern."""
    given = options.get(option)
    if given:
        if given not in header:
            raise FileRefused(f"This is not {what}: the column {given!r} (option {option}) is not in the header ({', '.join(header)}).")
        return given
    for pattern in patterns:
        for name in header:
            if re.fullmatch(pattern, name, flags=re.IGNORECASE):
                return name
    if required:
        raise FileRefused(
            f"This is not {what}: no column for {option.removesuffix('_column').replace('_', ' ')} "
            f"(expected a column like {patterns[0].replace(chr(92) + 'd', '#')}; name it with the {option} option). "
            f"The header has {', '.join(header) or 'nothing'}."
        )
    return None


LEVELS = [  # (kind, option prefix, default code patterns, default name patterns, required)
    (PlaceKind.LOCAL_AUTHORITY, "local_authority", [r"LAD\d\dCD", r"LTLA\d\dCD", r"UTLA\d\dCD"], [r"LAD\d\dNM", r"LTLA\d\dNM", r"UTLA\d\dNM"], True),
    (PlaceKind.COMMUNITY, "community", [r"community_code", r"community"], [r"community_name"], False),
    (PlaceKind.WARD, "ward", [r"WD\d\dCD"], [r"WD\d\dNM"], True),
    (PlaceKind.LSOA, "lsoa", [r"LSOA\d\dCD"], [r"LSOA\d\dNM"], True),
]
PLACE_LOOKUP = "an LSOA → ward → community → local authority lookup"


def _pattern_text(pattern: str) -> str:
    """A default column pattern as people read it: LSOA\\d\\dCD → LSOA##CD."""
    return pattern.replace("\\d", "#")


@dataclass
class PreparedPlaces:
    # kind → code → (name, parent code or "")
    places: dict[PlaceKind, dict[str, tuple[str, str]]] = field(default_factory=dict)


class PlaceLookupImporter(Importer):
    name = "place-lookup"
    label = "Place lookup (LSOA → ward → community → local authority)"
    hint = "An ONS-style lookup CSV that creates or updates LSOAs, wards, communities and local authorities."
    documentation = "place-lookups.md"
    options = tuple(
        column_option(f"{prefix}_{part}_column",
                      f"the column of the {kind.label.lower()} {part}s (default: {_pattern_text(patterns[0])})")
        for kind, prefix, code_patterns, name_patterns, _ in LEVELS
        for part, patterns in (("code", code_patterns), ("name", name_patterns))
    )
    capability = "places.manage"

    def prepare(self, context: ImportContext) -> PreparedPlaces:
        frame = read_table(context.path, what=PLACE_LOOKUP)
        header = [str(name) for name in frame.columns]
        columns = {}
        for kind, prefix, code_patterns, name_patterns, required in LEVELS:
            code = _column(header, context.options, f"{prefix}_code_column", code_patterns, what=PLACE_LOOKUP, required=required)
            name = _column(header, context.options, f"{prefix}_name_column", name_patterns, what=PLACE_LOOKUP, required=False)
            if code:
                columns[kind] = (code, name)
        numbers = np.arange(2, len(frame) + 2)
        context.total = context.rows_read = len(frame)
        checks = RowChecks(context, frame, numbers)
        existing_kinds = dict(Place.objects.order_by().values_list("code", "kind"))
        prepared = PreparedPlaces(places={kind: {} for kind in columns})
        first_row: dict[tuple[PlaceKind, str], int] = {}
        for position, row in enumerate(frame.itertuples(index=False)):
            values = dict(zip(header, row, strict=True))
            problem = self._row_problem(values, columns, existing_kinds, prepared, first_row)
            if problem:
                checks.fail_row(position, *problem)
                continue
            parent = ""
            for kind, (code_column, name_column) in columns.items():
                code = values[code_column].strip().upper() if kind != PlaceKind.COMMUNITY else values[code_column].strip()
                name = values[name_column].strip() if name_column else ""
                if not code:
                    continue
                prepared.places[kind].setdefault(code, (name or code, parent))
                first_row.setdefault((kind, code), int(numbers[position]))
                parent = code
        context.report_read(len(frame))
        return prepared

    def _row_problem(self, values, columns, existing_kinds, prepared, first_row) -> tuple[str, str] | None:
        parent = ""
        for kind, (code_column, _) in columns.items():
            code = values[code_column].strip()
            code = code.upper() if kind != PlaceKind.COMMUNITY else code
            if not code:
                if kind == PlaceKind.COMMUNITY:
                    continue
                return code_column, f"{code_column} is blank"
            if existing_kinds.get(code, kind) != kind:
                return code_column, f"{code} is already a place of another kind ({existing_kinds[code]})"
            earlier = prepared.places.get(kind, {}).get(code)
            if earlier is not None and earlier[1] != parent:
                return code_column, (
                    f"{code} is in {earlier[1] or 'no parent'} in row {first_row[(kind, code)]} but in {parent or 'no parent'} here"
                )
            parent = code
        return None

    def write(self, context: ImportContext, prepared: PreparedPlaces) -> None:
        """Create the new places and rename or move the known ones, a level at a time from the
        largest (so each level's parents exist), with one event per place created or changed.
        Each place is found by a hash look-up in the codes read once (never a query per place),
        the new ones are inserted 1,000 a statement and the changes are one joined UPDATE
        (`bulk_update`)."""
        now = timezone.now()
        existing = {  # every place by its code (not its boundary): (id, name, parent's id)
            code: (pk, name, parent_id)
            for code, pk, name, parent_id in Place.objects.order_by().values_list("code", "id", "name", "parent_id")
        }
        ids = {code: known[0] for code, known in existing.items()}  # parents are found here
        for kind, places in prepared.places.items():
            created, changed, changes = [], [], []
            for code, (name, parent) in places.items():
                parent_id = ids.get(parent) if parent else None
                known = existing.get(code)
                if known is None:
                    created.append((code, name, parent_id))
                    continue
                pk, old_name, old_parent_id = known
                if old_name != name or (parent and old_parent_id != parent_id):
                    change = {"name": [old_name, name]} if old_name != name else {}
                    if parent and old_parent_id != parent_id:
                        change["parent"] = [str(old_parent_id or ""), parent]
                    changed.append((pk, name, parent_id if parent else old_parent_id))
                    changes.append((pk, change))
            rows_insert(model=Place, fields=["code", "name", "parent"], rows=created, fixed={"kind": str(kind), "updated_at": now})
            rows_update(model=Place, fields=["name", "parent"], rows=changed, fixed={"updated_at": now})
            if created:
                ids.update(Place.objects.filter(kind=kind).order_by().values_list("code", "id"))
                _place_events(context, PlaceEventKind.ADDED,
                              [(ids[code], {"name": [None, name]}) for code, name, _ in created])
            _place_events(context, PlaceEventKind.CHANGED, changes)
            context.rows_imported += len(created)
            context.rows_updated += len(changed)


def _place_events(context: ImportContext, kind: str, items: list[tuple[int, dict]]) -> None:
    """Each place's history records what the run changed (the run's own audit entry has the
    counts), in bulk."""
    if items:
        events_write(viewer=context.viewer, model=Place, kind=kind, items=items,
                     note=f"import run {context.run.pk}: {context.run.file_name}")


POPULATION = "a population file (place code and number of residents)"


class PopulationImporter(Importer):
    name = "population"
    label = "Population (residents per place)"
    hint = "A CSV of place code and number of residents, e.g. ONS mid-year estimates by LSOA."
    documentation = "place-lookups.md"
    options = (
        column_option("code_column", "the column of the place codes (default: code, LSOA##CD…)"),
        column_option("population_column", "the column of the numbers of residents (default: population, total…)"),
    )
    capability = "places.manage"

    def prepare(self, context: ImportContext) -> dict[str, int]:
        frame = read_table(context.path, what=POPULATION)
        header = [str(name) for name in frame.columns]
        code_column = _column(header, context.options, "code_column", [r"code", r"LSOA\d\dCD", r"LSOA \d{4} Code", r"\w+\d\dCD"], what=POPULATION, required=True)
        population_column = _column(
            header, context.options, "population_column", [r"population", r"total", r"all ages", r"Total population"], what=POPULATION, required=True
        )
        context.total = context.rows_read = len(frame)
        checks = RowChecks(context, frame, np.arange(2, len(frame) + 2))
        known = set(Place.objects.order_by().values_list("code", flat=True))
        # Each distinct code and count checked once, with a hash look-up among the known codes.
        codes = map_distinct(column_values(frame, code_column),
                             lambda code: code.strip() if code.strip() in known else code.strip().upper())
        counts = map_distinct(column_values(frame, population_column), lambda text: text.replace(",", "").strip())
        unknown = map_distinct(codes, lambda code: code not in known).astype(bool)
        if unknown.any():
            checks.fail(unknown, code_column, map_distinct(
                codes, lambda code: f"no place with the code {code!r} (load the place lookup first)"
            ))
        not_numbers = ~map_distinct(counts, str.isdigit).astype(bool)
        if not_numbers.any():
            checks.fail(not_numbers, population_column, map_distinct(
                counts, lambda text: f"{population_column} {text!r} is not a whole number"
            ))
        kept = np.flatnonzero(~checks.failed)
        return dict(zip(codes[kept].tolist(), (int(text) for text in counts[kept].tolist()), strict=True))

    def write(self, context: ImportContext, prepared: dict[str, int]) -> None:
        """Set the populations that change, in one joined UPDATE (`bulk_update.rows_update`),
        with one event per place changed. Only each place's id and population are read (not
        its boundary)."""
        now = timezone.now()
        changed, changes = [], []
        for code, pk, before in Place.objects.order_by().values_list("code", "id", "population").iterator(chunk_size=50_000):
            after = prepared.get(code)
            if after is not None and after != before:
                changed.append((pk, after))
                changes.append((pk, {"population": [before, after]}))
        rows_update(model=Place, fields=["population"], rows=changed, fixed={"updated_at": now})
        _place_events(context, PlaceEventKind.CHANGED, changes)
        context.rows_updated = len(changed)


POSTCODES = "a postcode lookup (postcode, latitude, longitude)"


class PostcodeLookupImporter(Importer):
    name = "postcode-lookup"
    label = "Postcode lookup (postcode centres)"
    hint = "Postcode, latitude and longitude, e.g. the ONS Postcode Directory (pcds, lat, long)."
    documentation = "place-lookups.md"
    options = (
        column_option("postcode_column", "the column of the postcodes (default: postcode, pcds…)"),
        column_option("latitude_column", "the column of the latitudes (default: latitude, lat)"),
        column_option("longitude_column", "the column of the longitudes (default: longitude, long…)"),
    )
    capability = "places.manage"

    def prepare(self, context: ImportContext) -> dict[str, tuple[float, float]]:
        header = read_header(context.path, what=POSTCODES, expected=["postcode", "latitude", "longitude"])
        postcode = _column(header, context.options, "postcode_column", [r"postcode", r"pcds", r"pcd", r"pcd7", r"pcd8"], what=POSTCODES, required=True)
        latitude = _column(header, context.options, "latitude_column", [r"latitude", r"lat"], what=POSTCODES, required=True)
        longitude = _column(header, context.options, "longitude_column", [r"longitude", r"long", r"lon", r"lng"], what=POSTCODES, required=True)
        reader = CsvReader(context.path, what=POSTCODES, header=header, fingerprint=context.fingerprint)
        context.total = reader.estimated_rows
        locator = PointLocator(latitude_field=latitude, longitude_field=longitude)
        centres: dict[str, tuple[float, float]] = {}
        for chunk in reader.chunks(columns=[postcode, latitude, longitude]):
            frame = chunk.frame
            context.rows_read += len(frame)
            checks = RowChecks(context, frame, chunk.row_numbers)
            checks.incomplete(chunk.incomplete, longitude)
            postcodes = np.array(["".join(text.split()).upper() for text in column_values(frame, postcode).tolist()], dtype=object)
            checks.fail(postcodes == "", postcode, f"{postcode} is blank")
            checks.fail(np.array([len(text) > 8 for text in postcodes.tolist()]), postcode, f"{postcode} is longer than a postcode")
            located = locator.check_only(column_values(frame, latitude), column_values(frame, longitude))
            checks.fail_located(located)
            checks.fail(~checks.failed & ~located.has_point, latitude, "no latitude and longitude")
            kept = np.flatnonzero(~checks.failed)
            centres.update(zip(postcodes[kept].tolist(), zip(located.latitude[kept].tolist(), located.longitude[kept].tolist(), strict=True), strict=True))
            context.report_read(context.rows_read)
        return centres

    def write(self, context: ImportContext, prepared: dict[str, tuple[float, float]]) -> None:
        """Add the new postcodes and move the known ones: one INSERT … ON CONFLICT DO UPDATE per
        1,000 postcodes (`bulk_update.rows_insert`)."""
        before = PostcodeCentroid.objects.aggregate(count=Count("id"))["count"]
        items = list(prepared.items())
        for start in range(0, len(items), 50_000):
            rows_insert(
                model=PostcodeCentroid, fields=["postcode", "latitude", "longitude"],
                rows=((code, latitude, longitude) for code, (latitude, longitude) in items[start : start + 50_000]),
                unique_fields=["postcode"], update_fields=["latitude", "longitude"],
            )
            context.report_written(start + 50_000)
        context.rows_imported = PostcodeCentroid.objects.count() - before
        context.rows_updated = len(items) - context.rows_imported

