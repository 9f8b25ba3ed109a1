"""The deployment recipe (deploy/) cannot drift from the product: the Compose file parses, names only
MWO_* settings that exist, gives every MWO role the same store, broker, queue and secrets key, runs
the roles it promises (replicated, health-checked on /health), builds llama.cpp with the Makefile's
flags from the lock file, and docs/operations.md describes each setting it uses."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest

from mwo.settings import Settings
from tests.deploy_recipe import (
    COMPOSE,
    DEPLOY,
    MWO_ROLES,
    ROOT,
    environment,
    interpolate,
    load_compose,
    mwo_names,
)

SETTING_NAMES = {f"MWO_{name.upper()}" for name in Settings.model_fields}
RECIPE_FILES = ["compose.yaml", "Dockerfile", "env.example", "Caddyfile"]
SHARED = ("MWO_HOME", "MWO_DATABASE_URL", "MWO_EXECUTOR", "MWO_CELERY_BROKER_URL", "MWO_CELERY_QUEUE")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


def services(compose: dict[str, Any]) -> dict[str, Any]:
    found = compose["services"]
    assert isinstance(found, dict)
    return found


def docs_section() -> str:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    start = text.index("## Deploying several servers and workers")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def test_the_recipe_has_every_role(compose: dict[str, Any]) -> None:
    roles = services(compose)
    assert {"postgres", "redis", "model-init", "migrate", "serve", "proxy", "worker", "ui"} <= set(roles)
    assert roles["postgres"]["image"].startswith("postgres:")
    assert roles["redis"]["image"].startswith("redis:")
    commands = {name: roles[name]["command"][:2] for name in ("model-init", "migrate", *MWO_ROLES)}
    assert commands == {
        "model-init": ["mwo", "llm"],
        "migrate": ["mwo", "doctor"],
        "serve": ["mwo", "serve"],
        "worker": ["mwo", "worker"],
        "ui": ["mwo", "ui"],
    }
    assert roles["model-init"]["command"] == ["mwo", "llm", "pull"]
    for name in ("model-init", "migrate", *MWO_ROLES):
        assert roles[name]["build"]["dockerfile"] == "deploy/Dockerfile", name


@pytest.mark.parametrize("file", RECIPE_FILES)
def test_every_mwo_name_in_the_recipe_is_a_setting(file: str) -> None:
    names = mwo_names((DEPLOY / file).read_text(encoding="utf-8"))
    assert names - SETTING_NAMES == set(), f"deploy/{file} names settings that do not exist"


def test_every_mwo_role_shares_the_store_the_broker_and_the_secrets_key(compose: dict[str, Any]) -> None:
    roles = services(compose)
    envs = {name: environment(roles[name]) for name in ("migrate", *MWO_ROLES)}
    for name in SHARED:
        values = {role: env.get(name) for role, env in envs.items()}
        assert len(set(values.values())) == 1 and None not in values.values(), (name, values)
    assert envs["serve"]["MWO_EXECUTOR"] == "celery"
    assert envs["serve"]["MWO_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert envs["serve"]["MWO_CELERY_BROKER_URL"].startswith("redis://redis:")
    key_file = f"{envs['serve']['MWO_HOME']}/secret.key"
    for role in ("migrate", *MWO_ROLES):
        mounted = {(s["source"], s["target"]) for s in roles[role]["secrets"]}
        assert ("mwo_secret_key", key_file) in mounted, role
    assert "file" in compose["secrets"]["mwo_secret_key"]


def test_servers_and_workers_are_replicated_and_health_checked(compose: dict[str, Any]) -> None:
    roles = services(compose)
    assert roles["serve"]["deploy"]["replicas"] >= 2
    assert roles["worker"]["deploy"]["replicas"] >= 2
    port = environment(roles["serve"])["MWO_SERVE_PORT"]
    assert f"127.0.0.1:{port}/health" in " ".join(roles["serve"]["healthcheck"]["test"])
    assert "/_stcore/health" in " ".join(roles["ui"]["healthcheck"]["test"])
    assert environment(roles["ui"])["MWO_SERVE_HOST"] == "serve"  # the UI asks a server's /health
    assert roles["proxy"]["depends_on"]["serve"]["condition"] == "service_healthy"
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert re.search(rf"name serve\s+port {port}\b", caddy), "the proxy spreads over the serve replicas"


def test_roles_start_after_the_schema_and_the_model_are_ready(compose: dict[str, Any]) -> None:
    roles = services(compose)
    for role in MWO_ROLES:
        assert roles[role]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    needs = roles["migrate"]["depends_on"]
    assert needs["postgres"]["condition"] == needs["redis"]["condition"] == "service_healthy"
    assert needs["model-init"]["condition"] == "service_completed_successfully"
    models = environment(roles["serve"])["MWO_LLM_MODEL_DIR"]
    assert f"models:{models}" in roles["model-init"]["volumes"]
    assert f"models:{models}:ro" in roles["worker"]["volumes"]


def test_the_image_builds_llama_cpp_like_the_makefile_from_the_lock_file(compose: dict[str, Any]) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    flags = re.search(r"^LLAMA_CMAKE_ARGS \?= (.+)$", makefile, re.MULTILINE)
    assert flags is not None
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert f'ARG LLAMA_CMAKE_ARGS="{flags.group(1)}"' in dockerfile
    assert services(compose)["serve"]["build"]["args"]["LLAMA_CMAKE_ARGS"] == flags.group(1)
    assert f"LLAMA_CMAKE_ARGS={flags.group(1)}" in (DEPLOY / "env.example").read_text(encoding="utf-8")
    assert dockerfile.count("uv sync --frozen") == 2 and "COPY pyproject.toml uv.lock" in dockerfile


def test_every_compose_variable_is_in_env_example() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    given = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    assert used == given
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        interpolate(text, {})  # refused without the password, as `docker compose config` does


def test_docs_describe_each_setting_of_the_recipe() -> None:
    section = docs_section()
    for name in sorted(mwo_names(COMPOSE.read_text(encoding="utf-8"))):
        assert re.search(rf"`{name}(=[^`]*)?`", section), name
    for role in ("serve", "worker", "ui", "migrate", "model-init", "proxy"):
        assert f"`{role}`" in section, role


def test_docker_compose_accepts_the_file() -> None:
    """`docker compose config` validates offline; skipped where the Compose plugin is missing."""
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("docker compose is not installed here")
    checked = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"POSTGRES_PASSWORD": "pw", "PATH": "/usr/bin:/bin"},
        cwd=DEPLOY,
    )
    assert checked.returncode == 0, checked.stderr
