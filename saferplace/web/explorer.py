"""The incident explorer's filter form (a GET form that works without JavaScript), the selected
filters it shows as removable tags, and the geometry of its monthly bar chart (an SVG drawn on
the server, so the chart needs no script)."""

import re
from dataclasses import dataclass
from datetime import date

from django import forms
from django.http import QueryDict
from django.utils import timezone

from saferplace.incidents.selectors import (
    RADII,
    WEEKDAYS,
    CategoryGroupOptions,
    IncidentFilters,
    place_find,
    postcode_find,
    postcode_normalised,
)
from saferplace.incidents.sources import source_name

PERIODS = [
    ("", "Any time"),
    ("3", "The last 3 months"),
    ("12", "The last 12 months"),
    ("dates", "Between dates"),
]
MEASURES = [("count", "Number of incidents"), ("harm", "Harm")]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
HOURS = [("", "Any time"), *[(str(hour), f"{hour:02}:00") for hour in range(24)]]
SORT_CHOICES = [("newest", "Newest first"), ("oldest", "Oldest first"), ("category", "Category (A to Z)")]
DEFAULT_RADIUS = 500
# A road number in brackets at the end of a search: "(A615)", "(B1234)", "(M1)", "(A1(M))".
ROAD_NUMBER = re.compile(r"\s*\(\s*[ABM]\d{1,4}(?:\s*\(M\))?\s*\)$", re.IGNORECASE)


def _distance(metres: int) -> str:
    """ "250 metres", "1 kilometre", "2 kilometres"."""
    if metres % 1000 == 0:
        kilometres = metres // 1000
        return f"{kilometres} kilometre{'' if kilometres == 1 else 's'}"
    return f"{metres:,} metres"


RADIUS_CHOICES = [(str(metres), _distance(metres)) for metres in RADII]


