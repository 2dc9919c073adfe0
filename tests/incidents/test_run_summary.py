"""An import run's summary, the message its page shows when it has finished, counts in English."""

import pytest

from saferplace.incidents.importers.base import _summary
from saferplace.incidents.models import ImportRun


@pytest.mark.parametrize(("counts", "written"), [
    ({"rows_read": 1, "rows_imported": 1}, "1 row read, 1 imported, 0 rejected."),
    ({"rows_read": 3, "rows_imported": 2, "rows_rejected": 1}, "3 rows read, 2 imported, 1 rejected."),
    ({"rows_read": 2, "rows_imported": 2, "rows_replaced": 1}, "2 rows read, 2 imported, 1 earlier record replaced, 0 rejected."),
    ({"rows_read": 1200, "rows_imported": 1000, "rows_replaced": 2, "rows_updated": 1, "rows_rejected": 200},
     "1,200 rows read, 1,000 imported, 2 earlier records replaced, 1 updated, 200 rejected."),
])
def test_the_summary_counts_in_english(counts, written):
    run = ImportRun(**{"rows_read": 0, "rows_imported": 0, "rows_replaced": 0, "rows_updated": 0, "rows_rejected": 0, **counts})
    assert _summary(run) == written
