"""The Python package as a shop backend uses it (run by scripts/test-abi against the installed library),
on each backend: the ``open_shop`` fixture opens engines on a fresh SQLite file or PostgreSQL database (conftest.py)."""
import sqlite3
import threading
import time

import pytest

import orderengine
from orderengine import (ConflictError, Engine, InvalidError, MisuseError, NotFoundError, OrderEngineError, PolicyError,
                         PortError, StorageError)


def test_a_danish_lifecycle_on_the_simulators(open_shop, order):
    with open_shop(simulate=True, actor="python") as shop:
        shop.call("settings.set", invoice_number_start=5001, invoice_number_prefix="F-",
                  seller={"name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"})
        o = shop.call("order.create", **order)
        n = o["order"]
        assert o["total"] == 65700 and isinstance(o["total"], int)
        assert shop.call("payment.authorize", order=n, amount=65700, method="mobilepay")["status"] == "received"
        s = shop.call("shipment.create", order=n)
        with pytest.raises(PolicyError) as refused:
            shop.call("payment.capture", order=n)
        assert refused.value.code == 4 and refused.value.code_name == "policy"
        assert "on_hand_over" in str(refused.value)
        shop.call("shipment.hand_over", shipment=s["shipment"])
        c = shop.call("payment.capture", order=n)
        assert c["captured"] == 65700 and c["invoice_reference"] == "F-5001"
        assert shop.call_with("invoice.get", {"number": 5001})["buyer"]["name"] == "Søren Kierkegaard"
        assert shop.eval("return oe.orders.count()") == 1


def test_one_exception_class_per_code_with_code_and_field(open_shop, order):
    with open_shop() as shop:
        bad = dict(order, lines=[{"sku": "X", "name": "X", "qty": 0, "unit_price": 100}])
        with pytest.raises(InvalidError) as e:
            shop.call("order.create", **bad)
        assert e.value.code == 2 and e.value.field == "lines[0].qty"
        assert isinstance(e.value, OrderEngineError)
        with pytest.raises(NotFoundError) as nf:
            shop.call("order.get", order=404)
        assert nf.value.code == 1 and "404" in str(nf.value)
        with pytest.raises(NotFoundError):
            shop.call("nope.nope")
        n = shop.call("order.create", **order)["order"]
        with pytest.raises(ConflictError):
            shop.call("order.set_status", order=n, status="received", expected_version=99)


def test_no_simulator_unless_asked(open_shop, order):
    with open_shop() as shop:
        n = shop.call("order.create", **order)["order"]
        shop.call("payment.authorize", order=n, amount=65700, method="visa")
        shop.call("settings.set", capture_policy="anytime", seller={"name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"})
        with pytest.raises(PortError) as e:
            shop.call("payment.capture", order=n)
        assert "no payment gateway is configured" in str(e.value) and e.value.code == 6
        with pytest.raises(NotFoundError):
            shop.call("gateway.simulate", order=n, behaviour="decline")