def months_back(today: date, months: int) -> date:
    """The first day of the month `months - 1` months before `today`'s: the start of a period of
    `months` calendar months that ends with this one."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def place_chosen(text: str):
    """The community, ward or LSOA a form's place names (its name or code), None for none; a
    form error saying which places are meant when a name is not one place."""
    text = text.strip()
    if not text:
        return None
    place, candidates = place_find(text=text)
    if place is None:
        if candidates:
            choices = "; ".join(f"{c.name} ({c.code}), a {c.get_kind_display().lower()}" for c in candidates)
            raise forms.ValidationError(f"More than one place is called {text}: choose one of {choices}")
        raise forms.ValidationError(f"There is no community, ward or LSOA called {text}: check the name or code")
    return place


class ExplorerFilterForm(forms.Form):
    source = forms.ChoiceField(required=False, label="Source",
                               error_messages={"invalid_choice": "Choose a source from the list"})
    category = forms.MultipleChoiceField(
        required=False, label="Categories",
        error_messages={"invalid_choice": "Choose categories from the list (%(value)s is not one of them)"},
    )
    place = forms.CharField(required=False, max_length=200, label="Place",
                            help_text="A community, ward or LSOA: start typing its name, or give its code")
    period = forms.ChoiceField(required=False, choices=PERIODS, label="Period",
                               error_messages={"invalid_choice": "Choose a period from the list"})
    date_from = forms.DateField(required=False, label="From", input_formats=DATE_FORMATS,
                                help_text="For example 2026-01-01",
                                error_messages={"invalid": "Enter the 'from' date as a real date, like 2026-01-01"})
    date_to = forms.DateField(required=False, label="To", input_formats=DATE_FORMATS,
                              help_text="For example 2026-12-31",
                              error_messages={"invalid": "Enter the 'to' date as a real date, like 2026-12-31"})
    measure = forms.ChoiceField(required=False, choices=MEASURES, label="Colour the hexagons by",
                                error_messages={"invalid_choice": "Choose number of incidents or harm"})
    q = forms.CharField(required=False, max_length=100, label="Search by reference, street or postcode",
                        help_text="For example FP-CR-1042, High Street or RV1 2AB")
    owner = forms.ChoiceField(required=False, label="Recorded by",
                              error_messages={"invalid_choice": "Choose an organisation from the list"})
    outcome = forms.ChoiceField(required=False, label="Outcome",
                                error_messages={"invalid_choice": "Choose an outcome from the list"})
    hour_from = forms.ChoiceField(required=False, choices=HOURS, label="From",
                                  error_messages={"invalid_choice": "Choose the 'from' time from the list"})
    hour_to = forms.ChoiceField(required=False, choices=HOURS, label="To",
                                error_messages={"invalid_choice": "Choose the 'to' time from the list"})
    weekday = forms.TypedMultipleChoiceField(
        required=False, coerce=int, label="Days of the week",
        choices=[(str(number), name) for number, name in WEEKDAYS.items()],
        error_messages={"invalid_choice": "Choose days of the week from the list"},
    )
    # Filled in by "Near me" (frontend/js/explorer.mjs) from the browser's location.
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    radius = forms.ChoiceField(required=False, choices=RADIUS_CHOICES, label="Distance", initial=str(DEFAULT_RADIUS),
                               help_text="How far from the postcode, or from you, to look",
                               error_messages={"invalid_choice": "Choose a distance from the list"})
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, label="Sort by",
                             error_messages={"invalid_choice": "Choose an order from the list"})

    def __init__(self, *args, sources: list[str], category_groups: list[CategoryGroupOptions],
                 owners: list[str] = (), outcomes: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.category_groups = category_groups
        self.fields["source"].choices = [("", "Any source"), *[(source, source_name(source)) for source in sources]]
        self.fields["category"].choices = [
            (option.code, option.name) for group in category_groups for option in group.categories
        ]
        self.fields["owner"].choices = [("", "Any organisation"), *[(name, name) for name in owners]]
        self.fields["outcome"].choices = [("", "Any outcome"), *[(text, text) for text in outcomes]]
        self.place = None
        self.postcode = ""  # the postcode searched near, as the person wrote it
        self.near = None

    def clean_place(self) -> str:
        self.place = place_chosen(self.cleaned_data["place"])
        return self.place.code if self.place else ""

    def clean_q(self) -> str:
        """The search in single spaces, without a road number in brackets after a street's name:
        pages write a street with its number ("Lincoln Road (A615)"), the records have the name."""
        text = " ".join(self.cleaned_data["q"].split())
        return ROAD_NUMBER.sub("", text) or text

    def clean(self):
        data = super().clean()
        self._clean_near(data)
        period = data.get("period") or ""
        if period in ("3", "12"):
            today = timezone.localdate()
            data["date_from"], data["date_to"] = months_back(today, int(period)), today
        elif period == "" and (data.get("date_from") or data.get("date_to")):
            data["period"] = "dates"
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return data

    def _clean_near(self, data: dict) -> None:
        """A postcode in the search box, or the coordinates "Near me" filled in, as a point to
        look around (`self.near`); a postcode the lookup does not have is an error."""
        radius = int(data.get("radius") or DEFAULT_RADIUS)
        text = data.get("q") or ""
        latitude, longitude = data.get("latitude"), data.get("longitude")
        # The coordinates are no field anyone sees: a problem with them is the form's.
        broken = {"latitude", "longitude"} & set(self.errors)
        for name in broken:
            del self.errors[name]
        if broken or (latitude is None) != (longitude is None):
            self.add_error(None, "Your location could not be used: choose “Near me” again, or search by postcode")
            latitude = longitude = None
        has_point = latitude is not None and longitude is not None
        if postcode_normalised(text):
            if has_point:
                self.add_error("q", "Search near a postcode or near your location, not both: remove one of them")
                return
            centroid = postcode_find(text=text)
            if centroid is None:
                self.add_error("q", f"There is no location for the postcode {text.upper()}: check it, or search by street")
                return
            self.postcode = text.upper()
            data["q"] = ""  # a postcode is a place to look around, not text to look for
            self.near = (centroid.latitude, centroid.longitude, radius)
        elif has_point:
            self.near = (round(latitude, 5), round(longitude, 5), radius)

    def filters(self) -> IncidentFilters:
        """The filters the valid fields ask for (a field with an error is left out)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        categories = tuple(data.get("category") or ())
        hours_valid = not {"hour_from", "hour_to"} & set(self.errors)
        return IncidentFilters(
            source=data.get("source") or "",
            category=categories[0] if len(categories) == 1 else "",
            categories=categories if len(categories) > 1 else (),
            place_code=data.get("place") or "",
            date_from=data.get("date_from") if "date_from" not in self.errors else None,
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
            owner=data.get("owner") or "",
            outcome=data.get("outcome") or "",
            hour_from=int(data["hour_from"]) if hours_valid and data.get("hour_from") else None,
            hour_to=int(data["hour_to"]) if hours_valid and data.get("hour_to") else None,
            weekdays=tuple(data.get("weekday") or ()),
            search=(data.get("q") or "") if "q" not in self.errors else "",
            near=self.near,
            sort=data.get("sort") or "",
        )

    @property
    def chosen_measure(self) -> str:
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        return data.get("measure") or "count"


