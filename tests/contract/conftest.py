"""The backend fixtures of the store contract, shared by every contract file in this folder."""

from __future__ import annotations

from tests.contract.test_store_contract import backend, postgres_admin, store

__all__ = ["backend", "postgres_admin", "store"]
