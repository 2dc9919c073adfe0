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


def _category_table(content: str) -> list[tuple[str, str]]:
    import re

    table = content.split("Incidents you can see, by category", 1)[1].split("</table>", 1)[0]
    rows = []
    for row in table.split("<tr")[2:]:
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append((cells[0], cells[1]))
    return rows


def test_home_names_categories_and_adds_up_the_rest_as_other(client, world, council_analyst):
    from saferplace.incidents.models import IncidentCategory
    from tests.conftest import make_incident

    codes = list(IncidentCategory.objects.order_by("code").values_list("code", flat=True))
    assert len(codes) >= 10
    for number, code in enumerate(codes[:10]):
        for copy in range(10 - number):  # 10 of the first, 9 of the second… 1 of the tenth
            make_incident(world, owner="council", category="environmental", external_id=f"H-{number}-{copy}",
                          incident_category=code)
    sign_in(client, council_analyst)
    content = client.get(reverse("web:home")).content.decode()
    rows = _category_table(content)
    names = dict(IncidentCategory.objects.values_list("code", "name"))
    assert [name for name, _ in rows[:8]] == [names[code] for code in codes[:8]]  # names, the most first
    assert rows[8] == ("Other (2 more categories)", "3")  # 2 + 1
    assert len(rows) == 9
    assert "the 8 with the most, then the rest" in content
    assert not any(code in [name for name, _ in rows] for code in codes)  # no slugs
    assert f"?category={codes[0]}" in content  # the link still filters by the code
    assert "55</strong><br>records" in content


def test_home_has_no_other_row_for_a_single_category_left(client, world, council_analyst):
    from saferplace.incidents.models import IncidentCategory
    from tests.conftest import make_incident

    codes = list(IncidentCategory.objects.order_by("code").values_list("code", flat=True))
    for number, code in enumerate(codes[:9]):
        make_incident(world, owner="council", category="environmental", external_id=f"H-{number}", incident_category=code)
    sign_in(client, council_analyst)
    rows = _category_table(client.get(reverse("web:home")).content.decode())
    assert len(rows) == 9 and not any(name.startswith("Other") for name, _ in rows)


def test_home_counts_of_one_read_as_one(client, world, council_admin, council_auditor):
    sign_in(client, council_admin)
    content = client.get(reverse("web:home")).content.decode()
    assert "5 organisations." in content
    sign_in(client, council_auditor)
    content = client.get(reverse("web:home")).content.decode()
    assert " entries." in content or " entry." in content
    assert "1 entries" not in content


def test_home_says_which_shared_special_categories_the_viewer_s_role_does_not_open(client, world, police_analyst,
                                                                                   police_officer):
    page = sign_in(client, police_analyst).get(reverse("web:home")).content.decode()
    agreements = page[page.index("Agreements your organisation is party to"):]
    assert ("Safeguarding records are shared with Riverford Health and Care NHS Trust, but only chairs and "
            "practitioners see them.") in agreements
    # A practitioner opens it (their overview: they land on their briefing): nothing to explain.
    page = sign_in(client, police_officer).get(reverse("web:home") + "?overview=1").content.decode()
    assert "Agreements your organisation is party to" in page and "but only" not in page


def test_the_categories_withheld_are_grouped_by_partners_and_roles(world, police_analyst, council_analyst):
    from datetime import date, timedelta

    from saferplace.partners.models import (
        AgreementStatus,
        LawfulBasis,
        Role,
        SpecialCategoryCondition,
    )
    from saferplace.partners.selectors import special_categories_withheld
    from saferplace.partners.services import agreement_save, data_category_ensure
    from tests.conftest import viewer

    categories = {
        code: data_category_ensure(viewer=OPERATOR, code=code, name=name, is_special=True, special_roles=roles)
        for code, name, roles in [("domestic-abuse", "Domestic abuse", [Role.PRACTITIONER, Role.CHAIR]),
                                  ("health", "Health", [Role.PRACTITIONER]), ("secret", "Secret", [])]
    }
    organisations = world["organisations"]
    agreement_save(
        viewer=OPERATOR, title="Violence", reference="ISA-VR", purpose="Violence reduction",
        lawful_basis=LawfulBasis.PUBLIC_TASK, parties=[organisations["police"], organisations["health"]],
        data_categories=list(categories.values()), start_date=date.today() - timedelta(days=1),
        status=AgreementStatus.ACTIVE, special_category_condition=SpecialCategoryCondition.SAFEGUARDING,
    )
    sentences = [item.sentence for item in special_categories_withheld(viewer=viewer(police_analyst))]
    assert sentences == [
        "Domestic abuse and Safeguarding records are shared with Riverford Health and Care NHS Trust, but only "
        "chairs and practitioners see them.",
        "Health records are shared with Riverford Health and Care NHS Trust, but only practitioners see them.",
        "Secret records are shared with Riverford Health and Care NHS Trust, but no role sees them.",
    ]
    assert special_categories_withheld(viewer=viewer(council_analyst)) == []  # not a party
    assert special_categories_withheld(viewer=OPERATOR) == []
