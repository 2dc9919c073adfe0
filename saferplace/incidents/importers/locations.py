"""Locations in bulk: coordinates checked, and places and H3 cells assigned, once per DISTINCT
coordinate pair (police.uk points are snapped to a few thousand map points, so a million rows
need only a few thousand look-ups), then broadcast to every row; LSOA codes resolved once per
distinct code, with the ward and community from the LSOA's parents."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError

from saferplace.places.geometry import assign_places, h3_cells
from saferplace.places.models import Place, PlaceKind
from saferplace.places.services import kind_for_code, place_get_or_create_from_code

_NO_PROBLEM = ("", "")


@dataclass
class Located:
    """Per row: coordinates (NaN where none), the problem found (field and reason, "" where
    none), whether the row has a point, places containing the point (-1 where none), H3 cell."""

    latitude: np.ndarray
    longitude: np.ndarray
    problem_field: np.ndarray
    problem_reason: np.ndarray
    has_point: np.ndarray
    lsoa: np.ndarray
    ward: np.ndarray
    community: np.ndarray
    h3_cell: np.ndarray
    point: np.ndarray  # a number for each distinct point the locator has seen (-1 where none)


def _number(text: str) -> float | None:
    """A finite number, else None: 'nan', 'inf' and '1e309' (which float() reads as infinity)
    are not coordinates. '-0' is zero (+ 0.0 drops the sign), the Greenwich meridian."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value + 0.0 if np.isfinite(value) else None


