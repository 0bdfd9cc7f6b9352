import GRDB
import OrderCore

/// The schema, as GRDB migrations run on every open (idempotent: applied migrations are skipped).
///
/// Ledgers that are accounting records (payments, documents, timeline) are append-only, and
/// triggers make SQLite itself refuse an UPDATE or DELETE on them.
enum Schema {
    /// SQLite's `application_id` of an OrderEngine database: "OEng" as a big-endian integer.
    static let applicationID: Int32 = 0x4F45_6E67

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO meta (key, value) VALUES ('config_generation', 1);

                CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

                CREATE TABLE statuses (
                    key TEXT PRIMARY KEY, position INTEGER NOT NULL, definition TEXT NOT NULL) WITHOUT ROWID;

                CREATE TABLE number_series (
                    series TEXT PRIMARY KEY, start INTEGER NOT NULL, next INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO number_series (series, start, next) VALUES ('order', 1, 1), ('invoice', 1, 1), ('credit_note', 1, 1);

                CREATE TABLE orders (
                    number INTEGER PRIMARY KEY,
                    reference TEXT NOT NULL,
                    status TEXT NOT NULL,
                    payment_state TEXT NOT NULL,
                    fulfilment_state TEXT NOT NULL,
                    auth_expires_at INTEGER,
                    total INTEGER NOT NULL CHECK (total >= 0),
                    authorized INTEGER NOT NULL DEFAULT 0,
                    captured INTEGER NOT NULL DEFAULT 0,
                    currency TEXT NOT NULL,
                    notify INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    customer_name TEXT NOT NULL,
                    customer_email TEXT NOT NULL,
                    delivery_method TEXT NOT NULL,
                    carrier TEXT,
                    tags TEXT NOT NULL,
                    search TEXT NOT NULL,
                    doc TEXT NOT NULL);
                CREATE INDEX orders_status ON orders (status, number);
                CREATE INDEX orders_payment_state ON orders (payment_state, number);
                CREATE INDEX orders_fulfilment_state ON orders (fulfilment_state, number);
                CREATE INDEX orders_created_at ON orders (created_at, number);
                CREATE INDEX orders_auth_expires ON orders (auth_expires_at) WHERE auth_expires_at IS NOT NULL;

                CREATE TABLE payments (
                    id INTEGER PRIMARY KEY,
                    order_number INTEGER NOT NULL REFERENCES orders (number),
                    kind TEXT NOT NULL CHECK (kind IN ('authorize', 'capture', 'void', 'refund')),
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    method TEXT NOT NULL,
                    reference TEXT,
                    idempotency_key TEXT UNIQUE,
                    authorization_id INTEGER REFERENCES payments (id),
                    at INTEGER NOT NULL,
                    expires_at INTEGER);
                CREATE INDEX payments_order ON payments (order_number);

                CREATE TABLE shipments (
                    id INTEGER PRIMARY KEY,
                    order_number INTEGER NOT NULL REFERENCES orders (number),
                    method TEXT NOT NULL,
                    carrier TEXT,
                    tracking TEXT,
                    location TEXT,
                    lines TEXT NOT NULL,
                    state TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    handed_over_at INTEGER,
                    delivered_at INTEGER);
                CREATE INDEX shipments_order ON shipments (order_number);

                CREATE TABLE documents (
                    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
                    number INTEGER NOT NULL,
                    reference TEXT NOT NULL,
                    order_number INTEGER NOT NULL REFERENCES orders (number),
                    issued_at INTEGER NOT NULL,
                    total INTEGER NOT NULL,
                    credits_invoice INTEGER,
                    doc TEXT NOT NULL,
                    PRIMARY KEY (kind, number)) WITHOUT ROWID;
                CREATE INDEX documents_order ON documents (order_number);
                CREATE INDEX documents_issued ON documents (issued_at);

                CREATE TABLE timeline (
                    id INTEGER PRIMARY KEY,
                    order_number INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    command TEXT NOT NULL,
                    event TEXT NOT NULL,
                    from_value TEXT,
                    to_value TEXT,
                    amount INTEGER,
                    detail TEXT);
                CREATE INDEX timeline_order ON timeline (order_number, id);

                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,
                    order_number INTEGER,
                    recipient TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    language TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
                    created_at INTEGER NOT NULL,
                    acked_at INTEGER);
                CREATE INDEX outbox_pending ON outbox (status, id);

