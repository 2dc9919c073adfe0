"""Importers: each file format the incident store reads, by the name the CLI and the web use.

    from saferplace.incidents.importers import IMPORTERS, import_run_create, import_file

    run = import_run_create(viewer=viewer, importer="police-uk", file_name="2026-05-fenshire-street.csv")
    import_file(viewer=viewer, run=run, path=path)

The run files records for the viewer's own organisation; the operator names one with
options={"organisation": "Fenshire Police"}.
"""

from saferplace.incidents.importers.base import (
    IMPORTERS,
    FileRefused,
    Importer,
    ImportOptionError,
    import_file,
    import_run_create,
    importers_register,
    run_viewer,
)
from saferplace.incidents.importers.lookups import (
    PlaceLookupImporter,
    PopulationImporter,
    PostcodeLookupImporter,
)
from saferplace.incidents.importers.police_uk import PoliceUkImporter
from saferplace.incidents.importers.police_uk_outcomes import PoliceUkOutcomesImporter
from saferplace.incidents.importers.profile import ProfileImporter, profile_columns, profile_preview
from saferplace.incidents.importers.runs import (
    import_rejections_shown,
    import_run_get,
    import_run_history,
    import_run_list,
    import_run_retry,
    import_runs_expire,
    rejections_csv,
    run_is_stopped,
)
from saferplace.incidents.importers.stats19 import Stats19Importer

# The importers, in the order the upload form and the command line list them. They register with
# `base` (which every importer module builds on), so nothing below this package imports it.
importers_register(
    PoliceUkImporter(),
    PoliceUkOutcomesImporter(),
    Stats19Importer(),
    ProfileImporter(),
    PlaceLookupImporter(),
    PopulationImporter(),
    PostcodeLookupImporter(),
)

__all__ = [
    "IMPORTERS",
    "FileRefused",
    "ImportOptionError",
    "Importer",
    "import_file",
    "import_rejections_shown",
    "import_run_create",
    "import_run_get",
    "import_run_history",
    "import_run_list",
    "import_run_retry",
    "import_runs_expire",
    "profile_columns",
    "profile_preview",
    "rejections_csv",
    "run_is_stopped",
    "run_viewer",
]