def selected_filters(form: ExplorerFilterForm, query: QueryDict) -> list[dict]:
    """The filters in force as MoJ filter tags, each linking to the same page without it."""
    if not form.is_bound:
        return []
    data = form.cleaned_data
    names = {code: name for code, name in form.fields["category"].choices}

    def without(key: str, value: str | None = None) -> str:
        remaining = query.copy()
        remaining.pop("page", None)
        if value is None:
            for name in TOGETHER.get(key, (key,)):
                remaining.pop(name, None)
        else:
            remaining.setlist(key, [item for item in remaining.getlist(key) if item != value])
        return "?" + remaining.urlencode()

    categories = []
    if data.get("q") and "q" not in form.errors:
        categories.append({"heading": "Search", "items": [{"text": f"“{data['q']}”", "href": without("q")}]})
    if form.near is not None:
        distance = _distance(form.near[2])
        if form.postcode:
            item = {"text": f"Within {distance} of {form.postcode}", "href": without("q")}
        else:
            item = {"text": f"Within {distance} of your location", "href": without("near")}
        categories.append({"heading": "Near", "items": [item]})
    if data.get("source"):
        categories.append({"heading": "Source", "items": [{"text": source_name(data["source"]), "href": without("source")}]})
    if data.get("owner"):
        categories.append({"heading": "Recorded by", "items": [{"text": data["owner"], "href": without("owner")}]})
    if data.get("outcome"):
        categories.append({"heading": "Outcome", "items": [{"text": data["outcome"], "href": without("outcome")}]})
    if data.get("category"):
        categories.append({"heading": "Categories", "items": [
            {"text": names.get(code, code), "href": without("category", code)} for code in data["category"]
        ]})
    if form.place is not None:
        categories.append({"heading": "Place", "items": [
            {"text": f"{form.place.name} ({form.place.get_kind_display().lower()})", "href": without("place")}
        ]})
    if data.get("date_from") or data.get("date_to"):
        start = _day(data["date_from"]) if data.get("date_from") else "the start"
        end = _day(data["date_to"]) if data.get("date_to") else "now"
        categories.append({"heading": "Period", "items": [{"text": f"{start} to {end}", "href": without("period")}]})
    filters = form.filters()
    if filters.hour_from is not None or filters.hour_to is not None:
        start, end = filters.hour_from or 0, filters.hour_to or 0
        if start == end:
            text = "Any hour (a time of day recorded)"
        else:
            text = f"{start:02}:00 to {end:02}:00" + (" (past midnight)" if end and start > end else "")
        categories.append({"heading": "Time of day", "items": [{"text": text, "href": without("hours")}]})
    if filters.weekdays:
        categories.append({"heading": "Days of the week", "items": [
            {"text": WEEKDAYS[day], "href": without("weekday", str(day))} for day in sorted(set(filters.weekdays))
        ]})
    return categories


# A filter made of several fields: its tag removes them together.
TOGETHER = {
    "period": ("period", "date_from", "date_to"),
    "hours": ("hour_from", "hour_to"),
    "near": ("latitude", "longitude"),
}


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


def bar_chart(months: list[dict], *, width: int = 720, height: int = 280) -> dict:
    """Positions of the bars, axis ticks and month labels of an SVG chart of monthly counts."""
    left, right, top, bottom = 48, 8, 12, 44
    plot_width, plot_height = width - left - right, height - top - bottom
    peak = max((month["count"] for month in months), default=0)
    scale_max = _nice_ceiling(peak)
    slot = plot_width / max(len(months), 1)
    gap = min(4.0, slot * 0.2)
    bars = []
    for position, month in enumerate(months):
        bar_height = plot_height * month["count"] / scale_max if scale_max else 0
        bars.append(Bar(
            x=round(left + position * slot + gap / 2, 2), y=round(top + plot_height - bar_height, 2),
            width=round(max(slot - gap, 1), 2), height=round(bar_height, 2),
            label=month["month"].strftime("%B %Y"), value=month["count"],
        ))
    every = max(1, -(-len(months) // 12))  # at most 12 month labels
    labels = [
        {"x": round(left + position * slot + slot / 2, 2), "text": month["month"].strftime("%b"),
         "year": month["month"].strftime("%Y") if position == 0 or month["month"].month == 1 else ""}
        for position, month in enumerate(months) if position % every == 0
    ]
    ticks = [
        {"y": round(top + plot_height - plot_height * step / 4, 2), "value": f"{scale_max * step // 4:,}"}
        for step in range(5)
    ] if scale_max else []
    return {"width": width, "height": height, "left": left, "right": width - right, "top": top,
            "baseline": top + plot_height, "bars": bars, "labels": labels, "ticks": ticks, "peak": peak}


def _nice_ceiling(value: int) -> int:
    """The smallest of 4, 8, 12, 20, 40… (a multiple of 4, so quarter ticks are whole) at or
    above `value`."""
    if value <= 0:
        return 0
    magnitude = 1
    while True:
        for step in (4, 8, 12, 20):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10