class PointLocator:
    """Checks coordinate pairs and assigns places and H3 cells, remembering every pair it has
    seen (across the chunks of one file)."""

    def __init__(self, *, latitude_field: str = "Latitude", longitude_field: str = "Longitude",
                 blank_values: tuple[str, ...] = ("",)):
        self.latitude_field = latitude_field
        self.longitude_field = longitude_field
        self.blank_values = set(blank_values)
        # (latitude text, longitude text) → (lat, lon, problem field, reason, lsoa, ward, community, h3, number)
        self.known: dict[tuple[str, str], tuple] = {}

    def _check(self, latitude_text: str, longitude_text: str) -> tuple:
        latitude_text, longitude_text = latitude_text.strip(), longitude_text.strip()
        latitude_blank, longitude_blank = latitude_text in self.blank_values, longitude_text in self.blank_values
        nothing = (np.nan, np.nan)
        if latitude_blank and longitude_blank:
            return (*nothing, *_NO_PROBLEM)
        if latitude_blank or longitude_blank:
            blank, given = (
                (self.latitude_field, self.longitude_field) if latitude_blank else (self.longitude_field, self.latitude_field)
            )
            return (*nothing, blank, f"{blank} is blank but {given} is given")
        latitude, longitude = _number(latitude_text), _number(longitude_text)
        if latitude is None:
            return (*nothing, self.latitude_field, f"{self.latitude_field} {latitude_text!r} is not a number")
        if longitude is None:
            return (*nothing, self.longitude_field, f"{self.longitude_field} {longitude_text!r} is not a number")
        if not -90 <= latitude <= 90:
            return (*nothing, self.latitude_field, f"{self.latitude_field} {latitude_text} is out of range (-90 to 90)")
        if not -180 <= longitude <= 180:
            return (*nothing, self.longitude_field, f"{self.longitude_field} {longitude_text} is out of range (-180 to 180)")
        return (latitude, longitude, *_NO_PROBLEM)

    def _learn(self, pairs: list[tuple[str, str]]) -> None:
        checked = [self._check(latitude, longitude) for latitude, longitude in pairs]
        latitudes = np.array([each[0] for each in checked], dtype=np.float64)
        longitudes = np.array([each[1] for each in checked], dtype=np.float64)
        places = assign_places(latitudes, longitudes)
        cells = h3_cells(latitudes, longitudes)
        for position, pair in enumerate(pairs):
            self.known[pair] = (
                *checked[position],
                int(places[PlaceKind.LSOA][position]),
                int(places[PlaceKind.WARD][position]),
                int(places[PlaceKind.COMMUNITY][position]),
                cells[position] or "",
                len(self.known),
            )

    def check_only(self, latitudes: np.ndarray, longitudes: np.ndarray) -> Located:
        """Coordinates checked, without places or H3 cells (for lookups of millions of points)."""
        checked = [self._check(latitude, longitude) for latitude, longitude in zip(latitudes.tolist(), longitudes.tolist(), strict=True)]
        size = len(checked)
        latitude = np.array([each[0] for each in checked], dtype=np.float64)
        none = np.full(size, -1, dtype=np.int64)
        return Located(
            latitude=latitude,
            longitude=np.array([each[1] for each in checked], dtype=np.float64),
            problem_field=np.array([each[2] for each in checked] or [], dtype=object),
            problem_reason=np.array([each[3] for each in checked] or [], dtype=object),
            has_point=~np.isnan(latitude),
            lsoa=none, ward=none, community=none,
            h3_cell=np.full(size, "", dtype=object),
            point=np.full(size, -1, dtype=np.int64),
        )

    def locate(self, latitudes: np.ndarray, longitudes: np.ndarray) -> Located:
        latitude_codes, latitude_uniques = pd.factorize(latitudes)
        longitude_codes, longitude_uniques = pd.factorize(longitudes)
        width = max(len(longitude_uniques), 1)
        pair_codes, pair_uniques = pd.factorize(latitude_codes.astype(np.int64) * width + longitude_codes)
        pairs = list(zip(
            np.asarray(latitude_uniques, dtype=object)[pair_uniques // width].tolist(),
            np.asarray(longitude_uniques, dtype=object)[pair_uniques % width].tolist(),
            strict=True,
        ))
        unseen = [pair for pair in pairs if pair not in self.known]
        if unseen:
            self._learn(unseen)
        values = [self.known[pair] for pair in pairs]
        columns = list(zip(*values, strict=True)) if values else [()] * 9

        def spread(index: int, dtype) -> np.ndarray:
            return np.asarray(columns[index], dtype=dtype)[pair_codes]

        latitude = spread(0, np.float64)
        has_point = ~np.isnan(latitude)
        return Located(
            latitude=latitude,
            longitude=spread(1, np.float64),
            problem_field=spread(2, object),
            problem_reason=spread(3, object),
            has_point=has_point,
            lsoa=spread(4, np.int64),
            ward=spread(5, np.int64),
            community=spread(6, np.int64),
            h3_cell=spread(7, object),
            point=np.where(has_point, spread(8, np.int64), -1),
        )


class LsoaCodes:
    """LSOA codes given in a file: checked while reading, made known places (with the name the
    file gives) when writing, and turned into LSOA, ward and community ids."""

    def __init__(self, field_name: str):
        self.field_name = field_name
        self.names: dict[str, str] = {}
        self._existing = set(Place.objects.filter(kind=PlaceKind.LSOA).values_list("code", flat=True))

    def _problem(self, code: str) -> str:
        if not code:
            return ""
        if code in self._existing:
            return ""
        if kind_for_code(code) != PlaceKind.LSOA or Place.objects.filter(code=code).exclude(kind=PlaceKind.LSOA).exists():
            return f"{self.field_name} {code!r} is not an LSOA code (LSOA codes start E01 or W01)"
        return ""

    def check(self, codes: np.ndarray, names: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Normalised codes, and the problem with each ("" where none)."""
        code_numbers, uniques = pd.factorize(codes)
        normalised = [str(code).strip().upper() for code in uniques]
        problems = np.empty(len(uniques), dtype=object)
        problems[:] = [self._problem(code) for code in normalised]
        if names is not None and any(code and code not in self._existing and code not in self.names for code in normalised):
            first = pd.Series(names).groupby(code_numbers).first()
            for number, name in first.items():
                if normalised[number]:
                    self.names.setdefault(normalised[number], str(name).strip())
        normalised_array = np.empty(len(uniques), dtype=object)
        normalised_array[:] = normalised
        return normalised_array[code_numbers], problems[code_numbers]

    def resolve(self, codes: list[str], *, viewer) -> dict[str, tuple[int, int, int]]:
        """For each distinct code: (LSOA id, ward id, community id), creating unknown LSOAs.
        Call inside the run's transaction."""
        wanted = sorted({code for code in codes if code})
        places = {place.code: place for place in Place.objects.filter(code__in=wanted)}
        for code in wanted:
            if code not in places:
                try:
                    places[code] = place_get_or_create_from_code(
                        viewer=viewer, code=code, kind=PlaceKind.LSOA, name=self.names.get(code, "")
                    )
                except ValidationError:
                    continue
        parents = dict(Place.objects.values_list("id", "parent_id"))
        kinds = dict(Place.objects.values_list("id", "kind"))
        result = {}
        for code, place in places.items():
            ancestors = {}
            node = place.parent_id
            while node is not None:
                ancestors[kinds[node]] = node
                node = parents.get(node)
            result[code] = (place.pk, ancestors.get(PlaceKind.WARD, -1), ancestors.get(PlaceKind.COMMUNITY, -1))
        return result


def places_from_codes(
    codes: np.ndarray, resolved: dict[str, tuple[int, int, int]], located: Located | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LSOA, ward and community ids per row: from the LSOA code where one is given (ward and
    community from its parents, or from the point when the LSOA has none), else from the point."""
    size = len(codes)
    code_numbers, uniques = pd.factorize(codes)
    table = np.array([resolved.get(code, (-1, -1, -1)) if code else (-1, -1, -1) for code in uniques], dtype=np.int64)
    table = table.reshape(-1, 3)
    by_code = table[code_numbers] if size else np.empty((0, 3), dtype=np.int64)
    if located is None:
        point = np.full((size, 3), -1, dtype=np.int64)
    else:
        point = np.column_stack([located.lsoa, located.ward, located.community])
    has_code = by_code[:, 0] >= 0
    lsoa = np.where(has_code, by_code[:, 0], point[:, 0])
    ward = np.where(has_code & (by_code[:, 1] >= 0), by_code[:, 1], point[:, 1])
    community = np.where(has_code & (by_code[:, 2] >= 0), by_code[:, 2], point[:, 2])
    return lsoa, ward, community
