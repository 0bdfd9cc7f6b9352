"""Read-only access to a shop database and a simulated gateway's ledger for the test scripts
(crash-test, concurrency-test): an SQLite file through Python's sqlite3, a PostgreSQL database
(`postgresql://…`) through psql. Both stores have the same tables and columns, so the checks
are one SQL text for both."""
import glob
import os
import sqlite3
import subprocess


def is_postgres(db):
    """Whether `db` names a PostgreSQL database rather than an SQLite file."""
    return db.startswith("postgresql://") or db.startswith("postgres://")


class ShopDB:
    """Runs read-only queries on the shop database `db`; rows are tuples of ints and strings."""

    def __init__(self, db):
        self.db = db
        self.pg = is_postgres(db)
        self.conn = None if self.pg else sqlite3.connect(db)

    def rows(self, sql):
        if not self.pg:
            return [tuple(r) for r in self.conn.execute(sql).fetchall()]
        out = subprocess.run(["psql", self.db, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(_value(v) for v in line.split("\t")) for line in out.splitlines() if line != ""]

    def one(self, sql):
        """The single value of a one-row, one-column query."""
        r = self.rows(sql)
        return r[0][0] if r else None

    def close(self):
        if self.conn:
            self.conn.close()


def _value(v):
    if v == "":
        return None
    try:
        return int(v)
    except ValueError:
        return v


def _with_database(url, name):
    """`url` (postgresql://user:pw@host:port/db?opts) naming database `name` instead."""
    head, _, query = url.partition("?")
    scheme, _, rest = head.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{name}" + (f"?{query}" if query else "")


def fresh_postgres_database(server_url, prefix):
    """Creates an empty database `<prefix>_<pid>_<n>` on the server of `server_url` (through
    psql) and returns its URL: a test's own shop, which the engine migrates on open."""
    fresh_postgres_database.count = getattr(fresh_postgres_database, "count", 0) + 1
    name = f"{prefix}_{os.getpid()}_{fresh_postgres_database.count}"
    subprocess.run(["psql", server_url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {name}"],
                   check=True, stdout=subprocess.DEVNULL)
    return _with_database(server_url, name)


def drop_postgres_database(server_url, url):
    """Drops the database of `url` (made by fresh_postgres_database), from the server's own database."""
    name = url.partition("?")[0].rsplit("/", 1)[1]
    subprocess.run(["psql", server_url, "-X", "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class PostgresCluster:
    """The throwaway cluster of scripts/pg-start (its state in OE_PG_STATE, default .build/pg of
    this checkout): stopped the hard way (`pg_ctl stop -m immediate`: no shutdown checkpoint,
    every connection cut, as a crash of the server) and started again on the same port. As
    root the server runs as the `postgres` user, as scripts/pg-stop does."""

    def __init__(self):
        state = os.environ.get("OE_PG_STATE") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build", "pg")
        with open(os.path.join(state, "dir")) as f:
            self.dir = f.read().strip()
        with open(os.path.join(state, "port")) as f:
            self.port = f.read().strip()
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))[-1]

    def _pg_ctl(self, *argv):
        cmd = [os.path.join(self.bin, "pg_ctl"), "-D", os.path.join(self.dir, "data"), *argv]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop_immediate(self):
        self._pg_ctl("-m", "immediate", "-w", "-t", "30", "stop")

    def start(self):
        self._pg_ctl("-l", os.path.join(self.dir, "server.log"), "-o", f"-p {self.port}", "-w", "-t", "60", "start")