                CREATE TABLE effects (
                    id INTEGER PRIMARY KEY,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    order_number INTEGER NOT NULL,
                    amount INTEGER NOT NULL,
                    request TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
                    result TEXT,
                    created_at INTEGER NOT NULL,
                    resolved_at INTEGER);
                CREATE INDEX effects_pending ON effects (state) WHERE state = 'pending';
                CREATE INDEX effects_order ON effects (order_number);
                """)
            for table in ["payments", "documents", "timeline"] {
                try db.execute(sql: """
                    CREATE TRIGGER \(table)_append_only_update BEFORE UPDATE ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) is append-only: accounting records are never changed'); END;
                    CREATE TRIGGER \(table)_append_only_delete BEFORE DELETE ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) is append-only: accounting records are never deleted'); END;
                    """)
            }
        }
        m.registerMigration("v2-fts") { db in
            // Full-text index over the search column (number, reference, customer name, e-mail,
            // addresses, SKUs), kept in step by triggers; unchanged search text costs nothing.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE orders_fts USING fts5(
                    search, content = 'orders', content_rowid = 'number', tokenize = 'unicode61 remove_diacritics 2');
                INSERT INTO orders_fts (orders_fts) VALUES ('rebuild');
                CREATE TRIGGER orders_fts_insert AFTER INSERT ON orders
                BEGIN INSERT INTO orders_fts (rowid, search) VALUES (new.number, new.search); END;
                CREATE TRIGGER orders_fts_update AFTER UPDATE OF search ON orders WHEN old.search IS NOT new.search
                BEGIN
                    INSERT INTO orders_fts (orders_fts, rowid, search) VALUES ('delete', old.number, old.search);
                    INSERT INTO orders_fts (rowid, search) VALUES (new.number, new.search);
                END;
                """)
        }
        m.registerMigration("v3-order-docs") { db in
            // The order document and its search text move to a table of their own: they change
            // only when the customer, lines, delivery, tags or note do, while the order row is
            // rewritten by every status, payment and shipment change. Narrow order rows (about
            // 150 bytes, not 1 KB) make those rewrites and the pages they dirty much cheaper.
            try db.execute(sql: """
                CREATE TABLE order_docs (
                    number INTEGER PRIMARY KEY REFERENCES orders (number),
                    search TEXT NOT NULL,
                    doc TEXT NOT NULL);
                INSERT INTO order_docs (number, search, doc) SELECT number, search, doc FROM orders;
                DROP TRIGGER orders_fts_insert;
                DROP TRIGGER orders_fts_update;
                DROP TABLE orders_fts;
                CREATE VIRTUAL TABLE orders_fts USING fts5(
                    search, content = 'order_docs', content_rowid = 'number', tokenize = 'unicode61 remove_diacritics 2');
                INSERT INTO orders_fts (orders_fts) VALUES ('rebuild');
                CREATE TRIGGER order_docs_fts_insert AFTER INSERT ON order_docs
                BEGIN INSERT INTO orders_fts (rowid, search) VALUES (new.number, new.search); END;
                CREATE TRIGGER order_docs_fts_update AFTER UPDATE OF search ON order_docs WHEN old.search IS NOT new.search
                BEGIN
                    INSERT INTO orders_fts (orders_fts, rowid, search) VALUES ('delete', old.number, old.search);
                    INSERT INTO orders_fts (rowid, search) VALUES (new.number, new.search);
                END;
                ALTER TABLE orders DROP COLUMN search;
                ALTER TABLE orders DROP COLUMN doc;
                """)
        }
        m.registerMigration("v4-embedding") { db in
            // Each pending effect names the gateway it was sent to: only that gateway may tell
            // what became of it (a simulator asked about a real capture would say "never
            // received", and the money would be drawn twice). Older effects stay unnamed.
            try db.execute(sql: "ALTER TABLE effects ADD COLUMN gateway TEXT")
            // The mark by which an OrderEngine database is told from someone else's.
            try db.execute(sql: "PRAGMA application_id = \(Schema.applicationID)")
        }
        m.registerMigration("v6-mail") { db in
            // Delivery outside the command transactions: a worker claims a batch (claimed_until,
            // claim_token), sends, and records the outcome; transient failures retry with
            // backoff (attempts, next_attempt_at, last_error); permanent ones are 'failed'. The
            // Message-ID is fixed at the first claim so a resend after a crash carries the same.
            // attachment names a document to attach ({"kind", "number", "format"}).
            try db.execute(sql: """
                CREATE TABLE outbox_v6 (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,
                    order_number INTEGER,
                    recipient TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    language TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
                    created_at INTEGER NOT NULL,
                    acked_at INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER,
                    claimed_until INTEGER,
                    claim_token TEXT,
                    last_error TEXT,
                    message_id TEXT,
                    attachment TEXT);
                INSERT INTO outbox_v6 (id, kind, order_number, recipient, subject, body, language, status, created_at, acked_at)
                    SELECT id, kind, order_number, recipient, subject, body, language, status, created_at, acked_at FROM outbox;
                DROP TABLE outbox;
                ALTER TABLE outbox_v6 RENAME TO outbox;
                CREATE INDEX outbox_pending ON outbox (status, id);
                """)
        }
        m.registerMigration("v7-real-orders") { db in
            // Returns (return.create … return.refund) in a gapless series of their own. The
            // columns are what return.find and return.check filter and page on; the rest of a
            // return lives in doc. refund_key links a refund's gateway effects back to it.
            try db.execute(sql: """
                INSERT INTO number_series (series, start, next) VALUES ('return', 1, 1);
                CREATE TABLE returns (
                    number INTEGER PRIMARY KEY,
                    order_number INTEGER NOT NULL REFERENCES orders (number),
                    state TEXT NOT NULL,
                    withdrawal INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    deadline INTEGER,
                    refund_key TEXT,
                    doc TEXT NOT NULL);
                CREATE INDEX returns_order ON returns (order_number, number);
                CREATE INDEX returns_state ON returns (state, number);
                CREATE INDEX returns_refund_key ON returns (refund_key) WHERE refund_key IS NOT NULL;
                """)
        }
        m.registerMigration("v8-bookkeeping") { db in
            // Danish folding in search (issue 13): the stored search text is folded as the
            // words of a query are (SearchFolding: ø→o, oe→o, å→a, aa→a, æ→ae), so "soeren"
            // finds Søren and "aarhus" finds Århus. The update trigger re-indexes each row.
            let rows = try Row.fetchAll(db, sql: "SELECT number, search FROM order_docs")
            for r in rows {
                let search: String = r["search"]
                let folded = SearchFolding.fold(search)
                if folded != search {
                    try db.execute(sql: "UPDATE order_docs SET search = ? WHERE number = ?", arguments: [folded, r["number"] as Int64])
                }
            }
        }
        m.registerMigration("v9-eu-vat") { db in
            // payment_state partially_authorized is stored since this version (it was derived in
            // order.get only): authorised orders whose authorisations, less voids, hold less than
            // the total (edited upwards before this migration) get it, so order.find finds them.
            try db.execute(sql: """
                UPDATE orders SET payment_state = 'partially_authorized'
                WHERE payment_state = 'authorized'
                  AND authorized - (SELECT COALESCE(SUM(v.amount), 0) FROM payments v
                                    WHERE v.order_number = orders.number AND v.kind = 'void') < total;
                """)
        }
        m.registerMigration("v16-auth-valid-until") { db in
            // When an authorised order becomes `expired` (PaymentLedger.authorizationsValidUntil),
            // kept as a derived column written from the ledger like payment_state, instead of
            // a subquery per row that ignored authorisations without an expiry. Backfilled
            // with the ledger's rule: the latest expiry of the open authorisations, NULL when
            // one of them has none.
            try db.execute(sql: """
                ALTER TABLE orders ADD COLUMN auth_valid_until INTEGER;
                UPDATE orders SET auth_valid_until = (
                    SELECT CASE WHEN COUNT(*) = COUNT(a.expires_at) THEN MAX(a.expires_at) END
                    FROM payments a WHERE a.order_number = orders.number AND a.kind = 'authorize'
                      AND a.amount > (SELECT COALESCE(SUM(c.amount), 0) FROM payments c
                                      WHERE c.order_number = orders.number AND c.authorization_id = a.id AND c.kind IN ('capture', 'void')))
                WHERE auth_expires_at IS NOT NULL;
                """)
        }
        return m
    }
}
