"""Numbers in words for the messages the domain writes, the same as the pages' count_of."""

import pytest

from saferplace.web.jinja import count_of as page_count_of
from saferplace.words import count_of


@pytest.mark.parametrize(("number", "singular", "plural", "written"), [
    (0, "incident", None, "0 incidents"),
    (1, "incident", None, "1 incident"),
    (2, "row", None, "2 rows"),
    (1204, "incident", None, "1,204 incidents"),
    (1, "community", "communities", "1 community"),
    (3, "community", "communities", "3 communities"),
])
def test_count_of(number, singular, plural, written):
    assert count_of(number, singular, plural) == written
    assert page_count_of(number, singular, plural) == written  # pages and messages say it alike
