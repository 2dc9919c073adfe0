from datetime import date

import pytest

from saferplace.demo import demo_city_build

# A fixed "today" so the twelve months of data (March 2025 to February 2026) never move.
END = date(2026, 3, 15)
SIZE = 0.05  # about 1,400 incidents: fast, and still enough to see seasons and hotspots


@pytest.fixture
def city(db):
    return demo_city_build(size=SIZE, seed=2026, end=END, progress=False)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Twelve personas with Argon2 take seconds per build; a cheap hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
