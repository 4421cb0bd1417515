-- One schema for SQLite and PostgreSQL: only types and syntax both accept.
-- Instants are BIGINT microseconds since the Unix epoch (UTC); dates are TEXT 'YYYY-MM-DD';
-- lists and maps are canonical JSON in TEXT. Every table below is a projection of
-- audit_events: `vigilo audit verify` replays the chain and compares.

CREATE TABLE organisations (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    timezone  TEXT
);

CREATE TABLE quality_agreements (
    id         BIGINT PRIMARY KEY,
    org        TEXT NOT NULL REFERENCES organisations (id),
    reference  TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT NOT NULL,
    countries  TEXT NOT NULL
);
CREATE INDEX quality_agreements_org ON quality_agreements (org);

CREATE TABLE persons (
    id    TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    org   TEXT NOT NULL REFERENCES organisations (id),
    roles TEXT NOT NULL
);

CREATE TABLE event_types (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE products (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    eu_class     TEXT NOT NULL,
    fda_class    TEXT,
    udi_di       TEXT UNIQUE,
    basic_udi_di TEXT,
    markets      TEXT NOT NULL,
    schedule     TEXT NOT NULL
);

CREATE TABLE software_versions (
    id          BIGINT PRIMARY KEY,
    product     TEXT NOT NULL REFERENCES products (id),
    version     TEXT NOT NULL,
    released_on TEXT,
    UNIQUE (product, version)
);

CREATE TABLE devices (
    id              BIGINT PRIMARY KEY,
    product         TEXT NOT NULL REFERENCES products (id),
    serial          TEXT NOT NULL,
    country         TEXT NOT NULL,
    customer        TEXT,
    status          TEXT NOT NULL,
    lot             TEXT,
    manufactured_on TEXT,
    expires_on      TEXT,
    UNIQUE (product, serial)
);
CREATE INDEX devices_serial ON devices (serial);

CREATE TABLE device_software (
    id           BIGINT PRIMARY KEY,
    device       BIGINT NOT NULL REFERENCES devices (id),
    version      TEXT NOT NULL,
    installed_at BIGINT NOT NULL
);
CREATE INDEX device_software_device ON device_software (device, installed_at);

CREATE TABLE procedures (
    id           BIGINT PRIMARY KEY,
    procedure_id TEXT NOT NULL,
    version      TEXT NOT NULL,
    title        TEXT NOT NULL,
    governs      TEXT NOT NULL,
    effective_on TEXT,
    UNIQUE (procedure_id, version)
);

CREATE TABLE trainings (
    id                BIGINT PRIMARY KEY,
    person            TEXT NOT NULL REFERENCES persons (id),
    procedure_id      TEXT NOT NULL,
    procedure_version TEXT NOT NULL,
    trained_on        TEXT NOT NULL,
    trainer           TEXT NOT NULL REFERENCES persons (id),
    check_kind        TEXT NOT NULL,
    result            TEXT NOT NULL
);
CREATE INDEX trainings_person ON trainings (person);

CREATE TABLE part_lots (
    id       BIGINT PRIMARY KEY,
    part     TEXT NOT NULL,
    lot      TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    location TEXT,
    status   TEXT NOT NULL,
    UNIQUE (part, lot)
);
CREATE INDEX part_lots_lot ON part_lots (lot);

CREATE TABLE audit_events (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    record_table TEXT NOT NULL,
    record_key   TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_events_record ON audit_events (record_table, record_key);

-- The chain's head. Every writer first updates this single row, which takes the write lock on
-- both backends, so appends are serialised even across several application servers.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
