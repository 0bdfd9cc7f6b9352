"""Fixtures of the package's tests. Every test that takes ``db`` or ``open_shop`` runs once per
backend: on SQLite (a file in the test's tmp_path) and on PostgreSQL (a new, empty database on
the server of $OE_ABI_TEST_PG_URL or $OE_TEST_PG_URL, e.g. scripts/pg-start's, dropped after
the test). Without a server the PostgreSQL cases are skipped, with that reason.

A test about SQLite itself is marked ``@pytest.mark.sqlite_only("why")``; a test about the
PostgreSQL store takes ``pg_db`` or ``pg_server`` (skipped without a server)."""
import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "scripts"))
from shopdb import drop_postgres_database, fresh_postgres_database  # noqa: E402  (scripts/shopdb.py)

from orderengine import Engine  # noqa: E402

PG_SERVER = os.environ.get("OE_ABI_TEST_PG_URL") or os.environ.get("OE_TEST_PG_URL")
NO_SERVER = ("PostgreSQL: no server given (set OE_ABI_TEST_PG_URL or OE_TEST_PG_URL to a postgresql:// URL, "
             "e.g. from scripts/pg-start)")
BACKENDS = ("sqlite", "postgresql")

ORDER = {
    "customer": {"name": "Søren Kierkegaard", "email": "soren@example.dk", "language": "da"},
    "lines": [{"sku": "BOG", "name": "Enten – Eller", "qty": 1, "unit_price": 29900},
              {"sku": "KAF", "name": "Kaffe", "qty": 2, "unit_price": 17900}],
    "delivery": {"method": "shipping", "carrier": "PostNord"},
}


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(reason): the test is about SQLite itself; skipped on PostgreSQL")


def pytest_report_header(config):
    pg = PostgresServer.redacted(PG_SERVER) if PG_SERVER else "none: the PostgreSQL cases are skipped"
    return [f"liborderengine: {os.environ.get('ORDERENGINE_LIB', '(pkg-config / system path)')}", f"PostgreSQL server: {pg}"]


class PostgresServer:
    """The test server: new databases on it (scripts/shopdb.py's), each dropped at teardown."""

    def __init__(self, url):
        self.url = url
        self.made = []

    def fresh(self):
        """The URL of a new, empty database on the server (the engine migrates it on open)."""
        url = fresh_postgres_database(self.url, "oe_pytest")
        self.made.append(url)
        return url

    def drop_all(self):
        for url in self.made:
            drop_postgres_database(self.url, url)

    @staticmethod
    def redacted(url):
        """`url` with the password of its authority replaced by ***, for headers and messages."""
        scheme, sep, rest = url.partition("://")
        authority, slash, tail = rest.partition("/")
        user, at, host = authority.rpartition("@")
        if at and ":" in user:
            user = user.split(":", 1)[0] + ":***"
        return f"{scheme}{sep}{user}{at}{host}{slash}{tail}"


@pytest.fixture
def pg_server():
    """The PostgreSQL test server (skips the test without one)."""
    if not PG_SERVER:
        pytest.skip(NO_SERVER)
    server = PostgresServer(PG_SERVER)
    yield server
    server.drop_all()


@pytest.fixture
def pg_db(pg_server):
    """A new, empty database on the PostgreSQL test server: a shop of its own."""
    return pg_server.fresh()


@pytest.fixture(params=BACKENDS)
def backend(request):
    """The backend of this run of the test: "sqlite" or "postgresql"."""
    marker = request.node.get_closest_marker("sqlite_only")
    if request.param == "postgresql" and marker is not None:
        pytest.skip("SQLite only: " + (marker.args[0] if marker.args else "a test of the SQLite store"))
    return request.param


@pytest.fixture
def db(backend, tmp_path, request):
    """The database argument of a fresh shop on this run's backend: an SQLite file in tmp_path,
    or the URL of a new database on the PostgreSQL test server. Opening it twice opens one shop."""
    if backend == "sqlite":
        return str(tmp_path / "shop.sqlite")
    return request.getfixturevalue("pg_db")


@pytest.fixture
def open_shop(db):
    """A factory: ``open_shop(**config)`` opens an Engine on this test's database (closed at teardown)."""
    opened = []

    def open_engine(**config):
        e = Engine(db, **config)
        opened.append(e)
        return e

    yield open_engine
    for e in opened:
        e.close()


@pytest.fixture
def order():
    return {k: (v.copy() if isinstance(v, dict) else list(v)) for k, v in ORDER.items()}


@pytest.fixture
def repo():
    return REPO
