"""`saferplace meeting prepare [--series NAME] [--date D] [--format table|json]`: drafts the
next meeting's agenda as the worker does and prints it; hostile dates and unknown series are
a clear message, never a traceback."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from saferplace.meetings.models import AgendaEntry, Meeting
from saferplace.meetings.services import concern_raise, series_create
from tests.conftest import viewer
from tests.meetings.conftest import MONDAY, SERIES
from tests.worker.test_killed_worker import database_url


def prepare(*arguments: str) -> str:
    output = StringIO()
    call_command("meeting", "prepare", *arguments, stdout=output)
    return output.getvalue()


@pytest.fixture
def concern(series, police_officer):
    return concern_raise(viewer=viewer(police_officer), series=series, title="Needles by the canal steps",
                         where="Canal Walk", summary="Found twice this week")


def test_prepare_prints_the_agenda_as_json(series, concern):
    printed = json.loads(prepare("--date", MONDAY.isoformat(), "--format", "json"))
    meeting = Meeting.objects.get(series=series, date=MONDAY)
    assert printed["meeting"] | {"id": meeting.pk, "series": SERIES, "date": "2026-01-05", "status": "planned",
                                 "chair": series.chair.display_name} == printed["meeting"]
    assert printed["items"] == [{"title": "Needles by the canal steps", "kind": "concern", "place": "Canal Walk",
                                 "score": None, "reasons": [], "source": "Raised by Fenshire Police",
                                 "why": "Put forward by Fenshire Police", "state": "New"}]
    # Again: nothing new, the same agenda.
    assert json.loads(prepare("--series", SERIES.upper(), "--date", "2026-01-05", "--format", "json")) == printed
    assert AgendaEntry.objects.count() == 1


def test_prepare_prints_a_table(series, concern):
    lines = prepare("--date", "2026-01-03").splitlines()  # a Saturday: the Monday after
    assert lines[0] == "Riverford DRMM, Monday 5 January 2026 at 09:30 (1 new on the agenda)"
    assert lines[1].startswith("  1.     -  Needles by the canal steps  [Put forward by Fenshire Police]")


def test_hostile_choices_are_a_clear_message(series, world, police_chair):
    for arguments, message in ((["--date", "not-a-date"], "is not a date"),
                               (["--date", "1066-10-14"], "out of range"),
                               (["--date", "2026-02-30"], "is not a date"),
                               (["--series", "No such meeting"], "no meeting series called 'No such meeting'")):
        with pytest.raises(CommandError, match=message):
            prepare(*arguments)
    series_create(viewer=viewer(police_chair), name="Heathcote problem-solving group", chair=police_chair,
                  member_organisations=[world["organisations"]["council"]])
    with pytest.raises(CommandError, match="several series.*'Heathcote problem-solving group', 'Riverford DRMM'"):
        prepare()
    series.weekdays = []
    series.save()
    with pytest.raises(CommandError, match="no meeting days"):
        prepare("--series", SERIES)
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_no_series_yet_is_a_clear_message():
    with pytest.raises(CommandError, match="no meeting series yet"):
        prepare()


@pytest.mark.django_db(transaction=True)
def test_the_saferplace_command_prepares_without_a_traceback(series, concern, tmp_path):
    """Through the real entry point, in a process of its own on the test database."""
    environment = {**os.environ, "DATABASE_URL": database_url(), "SAFERPLACE_DATA_DIR": str(tmp_path),
                   "AUDIT_CHECKPOINT_SINK": f"file:{tmp_path / 'checkpoints.jsonl'}"}

    def saferplace(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "saferplace.cli", "meeting", "prepare", *arguments],  # noqa: S603
                              cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120)

    done = saferplace("--date", MONDAY.isoformat(), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["items"][0]["title"] == "Needles by the canal steps"
    refused = saferplace("--date", "1066-10-14")
    assert refused.returncode != 0 and "out of range" in refused.stderr
    assert "Traceback" not in refused.stderr + done.stderr
