import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]

ORDER = {
    "customer": {"name": "Søren Kierkegaard", "email": "soren@example.dk", "language": "da"},
    "lines": [{"sku": "BOG", "name": "Enten – Eller", "qty": 1, "unit_price": 29900},
              {"sku": "KAF", "name": "Kaffe", "qty": 2, "unit_price": 17900}],
    "delivery": {"method": "shipping", "carrier": "PostNord"},
}


@pytest.fixture
def order():
    return {k: (v.copy() if isinstance(v, dict) else list(v)) for k, v in ORDER.items()}


@pytest.fixture
def repo():
    return REPO


def pytest_report_header(config):
    return f"liborderengine: {os.environ.get('ORDERENGINE_LIB', '(pkg-config / system path)')}"
