"""The reports' fixtures (imported by the conftests of tests/reports, tests/web, tests/open311 and
tests/browser): services residents may report, who handles them where, and a way to make a
report as a resident.

Riverford Central (the community, `area`) is covered; inside it, Parkside and Northgate wards. Fly tipping goes
to the council everywhere; litter to the council, but in Parkside to the Business Improvement
District; drug dealing to the police; a safeguarding concern (private, urgent) to the police."""

import pytest

from saferplace.places.models import PlaceKind
from saferplace.places.services import place_create_or_update
from saferplace.reports.models import (
    ReportState,
    ResponseTemplate,
    RoutingRule,
    Service,
    ServiceAttribute,
)
from saferplace.reports.public import resident_viewer
from saferplace.reports.services import report_create
from saferplace.reports.states import report_states_install
from tests.conftest import OPERATOR, square
from tests.tasking.fixtures import area  # noqa: F401 - a fixture used here

IN_PARKSIDE = (52.445, -0.955)
IN_CENTRAL_NOT_PARKSIDE = (52.455, -0.945)
OUTSIDE = (51.5, -0.1)


@pytest.fixture
def services(world, area):  # noqa: F811 - the fixture imported above
    report_states_install(ReportState, ResponseTemplate)
    # The place index finds points by the smallest places: a second ward covers the rest of the point used.
    place_create_or_update(viewer=OPERATOR, kind=PlaceKind.WARD, code="E05900002", name="Northgate",
                           parent=area["community"], population=4000, boundary=square(-0.95, 52.45))
    organisations, categories = world["organisations"], world["categories"]
    fly = Service.objects.create(code="fly-tipping", name="Fly tipping", group="Streets and rubbish",
                                 keywords="rubbish, dumped, waste", data_category=categories["environmental"],
                                 description="Rubbish dumped in the street or on open land")
    ServiceAttribute.objects.create(service=fly, code="what", description="What has been dumped?",
                                    datatype="singlevaluelist", required=True, order=1,
                                    values=[{"key": "household", "name": "Household rubbish"},
                                            {"key": "builders", "name": "Builders' waste"},
                                            {"key": "garden", "name": "Garden waste"}])
    ServiceAttribute.objects.create(service=fly, code="bags", description="About how many bags?",
                                    datatype="number", order=2)
    ServiceAttribute.objects.create(service=fly, code="seen", description="When did you see it?",
                                    datatype="datetime", order=3)
    ServiceAttribute.objects.create(service=fly, code="hazards", description="Anything dangerous?",
                                    datatype="multivaluelist", order=4,
                                    values=[{"key": "needles", "name": "Needles"}, {"key": "asbestos", "name": "Asbestos"}])
    litter = Service.objects.create(code="litter", name="Litter", group="Streets and rubbish",
                                    data_category=categories["environmental"])
    drugs = Service.objects.create(code="drug-dealing", name="Drug dealing", group="Anti-social behaviour",
                                   data_category=categories["asb"])
    safeguarding = Service.objects.create(code="safeguarding", name="Someone at risk", group="Safety",
                                          data_category=categories["safeguarding"], private=True, urgent=True)
    RoutingRule.objects.create(service=fly, organisation=organisations["council"])
    RoutingRule.objects.create(service=litter, organisation=organisations["council"])
    RoutingRule.objects.create(service=litter, organisation=organisations["bid"], place=area["ward"])
    RoutingRule.objects.create(service=drugs, organisation=organisations["police"])
    RoutingRule.objects.create(service=safeguarding, organisation=organisations["police"])
    return {"fly": fly, "litter": litter, "drugs": drugs, "safeguarding": safeguarding}


@pytest.fixture
def make_report(services):
    def make(service="fly", *, at=IN_PARKSIDE, viewer=None, **fields):
        fields.setdefault("description", "Six black bags dumped by the garages")
        if service == "fly":
            fields.setdefault("answers", {"what": "household"})
        return report_create(viewer=viewer or resident_viewer(address="192.0.2.10"), service=services[service],
                             latitude=at[0], longitude=at[1], **fields)

    return make
