"""The choices every analysis verb takes (`--category`, `--place`, `--from`, `--to`,
`--resolution`, `--by`, `--fdr`, `--all`, `--format`), read into the selectors' terms."""

import argparse
import json
from datetime import date

from django.core.management.base import CommandError

from saferplace.analysis.getis_ord import ALPHA
from saferplace.analysis.selectors import MEASURES
from saferplace.incidents.geojson import hexagon_polygon
from saferplace.incidents.selectors import IncidentFilters


def add_choices(parser) -> None:
    parser.add_argument("--category", action="append", default=[], metavar="SLUG",
                        help="only this category (repeat for several)")
    parser.add_argument("--place", default="", metavar="CODE", help="only this LSOA, ward or community")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="from this day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="to this day, included")
    parser.add_argument("--resolution", type=int, default=None, help="the H3 resolution (default: the stored one)")
    parser.add_argument("--by", choices=MEASURES, default="count", help="count incidents, or add up their harm")
    parser.add_argument("--fdr", type=float, default=ALPHA, help=f"the false discovery rate (default {ALPHA})")
    parser.add_argument("--all", action="store_true", dest="every_cell", help="every cell tested, not only findings")
    parser.add_argument("--format", choices=["table", "json", "geojson"], default="table")


def whole(least: int, most: int):
    """An argparse type: a whole number from `least` to `most`, or an error saying so."""
    def read(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not least <= number <= most:
            raise argparse.ArgumentTypeError(f"choose from {least} to {most}, not {number}")
        return number
    return read


def day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date: write it as YYYY-MM-DD") from None


def chosen(options: dict) -> dict:
    """The selector's keyword arguments from the parsed options."""
    filters = IncidentFilters(categories=tuple(options["category"]), place_code=options["place"],
                              date_from=day(options["date_from"]), date_to=day(options["date_to"]))
    return {"filters": filters, "resolution": options["resolution"], "by": options["by"], "alpha": options["fdr"],
            "every_cell": options["every_cell"]}


def found_or_error(find, **arguments) -> dict:
    try:
        return find(**arguments)
    except ValueError as error:
        raise CommandError(str(error)) from None


def as_json(found: dict, rows: str, format: str) -> str:
    """`found` as JSON, or its `rows` as a GeoJSON collection of hexagons."""
    if format == "geojson":
        found = {"type": "FeatureCollection", "parameters": found["parameters"],
                 "features": [{"type": "Feature", "geometry": hexagon_polygon(row["h3_cell"]), "properties": row}
                              for row in found[rows]]}
    return json.dumps(found, indent=2)


def table(rows: list[dict], columns: list[tuple[str, str, str]]) -> list[str]:
    """Lines of a plain table: `columns` are (heading, key, format), the first left-aligned."""
    if not rows:
        return []
    cells = [[format(row[key], spec) for _, key, spec in columns] for row in rows]
    widths = [max(len(heading), *(len(line[index]) for line in cells)) for index, (heading, _, _) in enumerate(columns)]

    def line(values):
        return "  ".join(value.ljust(width) if index == 0 else value.rjust(width)
                         for index, (value, width) in enumerate(zip(values, widths, strict=True)))

    return [line([heading for heading, _, _ in columns]), *(line(values) for values in cells)]
