"""Account rules that need no HTTP: agency codes, passwords, roles, usernames."""

from __future__ import annotations

import pytest

from archive.accounts import Account, AccountError, AccountService, check_organ_id, check_password, check_role
from tests.web.conftest import Web


@pytest.mark.parametrize("code", ["000.00.00.G09", "000.00.00.h01", " 123.45.67.A89 "])
def test_valid_agency_codes(code: str) -> None:
    assert len(check_organ_id(code)) == 13


@pytest.mark.parametrize("code", ["G09", "000.00.00.G0", "000.00.00.G091", "000-00-00-G09", "000.00.00.GG9",
                                  "00a.00.00.G09", ""])
def test_invalid_agency_codes_say_the_expected_shape(code: str) -> None:
    with pytest.raises(AccountError) as caught:
        check_organ_id(code)
    assert "000.00.00.G09" in caught.value.vi and "13" in caught.value.en


def test_short_password_and_unknown_role_are_refused() -> None:
    with pytest.raises(AccountError, match="at least 10"):
        check_password("ngan")
    with pytest.raises(AccountError) as caught:
        check_role("reader")
    assert "archivist, official, auditor, admin" in caught.value.en


def test_every_user_but_an_administrator_belongs_to_an_agency(web: Web) -> None:
    service = AccountService(web.archive)
    with pytest.raises(AccountError) as caught:
        service.create_user("khong-co-quan", "official", None)
    assert caught.value.code == "agency_required"
    admin, _ = service.create_user("quan-tri-2", "admin", None)
    assert admin.agency_code is None
    with pytest.raises(AccountError) as bad_name:
        service.create_user("Tên Có Dấu", "official", "000.00.00.A01")
    assert bad_name.value.code == "invalid_username"


def test_batch_visibility_rules() -> None:
    archivist = Account(1, "a", "A", None, "archivist", "000.00.00.A01", "A", True, "vi")
    auditor = Account(2, "b", "B", None, "auditor", "000.00.00.A01", "A", True, "vi")
    official = Account(3, "c", "C", None, "official", "000.00.00.A01", "A", True, "vi")
    assert archivist.may_see_batch_of("000.00.00.A01") and not archivist.may_see_batch_of("000.00.00.B02")
    assert not archivist.may_see_batch_of(None)
    assert auditor.may_see_batch_of("000.00.00.B02") and not auditor.may_act_on_batch_of("000.00.00.A01", "batch.retry")
    assert not official.may_see_batch_of("000.00.00.A01")
    assert archivist.may_act_on_batch_of("000.00.00.A01", "quarantine.download")
    assert not archivist.may_act_on_batch_of("000.00.00.B02", "quarantine.download")


def test_the_last_active_administrator_cannot_be_removed(web: Web) -> None:
    service = AccountService(web.archive)
    admin_a, admin_b = service.by_username("admin-a"), service.by_username("admin-b")
    assert admin_a is not None and admin_b is not None
    service.update_user(admin_b.id, active=False)
    with pytest.raises(AccountError) as caught:
        service.update_user(admin_a.id, role="official")
    assert caught.value.code == "last_admin"
    with pytest.raises(AccountError):
        service.update_user(admin_a.id, active=False)
    still = service.get(admin_a.id)
    assert still is not None and still.active and still.role == "admin"