def test_ports_are_python_callables_and_their_exceptions_keep_their_text(open_shop, order):
    seen = []

    def gateway(request):
        seen.append(request["operation"])
        if request["operation"] == "lookup":
            return {"status": "unknown"}
        if request["amount"] > 100000:
            raise ValueError("amount above the card limit")
        return {"status": "approved", "reference": f"psp-{request['order']}"}

    with open_shop(payment_gateway="test-psp") as shop:
        shop.set_port("payment", gateway)
        shop.set_port("carrier", lambda r: {"tracking": f"PN-{r['order']}"})
        shop.set_port("clock", lambda r: {"now": "2026-12-24T09:00:00Z"})
        n = shop.call("order.create", **order)["order"]
        assert shop.call("order.get", order=n)["created_at"] == "2026-12-24T09:00:00Z"
        shop.call("payment.authorize", order=n, amount=65700, method="visa")
        assert shop.call("shipment.create", order=n)["tracking"] == "PN-1"
        shop.call("settings.set", capture_policy="anytime", seller={"name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"})
        assert shop.call("payment.capture", order=n)["reference"] == "psp-1"  # whole lines only (issue 13)

        shop.set_port("carrier", lambda r: 1 / 0)
        m = shop.call("order.create", **order)["order"]
        with pytest.raises(PortError) as e:
            shop.call("shipment.create", order=m)
        assert "ZeroDivisionError: division by zero" in str(e.value)
        assert shop.call("order.get", order=m)["shipments"] == []

        # Re-entering the engine from a callback is refused, not a crash.
        shop.set_port("carrier", lambda r: shop.call("order.count"))
        with pytest.raises(PortError) as e:
            shop.call("shipment.create", order=m)
        assert "MisuseError" in str(e.value) and "port callback" in str(e.value)

        with pytest.raises(InvalidError):
            shop.set_port("teleport", lambda r: {})
        shop.set_port("carrier", None)
        with pytest.raises(PortError):
            shop.call("shipment.create", order=m)
    assert seen[0] == "capture"


def test_close_waits_for_a_callback_in_flight(open_shop, order):
    shop = open_shop(simulate=True)
    n = shop.call("order.create", **order)["order"]
    state = {"started": False, "finished": False}

    def slow_carrier(request):
        state["started"] = True
        time.sleep(0.3)
        state["finished"] = True
        return {"tracking": "PN-SLOW"}

    shop.set_port("carrier", slow_carrier)
    results = []
    t = threading.Thread(target=lambda: results.append(shop.call("shipment.create", order=n)["tracking"]))
    t.start()
    while not state["started"]:
        time.sleep(0.005)
    shop.close()
    assert state["finished"], "close returned while the callback was running"
    t.join(10)
    assert results == ["PN-SLOW"]
    with pytest.raises(MisuseError):
        shop.call("order.count")


@pytest.mark.sqlite_only("someone else's SQLite file (PostgreSQL: test_postgres.py's foreign-database test)")
def test_a_foreign_database_is_refused_and_left_alone(backend, tmp_path):
    path = tmp_path / "blog.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StorageError) as e:
        Engine(str(path))
    assert "not an OrderEngine database" in str(e.value) and e.value.code == 7
    assert path.read_bytes() == before


def test_a_shop_keeps_its_orders_when_opened_again(db, order):
    with Engine(db) as shop:
        shop.call("order.create", **order)
    with Engine(db) as again:
        assert again.call("order.count")["count"] == 1
        assert again.call("order.create", **order)["order"] == 2


def test_an_in_memory_engine_is_a_shop_of_its_own_and_gone_when_closed(order):
    with Engine() as one, Engine(":memory:") as other:
        assert one.call("order.create", **order)["order"] == 1
        assert other.call("order.count")["count"] == 0
    with Engine() as again:
        assert again.call("order.count")["count"] == 0


def test_the_package_is_typed():
    import importlib.resources
    assert importlib.resources.files("orderengine").joinpath("py.typed").is_file()
    assert orderengine.library_version().count(".") == 2


def test_partial_void_only_when_the_host_declares_it(open_shop, order):
    for declared in (False, True):
        voids = []

        def gateway(request):
            if request["operation"] == "void":
                voids.append(request)
            return {"status": "approved", "reference": "psp-1"}

        with open_shop(payment_gateway="test-psp", payment_partial_void=declared) as shop:
            shop.set_port("payment", gateway)
            shop.call("settings.set", seller={"name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C", "vat_number": "DK13585628"})
            n = shop.call("order.create", **order)["order"]
            shop.call("payment.authorize", order=n, amount=65700, method="visa")
            r = shop.call("order.edit", order=n, set_qty=[{"sku": "KAF", "qty": 1}], reason="Kunden ringede")
            if declared:
                assert r["releasing"] == 17900
                assert [(v["amount"], v["partial"]) for v in voids] == [(17900, True)]
            else:
                assert r["releasing"] == 0 and voids == []
