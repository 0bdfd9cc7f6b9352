"""What an embedder relies on when its shop runs on PostgreSQL: several app servers (here two
Engine objects) on one database, a clear error for a bad URL that never shows the password,
and a lost connection that fails one command with `storage` and heals by itself.
These need a server ($OE_ABI_TEST_PG_URL or $OE_TEST_PG_URL) and are skipped without one, except
the unreachable server's error, which needs none."""
import subprocess
import threading
from urllib.parse import urlsplit

import pytest

from orderengine import Engine, StorageError

SELLER = {"name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"}


def test_two_app_servers_on_one_database_see_each_others_orders_and_draw_gapless_numbers(pg_db, order):
    threads_per_server, orders_per_thread = 4, 5
    with Engine(pg_db, simulate=True, actor="server-a") as a, Engine(pg_db, simulate=True, actor="server-b") as b:
        a.call("settings.set", order_number_start=1001, invoice_number_start=5001, invoice_number_prefix="F-",
               capture_policy="anytime", seller=SELLER)
        # B reads A's settings (a configuration cache validated per transaction, not per process).
        assert b.call("settings.get")["capture_policy"] == "anytime"
        made, errors, lock = [], [], threading.Lock()

        def sell(server):
            try:
                for _ in range(orders_per_thread):
                    n = server.call("order.create", **order)["order"]
                    server.call("payment.authorize", order=n, amount=65700, method="visa")
                    c = server.call("payment.capture", order=n)
                    with lock:
                        made.append((n, c["invoice_reference"]))
            except BaseException as e:  # noqa: BLE001 - reported by the assertion below
                with lock:
                    errors.append(repr(e))

        workers = [threading.Thread(target=sell, args=(server,)) for server in (a, b) for _ in range(threads_per_server)]
        for t in workers:
            t.start()
        for t in workers:
            t.join(120)
        assert errors == []
        total = 2 * threads_per_server * orders_per_thread
        assert sorted(n for n, _ in made) == list(range(1001, 1001 + total))
        assert sorted(int(ref.removeprefix("F-")) for _, ref in made) == list(range(5001, 5001 + total))
        for server in (a, b):
            assert server.call("order.count")["count"] == total
        # Each server reads every order the other made, captured once.
        for n, ref in made:
            for server in (a, b):
                o = server.call("order.get", order=n)
                assert o["captured"] == 65700 and o["payment_state"] == "captured"
        assert {o["order"] for o in b.call("order.find", limit=100)["orders"]} == {n for n, _ in made}


def _refused(url):
    """The StorageError of opening `url`, checked to be one."""
    with pytest.raises(StorageError) as e:
        Engine(url)
    assert e.value.code == 7 and e.value.code_name == "storage"
    return e.value


SECRET = "Hemmeligt-Kodeord-42"


def test_an_unreachable_server_is_a_storage_error_without_the_password():
    e = _refused(f"postgresql://oe:{SECRET}@127.0.0.1:1/shop?sslmode=disable&connect_timeout=5")
    assert "cannot open database postgresql://oe@127.0.0.1:1/shop" in str(e), str(e)
    assert "127.0.0.1" in str(e) and SECRET not in str(e) and SECRET not in repr(e)


def test_a_bad_url_is_a_storage_error_without_the_password(pg_db):
    u = urlsplit(pg_db)
    server = f"{u.hostname}:{u.port}"
    cases = {
        "password authentication failed": f"postgresql://{u.username}:{SECRET}@{server}{u.path}?{u.query}",
        "in the parameters: password authentication failed": f"postgresql://{u.username}@{server}{u.path}?{u.query}&password={SECRET}",
        "oe_no_such_shop": f"postgresql://{u.username}:{u.password}@{server}/oe_no_such_shop?{u.query}",
    }
    for reason, url in cases.items():
        e = _refused(url)
        message = str(e)
        assert "cannot open database" in message and reason.rpartition(": ")[2] in message, message
        assert SECRET not in message and u.password not in message, message


def test_a_session_the_server_ended_while_idle_costs_no_command(pg_server, pg_db, order):
    with Engine(pg_db) as shop:
        assert shop.call("order.create", **order)["order"] == 1
        # The server ends the engine's idle session, as a failover or an administrator would.
        killed = subprocess.run(
            ["psql", pg_server.url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c",
             f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{urlsplit(pg_db).path[1:]}'"],
            check=True, capture_output=True, text=True).stdout.strip()
        assert int(killed) >= 1
        # Nothing of the next command had reached the dead session: the engine connects again
        # and runs it (no error, no gap in the numbers).
        assert shop.call("order.create", **order)["order"] == 2
        assert shop.call("order.count")["count"] == 2


def test_a_server_that_stays_away_fails_the_command_with_storage(pg_server, order):
    # A database on a port nothing listens on: storage (7), never a crash or a partial write.
    with pytest.raises(StorageError) as e:
        Engine("postgresql://oe@127.0.0.1:1/none?connect_timeout=2")
    assert e.value.code == 7


def test_another_applications_database_is_refused_and_left_alone(pg_db):
    # A shop backend's own database, with its tables in `public`: the engine must not add its
    # tables beside them (as it refuses someone else's SQLite file).
    psql = ["psql", pg_db, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run(psql + ["CREATE TABLE posts (id bigint PRIMARY KEY, title text)"], check=True)
    e = _refused(pg_db)
    assert "is not an OrderEngine database" in str(e) and "'posts'" in str(e), str(e)
    assert "search_path" in str(e), "the message says how to give the engine a schema of its own"
    tables = subprocess.run(psql + ["SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"],
                            check=True, capture_output=True, text=True).stdout.strip()
    assert tables == "posts"
    # A schema of its own in the same database is a shop.
    subprocess.run(psql + ["CREATE SCHEMA shop"], check=True)
    with Engine(pg_db + ("&" if "?" in pg_db else "?") + "options=-csearch_path%3Dshop") as shop:
        assert shop.call("order.count")["count"] == 0
