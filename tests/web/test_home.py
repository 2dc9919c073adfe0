"""The home page each role lands on."""

import pytest
from django.urls import reverse

from tests.conftest import OPERATOR, sign_in

pytestmark = pytest.mark.django_db


def test_home_counts_read_as_english(client, council_analyst):
    from saferplace.places.models import PlaceKind
    from saferplace.places.services import place_create_or_update

    place_create_or_update(viewer=OPERATOR, kind=PlaceKind.COMMUNITY, code="RVF-C1", name="Central")
    sign_in(client, council_analyst)
    content = client.get(reverse("web:home")).content.decode()
    assert "1 community, 0 wards and 0 LSOAs." in content
