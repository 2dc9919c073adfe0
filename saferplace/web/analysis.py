"""The analysis pages' choices (a GET form that works without JavaScript) and the small
trend charts drawn on the server as SVG."""

from django import forms

from saferplace.analysis.selectors import EARLIEST, LATEST, LONGEST_DAYS
from saferplace.incidents.selectors import (
    INTERVALS,
    CategoryGroupOptions,
    IncidentFilters,
)
from saferplace.web.explorer import DATE_FORMATS, MEASURES, place_chosen

RESOLUTIONS = [("9", "Small hexagons (about 0.1 km², a few streets)"), ("8", "Medium hexagons (about 0.7 km²)"),
               ("7", "Large hexagons (about 5 km², a neighbourhood)")]


class AnalysisForm(forms.Form):
    category = forms.MultipleChoiceField(
        required=False, label="Categories", help_text="None chosen: every category",
        error_messages={"invalid_choice": "Choose categories from the list (%(value)s is not one of them)"})
    place = forms.CharField(required=False, max_length=200, label="Place",
                            help_text="A community, ward or LSOA: its name or its code")
    date_from = forms.DateField(required=False, label="From", input_formats=DATE_FORMATS, help_text="For example 2026-01-01",
                                error_messages={"invalid": "Enter the 'from' date as a real date, like 2026-01-01"})
    date_to = forms.DateField(required=False, label="To", input_formats=DATE_FORMATS, help_text="For example 2026-12-31",
                              error_messages={"invalid": "Enter the 'to' date as a real date, like 2026-12-31"})
    resolution = forms.ChoiceField(required=False, choices=RESOLUTIONS, label="Size of the areas compared",
                                   error_messages={"invalid_choice": "Choose a size from the list"})
    measure = forms.ChoiceField(required=False, choices=MEASURES, label="Measure",
                                error_messages={"invalid_choice": "Choose number of incidents or harm"})
    interval = forms.ChoiceField(required=False, choices=[(value, value.title() + "s") for value in reversed(INTERVALS)],
                                 label="Time step", error_messages={"invalid_choice": "Choose weeks or months"})

    def __init__(self, *args, category_groups: list[CategoryGroupOptions], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(option.code, option.name) for group in category_groups
                                           for option in group.categories]

    def clean_place(self) -> str:
        place = place_chosen(self.cleaned_data["place"])
        return place.code if place else ""

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        for name in ("date_from", "date_to"):
            if data.get(name) and not EARLIEST <= data[name] <= LATEST:
                self.add_error(name, f"Choose a date from {EARLIEST:%Y} to {LATEST:%Y}")
        if start and end and start > end:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        elif start and end and (end - start).days > LONGEST_DAYS:
            self.add_error("date_to", "Choose a period of ten years at most")
        return data

    def choices(self) -> dict:
        """The analysis's arguments from the valid fields (a field with an error is left out)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        valid = {name: value for name, value in data.items() if name not in self.errors}
        filters = IncidentFilters(categories=tuple(sorted(set(valid.get("category") or ()))), place_code=valid.get("place") or "",
                                  date_from=valid.get("date_from"), date_to=valid.get("date_to"))
        return {"filters": filters, "resolution": int(valid.get("resolution") or 9), "by": valid.get("measure") or "count"}


def sparkline(values: list[float], *, width: int = 120, height: int = 28) -> dict:
    """The points of a small line chart of `values` (z-scores) and where zero is, for an SVG."""
    if not values:
        return {"points": "", "zero": height / 2, "width": width, "height": height}
    top, bottom = max(max(values), 0.0), min(min(values), 0.0)
    span = (top - bottom) or 1.0
    step = width / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return round(2 + (top - value) / span * (height - 4), 1)

    points = " ".join(f"{round(index * step, 1)},{y(value)}" for index, value in enumerate(values))
    return {"points": points, "zero": y(0.0), "width": width, "height": height}
