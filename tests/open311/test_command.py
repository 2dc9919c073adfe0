"""`saferplace open311 key create|list|revoke`, through the `saferplace` command: the key printed
once and alone on standard output, it works at once, revoked it stops working; every mistake a
message and a non-zero exit."""

import pytest
from django.core.management import CommandError, call_command

from saferplace.audit.models import AuditEntry
from saferplace.cli import main
from saferplace.reports.models import ApiKey, Report
from tests.open311.conftest import BASE, post_report


@pytest.fixture(autouse=True)
def connection_kept(monkeypatch):
    """`saferplace VERB` closes the database connections when it ends, as a process does; the test
    database lives on in this one."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def test_create_prints_the_key_alone_and_it_works(client, services, capsys):
    main(["open311", "key", "create", "--name", "Riverford app"])
    captured = capsys.readouterr()
    key = captured.out.strip()
    assert key.startswith("o311_") and "\n" not in key
    assert "not shown again" in captured.err
    record = ApiKey.objects.get(name="Riverford app")
    assert record.key_hash != key and key not in record.key_hash
    assert record.organisation is None and record.per_minute == 600
    assert AuditEntry.objects.filter(object_type="reports.apikey", object_id=str(record.pk),
                                     actor_username__startswith="operator:").exists()
    assert post_report(client, key).status_code == 200


def test_a_partners_key_and_its_limit(client, world, capsys):
    call_command("open311", "key", "create", "--name", "Council CRM", "--organisation", "riverford city council",
                 "--per-minute", "30")
    capsys.readouterr()
    record = ApiKey.objects.get(name="Council CRM")
    assert record.organisation == world["organisations"]["council"]
    assert record.per_minute == 30


def test_list_and_revoke(client, services, capsys):
    call_command("open311", "key", "create", "--name", "Riverford app")
    key = capsys.readouterr().out.strip()
    call_command("open311", "key", "list")
    listed = capsys.readouterr().out
    assert "Riverford app" in listed and "in use" in listed and key not in listed
    main(["open311", "key", "revoke", "--name", "Riverford app"])
    assert "no longer works" in capsys.readouterr().out
    call_command("open311", "key", "list")
    assert "revoked" in capsys.readouterr().out
    assert post_report(client, key).status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize(("arguments", "says"), [
    (["create", "--name", ""], "Name the client application"),
    (["create", "--name", "x" * 101], "at most 100"),
    (["create", "--name", "App", "--organisation", "No Such Org"], "no organisation called"),
    (["create", "--name", "App", "--per-minute", "0"], "Requests a minute"),
    (["revoke", "--name", "Never made"], "no key called"),
])
def test_mistakes_are_messages(world, arguments, says):
    with pytest.raises(CommandError, match=says):
        call_command("open311", "key", *arguments)


def test_a_second_key_of_one_name_is_refused(world, capsys):
    call_command("open311", "key", "create", "--name", "App")
    with pytest.raises(CommandError, match="already a key called"):
        call_command("open311", "key", "create", "--name", "App")
    assert ApiKey.objects.count() == 1


def test_a_mistake_through_saferplace_exits_non_zero(world, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["open311", "key", "revoke", "--name", "Never made"])
    assert stopped.value.code != 0
    assert "no key called" in capsys.readouterr().err


def test_the_verb_is_listed(capsys):
    main([])
    assert "open311" in capsys.readouterr().out


def test_the_openapi_document_is_linked_from_discovery(client, world):
    assert "openapi.json" in client.get(f"{BASE}discovery.json").json()["contact"]
