"""schemathesis against the served OpenAPI document, on a live server thread: no server errors.

Administration endpoints are called with an administrator's token, batch endpoints with an
archivist's, so generated requests reach the code behind the authorisation checks. Requests that
would disable the very accounts the test uses (revoking its tokens, deactivating its users) are
pointed at a spare account instead, so the run keeps exploring.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from archive.accounts import AccountService
from archive.batches import BatchService
from archive.web import create_web_app
from archive.web.openapi import openapi_document
from tests.web.conftest import AGENCY_A, build_archive, live_server, populate


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    archive = build_archive(tmp)
    populate(archive)
    service = AccountService(archive)
    spare, _ = service.create_user("spare", "official", AGENCY_A, password="spare-password-1")
    spare_token, _ = service.create_token("spare")
    admin_info, admin_token = service.create_token("admin-a")
    archivist_info, archivist_token = service.create_token("archivist-a")
    _, official_token = service.create_token("official-b")
    sample = tmp / "cong-van.txt"
    sample.write_text("Công văn", encoding="utf-8")
    archivist = service.by_username("archivist-a")
    assert archivist is not None
    BatchService(archive).submit([sample], submitted_by=archivist.id)
    protected_users = {u.id for u in service.users(limit=100)[0] if u.username in ("admin-a", "archivist-a")}
    with live_server(create_web_app(archive)) as url:
        yield {"url": url, "admin": admin_token, "archivist": archivist_token, "official": official_token,
               "protected_tokens": {admin_info.id, archivist_info.id}, "spare_token_id": spare_token.id,
               "protected_users": protected_users, "spare_user": spare.id}
    archive.engine.dispose()


def test_api_has_no_server_errors(live: dict[str, object]) -> None:
    """Every operation of the document served by the live server, with valid and invalid data."""
    schema = schemathesis.openapi.from_url(f"{live['url']}/api/v1/openapi.json")
    failures: list[str] = []
    labels: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.add(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            def run(case) -> None:  # type: ignore[no-untyped-def]
                params = case.path_parameters or {}
                if "token_id" in params and params["token_id"] in live["protected_tokens"]:
                    params["token_id"] = live["spare_token_id"]
                if "user_id" in params and params["user_id"] in live["protected_users"]:
                    params["user_id"] = live["spare_user"]
                token = live["archivist"] if case.path.startswith(("/api/v1/batches", "/api/v1/sharing")) else live["admin"]
                if case.path == "/api/v1/sharing/requests":
                    token = live["official"]  # only officials request; the others stop at 403
                case.call_and_validate(base_url=str(live["url"]), headers={"Authorization": f"Bearer {token}"},
                                       checks=[not_a_server_error])

            try:
                run()
            except Unsatisfiable:
                if mode is GenerationMode.NEGATIVE and not operation.path_parameters and not operation.query \
                        and not operation.body:
                    continue  # an operation without inputs has no invalid request to make
                failures.append(f"{operation.label} ({mode.value}): no request could be generated")
            except Exception as exc:  # collect every failing operation, not only the first
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    document = openapi_document()
    expected = {f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops}
    assert labels == expected - {"GET /api/v1/openapi.json"}  # schemathesis leaves out the document's own URL
    assert not failures, "\n\n".join(failures)
