"""Harm weights as data: tables loaded whole or not at all, every problem named; a police.uk
category's weight the volume-weighted mean of its offences'; each change an event with its
reason; only those who may set weights can, and the map's harm follows."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from saferplace.analysis.harm import LARGEST_FILE, TableRefused, derive, read_table
from saferplace.analysis.models import HarmTable
from saferplace.analysis.services import harm_table_load, harm_weights_derive
from saferplace.analysis.settings_selectors import harm_weights_list
from saferplace.audit.models import AuditEntry
from saferplace.errors import NotAllowed
from saferplace.incidents.events import CategoryEvent
from saferplace.incidents.models import IncidentCategory
from saferplace.incidents.recount import counts_differences
from saferplace.incidents.selectors import incident_hexagons
from saferplace.incidents.services import categories_harm_set
from tests.conftest import OPERATOR, make_incident, viewer

DEMO = Path(__file__).parents[2] / "saferplace" / "demo" / "data"
WEIGHTS = b"Offence code,Offence,Weight\n28E,Burglary - residential,380\n30C,Burglary - business,160\n1,Murder,7000\n"
MAPPING = (b"Home Office offence code,Offence,Police.uk crime type,Volume\n28E,Burglary - residential,burglary,3\n"
           b"30C,Burglary - business,Burglary,1\n99Z,Unweighted,burglary,\"1,000\"\n1,Murder,violent-crime,0\n")


def test_a_category_weight_is_the_volume_weighted_mean_of_its_offences():
    derivations = {each.category: each for each in derive({"28E": 380, "30C": 160, "1": 7000}, [
        {"offence_code": "28E", "offence": "", "category": "burglary", "volume": 3},
        {"offence_code": "30C", "offence": "", "category": "burglary", "volume": 1},
        {"offence_code": "99Z", "offence": "", "category": "burglary", "volume": 1000},
        {"offence_code": "1", "offence": "", "category": "violent-crime", "volume": 0},
        {"offence_code": "X", "offence": "", "category": "drugs", "volume": 5},
    ])}
    assert derivations["burglary"].weight == (3 * 380 + 160) / 4 == 325
    assert "1 mapped offence with no weight left out" in derivations["burglary"].in_words()
    assert derivations["violent-crime"].weight is None and derivations["drugs"].weight is None


@pytest.mark.parametrize(("content", "problem"), [
    (b"Offence code,Weight\n28E,abc\n", "Row 2, weight: 'abc' is not a number"),
    (b"Offence code,Weight\n28E,nan\n28E,5\n", "Row 2, weight: 'nan' is not a number from 0"),
    (b"Offence code,Weight\n28E,-1\n", "from 0 to"),
    (b"Offence code,Weight\n28E,1e400\n", "from 0 to"),
    (b"Offence code,Weight\n28E,1\n28E,2\n", "Row 3, offence code: 28E is also in row 2"),
    (b"Offence code,Weight\n,1\n", "Row 2, offence code: empty"),
    (b"Code,Severity\n28E,1\n", "No column for weight"),
    (b"", "The file is empty"),
    (b"Offence code,Weight\n", "no rows"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_a_bad_weights_file_is_refused_with_each_problem_named(content, problem):
    with pytest.raises(TableRefused) as refused:
        read_table(content, shape="weights")
    assert problem in str(refused.value)


def test_a_mapping_needs_whole_volumes_and_categories():
    with pytest.raises(TableRefused) as refused:
        read_table(b"Offence code,Crime type,Volume\n1,,2.5\n2,burglary,=1+2\n", shape="mapping")
    assert refused.value.problems == ["Row 2, volume: '2.5' is not a whole number", "Row 2, police.uk category: empty",
                                      "Row 3, volume: '=1+2' is not a number"]
    with pytest.raises(TableRefused, match="at most"):
        read_table(b"x" * (LARGEST_FILE + 1), shape="mapping")


def test_loading_and_deriving_set_the_weights_with_their_reasons(world, council_admin):
    admin = viewer(council_admin)
    weights = harm_table_load(viewer=admin, kind="css", name="CSS 2025", content=WEIGHTS, source="ONS, illustrative")
    mapping = harm_table_load(viewer=admin, kind="offence-mapping", name="Mapping 2025", content=MAPPING)
    assert (weights.rows, mapping.rows) == (3, 4)
    derived = {row["category"]: row for row in harm_weights_derive(viewer=admin, weights=weights, mapping=mapping)}
    assert derived["burglary"]["weight"] == 325 and derived["burglary"]["changed"]
    assert derived["violent-crime"]["weight"] is None and not derived["violent-crime"]["changed"]
    burglary = IncidentCategory.objects.get(code="burglary")
    assert burglary.harm_weight == 325
    event = CategoryEvent.objects.get(record=burglary)
    assert event.changes == {"harm_weight": [15.0, 325.0]} and "Derived from CSS 2025" in event.note
    assert event.actor_name == admin.name
    shown = {row["code"]: row for row in harm_weights_list(viewer=admin)}
    assert shown["burglary"]["weight"] == 325 and "volume-weighted mean of the weights of 2 offences" in shown["burglary"]["why"]
    assert "built-in" in shown["drugs"]["why"]
    assert weights.events.count() == 2 and AuditEntry.objects.filter(object_type="analysis.harmtable").count() == 2


def test_a_table_with_a_problem_leaves_nothing_behind(world, council_admin):
    admin = viewer(council_admin)
    with pytest.raises(TableRefused, match="'Not a crime' is not a category here"):
        harm_table_load(viewer=admin, kind="offence-mapping", name="Bad", content=MAPPING + b"2,x,Not a crime,5\n")
    assert not HarmTable.objects.exists()
    harm_table_load(viewer=admin, kind="cchi", name="Once", content=WEIGHTS)
    with pytest.raises(TableRefused, match="already"):
        harm_table_load(viewer=admin, kind="cchi", name="Once", content=WEIGHTS)


def test_only_those_who_may_set_weights_can(world, council_analyst, police_officer, council_admin):
    for person in (council_analyst, police_officer):
        with pytest.raises(NotAllowed):
            harm_table_load(viewer=viewer(person), kind="css", name="Mine", content=WEIGHTS)
        with pytest.raises(NotAllowed):
            categories_harm_set(viewer=viewer(person), weights={"burglary": (1.0, "cheaper")})
    assert not HarmTable.objects.exists()
    assert IncidentCategory.objects.get(code="burglary").harm_weight == 15.0
    for hostile in (float("nan"), float("inf"), -1.0, 1e12):
        with pytest.raises(ValueError, match="a harm weight is a number"):
            categories_harm_set(viewer=viewer(council_admin), weights={"burglary": (hostile, "why")})
    with pytest.raises(ValueError, match="say why"):
        categories_harm_set(viewer=viewer(council_admin), weights={"burglary": (2.0, "  ")})
    assert not CategoryEvent.objects.exists()


def test_the_map_harm_follows_a_new_weight(world, council_analyst):
    make_incident(world, owner="council", category="environmental", external_id="FT-1")
    before = incident_hexagons(viewer=viewer(council_analyst))[0]["harm"]
    categories_harm_set(viewer=OPERATOR, weights={"fly-tipping": (4.0, "fly tips near schools")})
    assert incident_hexagons(viewer=viewer(council_analyst))[0]["harm"] == 4.0 != before
    assert counts_differences() == []


def test_the_commands_with_the_demos_illustrative_tables(world, capsys):
    call_command("harm", "load", str(DEMO / "harm-weights-illustrative.csv"), "--kind", "css", "--name", "Demo weights",
                 "--illustrative")
    call_command("harm", "load", str(DEMO / "harm-mapping-illustrative.csv"), "--kind", "offence-mapping",
                 "--name", "Demo mapping", "--illustrative")
    call_command("harm", "derive", "--weights", "Demo weights", "--mapping", "Demo mapping")
    out = capsys.readouterr().out
    assert "illustrative" in out and "burglary: changed. The volume-weighted mean of the weights of 2 offences" in out
    call_command("harm", "set", "fly-tipping", "0.8", "--reason", "agreed at the board")
    call_command("harm", "show")
    assert "agreed at the board" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not loaded"):
        call_command("harm", "load", str(DEMO / "README.md"), "--kind", "css", "--name", "Prose")
    with pytest.raises(CommandError, match="no harm table"):
        call_command("harm", "derive", "--weights", "Nothing", "--mapping", "Demo mapping")
