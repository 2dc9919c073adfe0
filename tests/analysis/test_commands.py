"""The analysis verbs refuse what makes no sense with the reason, the way the pages do, instead
of answering nothing or quietly changing the number asked for."""

import pytest
from django.core.management import CommandError, call_command

from tests.analysis.test_selectors import burglaries  # noqa: F401 - the fixture


@pytest.mark.parametrize("arguments, reason", [
    (["issues", "--place", "Nowhere"], "no place with the code Nowhere"),
    (["issues", "--from", "2026-10-01", "--to", "2026-01-01"], "'to' date must be the same as or after"),
    (["hotspots", "--from", "2026-10-01", "--to", "2026-01-01"], "'to' date must be the same as or after"),
    (["near-repeat", "--from", "2026-10-01", "--to", "2026-01-01"], "'to' date must be the same as or after"),
    (["emerging", "--to", "9999-12-31"], "from 1900 to 2100"),
    (["issues", "--limit", "0"], "choose from 1 to 200, not 0"),
    (["forecast", "--evaluate", "--months", "-2"], "choose from 1 to 24, not -2"),
])
def test_nonsense_is_refused_with_the_reason(burglaries, arguments, reason):  # noqa: F811
    with pytest.raises(CommandError, match=reason):
        call_command(*arguments)


def test_no_issues_says_so(burglaries, capsys):  # noqa: F811
    call_command("issues", "--from", "2030-01-01", "--to", "2030-02-01")
    assert "No issues stand out for these choices." in capsys.readouterr().out
