"""The person column of a profile's file: replaced by pseudonyms as soon as the file is read
(`pseudonyms.py`), in the copy of the file kept with the run as in what is stored, and written
beside the incidents (`IncidentPerson`) once they have their ids."""

import numpy as np
import pandas as pd

from saferplace.incidents.importers.reading import column_values, map_distinct
from saferplace.incidents.models import Incident, IncidentPerson
from saferplace.incidents.pseudonyms import pseudonym

PEOPLE_BATCH = 5_000


def pseudonymised(frame: pd.DataFrame, column: str, *, organisation_id: int) -> pd.DataFrame:
    """The frame with the person column's references replaced by their pseudonyms ("" for none)."""
    return frame.assign(**{column: map_distinct(column_values(frame, column), lambda text: pseudonym(
        organisation_id=organisation_id, reference=text))})


def people_insert(*, run_id: int, source_rows: np.ndarray, people: np.ndarray) -> int:
    """Link the run's incidents to their people: `people[i]` is the pseudonym of the person in
    the row numbered `source_rows[i]` ("" for nobody). Returns how many links were made."""
    named = {int(row): person for row, person in zip(source_rows, people, strict=True) if person}
    if not named:
        return 0
    incidents = Incident.objects.filter(import_run_id=run_id, source_row__isnull=False).values_list("id", "source_row")
    links = (IncidentPerson(incident_id=pk, person=named[row]) for pk, row in incidents.iterator() if row in named)
    return len(IncidentPerson.objects.bulk_create(links, batch_size=PEOPLE_BATCH))
