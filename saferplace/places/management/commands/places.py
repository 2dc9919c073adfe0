"""`saferplace places load-geojson FILE --kind lsoa --code-property LSOA21CD --name-property LSOA21NM`,
`saferplace places load-streets FILE [--source NAME]` (e.g. an OS Open Roads extract as GeoJSON)
and `saferplace places list [--kind KIND]`."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from saferplace.partners.viewer import operator_viewer
from saferplace.places.models import PLACE_HIERARCHY, Place, PlaceKind, Street
from saferplace.places.services import places_load_geojson, streets_load_geojson

KINDS = [kind.value for kind in PLACE_HIERARCHY]


class Command(BaseCommand):
    help = "Load boundaries or streets from GeoJSON, or list the places SaferPlace knows."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load-geojson,load-streets,list}")
        load = actions.add_parser("load-geojson", help="load a GeoJSON FeatureCollection of boundaries")
        load.add_argument("file", type=Path)
        load.add_argument("--kind", required=True, choices=KINDS)
        load.add_argument("--code-property", required=True, help="the property holding the ONS code, e.g. LSOA21CD")
        load.add_argument("--name-property", required=True, help="the property holding the name, e.g. LSOA21NM")
        load.add_argument("--parent-code-property", help="the property holding the parent place's code")
        load.add_argument("--population-property", help="the property holding the number of residents")
        streets = actions.add_parser(
            "load-streets", help="load a GeoJSON FeatureCollection of streets (WGS84), replacing those of the same source",
        )
        streets.add_argument("file", type=Path)
        streets.add_argument("--source", help="what to call this set of streets (default: the file's name); "
                                              "loading the same source again replaces its streets")
        streets.add_argument("--name-property", help="the property holding the street's name (default: name_1, name1 or name)")
        streets.add_argument("--number-property",
                             help="the property holding the road number (default: road_classification_number, roadNumber or ref)")
        streets.add_argument("--kind-property",
                             help="the property holding the road class, e.g. 'A Road' (default: road_classification or class)")
        listing = actions.add_parser("list", help="count the places of each kind")
        listing.add_argument("--kind", choices=KINDS)

    def handle(self, *args, action, **options):
        if action == "load-geojson":
            self.load(options)
        elif action == "load-streets":
            self.load_streets(options)
        else:
            self.list(options.get("kind"))

    def load(self, options):
        try:
            result = places_load_geojson(
                viewer=operator_viewer(),
                path=options["file"],
                kind=PlaceKind(options["kind"]),
                code_property=options["code_property"],
                name_property=options["name_property"],
                parent_code_property=options.get("parent_code_property"),
                population_property=options.get("population_property"),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {options['file']}: {result.created} {options['kind']} places created, {result.updated} updated."
        ))

    def load_streets(self, options):
        try:
            result = streets_load_geojson(
                viewer=operator_viewer(),
                path=options["file"],
                source=options.get("source"),
                name_property=options.get("name_property"),
                number_property=options.get("number_property"),
                kind_property=options.get("kind_property"),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        replaced = f", replacing {result.replaced}" if result.replaced else ""
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {options['file']}: {result.loaded} streets as “{result.source}”{replaced}."
        ))

    def list(self, kind: str | None):
        places = Place.objects.all()
        if kind:
            places = places.filter(kind=kind)
        counts = {
            row["kind"]: row
            for row in places.values("kind").annotate(total=Count("id"), with_boundary=Count("id", filter=Q(boundary__isnull=False)))
        }
        self.stdout.write(f"{'kind':<32}{'places':>8}{'with boundary':>16}")
        for each in KINDS:
            if kind and each != kind:
                continue
            row = counts.get(each, {"total": 0, "with_boundary": 0})
            self.stdout.write(f"{PlaceKind(each).label:<32}{row['total']:>8}{row['with_boundary']:>16}")
        if not kind:
            self.stdout.write(f"{'Streets':<32}{Street.objects.count():>8}")
