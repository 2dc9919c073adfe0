"""Settings come from the environment through strict helpers; production settings pass Django's
deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from saferplace.env import env_bool, env_choice, env_int, env_json_object, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args], env=environment, capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SAFERPLACE_ENV="production", SECRET_KEY="k" * 20 + "production-secret-for-the-check-" + "z" * 20,
        ALLOWED_HOSTS="saferplace.example.org", SAFERPLACE_DATA_DIR=str(tmp_path),
        AUDIT_HASH_KEYS="2026a:" + "a" * 40, AUDIT_CHECKPOINT_KEY="c" * 40, SAFERPLACE_PSEUDONYM_KEY="p" * 40,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage("check", SAFERPLACE_ENV="production", ALLOWED_HOSTS="x.example", SAFERPLACE_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY must be set." in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    result = _manage("check", SAFERPLACE_ENV="production", SECRET_KEY="short", SAFERPLACE_DATA_DIR=str(tmp_path))
    assert "SECRET_KEY must be at least 50 characters long in production." in result.stderr


def test_helpers_name_the_variable_and_the_problem(monkeypatch):
    monkeypatch.setenv("SP_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SP_FLAG must be one of true/false"):
        env_bool("SP_FLAG", False)
    monkeypatch.setenv("SP_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SP_NUMBER must be a whole number, not 'ten'"):
        env_int("SP_NUMBER", 1)
    monkeypatch.setenv("SP_NUMBER", "99")
    with pytest.raises(ImproperlyConfigured, match="between 0 and 15, not 99"):
        env_int("SP_NUMBER", 1, minimum=0, maximum=15)
    monkeypatch.setenv("SP_MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match="SP_MODE must be one of development, production"):
        env_choice("SP_MODE", "development", ("development", "production"))
    monkeypatch.delenv("SP_MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SP_MISSING must be set"):
        env_str("SP_MISSING")


def test_helpers_parse_good_values(monkeypatch):
    monkeypatch.setenv("SP_FLAG", "Yes")
    monkeypatch.setenv("SP_NUMBER", "7")
    monkeypatch.setenv("SP_LIST", "a.example, b.example,,")
    assert env_bool("SP_FLAG", False) is True
    assert env_int("SP_NUMBER", 1) == 7
    assert env_list("SP_LIST", []) == ["a.example", "b.example"]


def test_a_json_object_setting_is_read_strictly(monkeypatch):
    monkeypatch.setenv("SP_OPTIONS", '{"bucket_name": "uploads"}')
    assert env_json_object("SP_OPTIONS", {}) == {"bucket_name": "uploads"}
    for wrong in ("bucket_name=uploads", '["uploads"]'):
        monkeypatch.setenv("SP_OPTIONS", wrong)
        with pytest.raises(ImproperlyConfigured, match="SP_OPTIONS must be a JSON object"):
            env_json_object("SP_OPTIONS", {})


def test_uploads_are_kept_in_the_storage_the_environment_names(tmp_path):
    show = "from django.conf import settings; print(settings.STORAGES['default'])"
    default = _manage("shell", "-v", "0", "-c", show, SAFERPLACE_DATA_DIR=str(tmp_path))
    assert default.stdout.strip() == str({"BACKEND": "django.core.files.storage.FileSystemStorage",
                                          "OPTIONS": {"location": str(tmp_path / "media")}}), default.stderr
    other = _manage("shell", "-v", "0", "-c", show, SAFERPLACE_DATA_DIR=str(tmp_path),
                    FILE_STORAGE_BACKEND="storages.backends.s3.S3Storage",
                    FILE_STORAGE_OPTIONS='{"bucket_name": "riverford-uploads"}')
    assert other.stdout.strip() == str({"BACKEND": "storages.backends.s3.S3Storage",
                                        "OPTIONS": {"bucket_name": "riverford-uploads"}}), other.stderr


def test_every_setting_read_is_listed_in_env_example():
    import re

    read = set()
    for path in (ROOT / "saferplace").rglob("*.py"):
        read |= set(re.findall(r'env_(?:str|bool|int|list|choice|keys|json_object)\(\s*"([A-Z0-9_]+)"', path.read_text()))
    example = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in read if not re.search(rf"^#?\s*(PROD:\s*)?{name}=", example, re.MULTILINE))
    assert not missing, f"not in .env.example: {missing}"


def test_production_refuses_to_start_without_audit_keys(tmp_path):
    result = _manage("check", SAFERPLACE_ENV="production", SECRET_KEY="s" * 60, ALLOWED_HOSTS="x.example",
                     SAFERPLACE_DATA_DIR=str(tmp_path))
    assert "The environment variable AUDIT_HASH_KEYS must be set." in result.stderr
    result = _manage("check", SAFERPLACE_ENV="production", SECRET_KEY="s" * 60, ALLOWED_HOSTS="x.example",
                     SAFERPLACE_DATA_DIR=str(tmp_path), AUDIT_HASH_KEYS="2026a:short", AUDIT_CHECKPOINT_KEY="c" * 40, SAFERPLACE_PSEUDONYM_KEY="p" * 40)
    assert "Each secret in AUDIT_HASH_KEYS must be at least 32 characters long." in result.stderr


def test_production_refuses_to_start_without_a_pseudonym_key(tmp_path):
    keys = {"SECRET_KEY": "s" * 60, "AUDIT_HASH_KEYS": "2026a:" + "a" * 40, "AUDIT_CHECKPOINT_KEY": "c" * 40}
    result = _manage("check", SAFERPLACE_ENV="production", ALLOWED_HOSTS="x.example", SAFERPLACE_DATA_DIR=str(tmp_path),
                     **keys)
    assert "The environment variable SAFERPLACE_PSEUDONYM_KEY must be set." in result.stderr
    result = _manage("check", SAFERPLACE_ENV="production", ALLOWED_HOSTS="x.example", SAFERPLACE_DATA_DIR=str(tmp_path),
                     SAFERPLACE_PSEUDONYM_KEY="short", **keys)
    assert "SAFERPLACE_PSEUDONYM_KEY must be at least 32 characters long in production." in result.stderr


def test_the_demo_runs_with_debug_off_by_default():
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def test_production_cookies_are_host_only(tmp_path):
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)",
                     SAFERPLACE_ENV="production", SECRET_KEY="s" * 60, ALLOWED_HOSTS="x.example",
                     SAFERPLACE_DATA_DIR=str(tmp_path), AUDIT_HASH_KEYS="2026a:" + "a" * 40, AUDIT_CHECKPOINT_KEY="c" * 40, SAFERPLACE_PSEUDONYM_KEY="p" * 40)
    assert result.stdout.strip().splitlines()[-1] == "__Host-sessionid __Host-csrftoken", result.stderr
