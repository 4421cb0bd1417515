-- Service and support operations (SPEC §3.1, §3.2). Same conventions as 0001: instants are
-- BIGINT microseconds (UTC), dates TEXT, lists canonical JSON; every table is a projection of
-- the audit chain.

CREATE TABLE settings (
    id    TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE tickets (
    id             BIGINT PRIMARY KEY,
    channel        TEXT NOT NULL,
    received_at    BIGINT NOT NULL,
    reporter       TEXT,
    device         BIGINT REFERENCES devices (id),
    device_hint    TEXT,
    summary        TEXT NOT NULL,
    description    TEXT,
    attachments    TEXT NOT NULL,
    source_ref     TEXT UNIQUE,
    opened_by      TEXT NOT NULL REFERENCES persons (id),
    triage_due     BIGINT NOT NULL,
    classification TEXT,
    triage_reason  TEXT,
    triaged_by     TEXT REFERENCES persons (id),
    triaged_at     BIGINT,
    closed_by      TEXT REFERENCES persons (id),
    closed_at      BIGINT
);
CREATE INDEX tickets_device ON tickets (device);
CREATE INDEX tickets_open ON tickets (closed_at, triage_due);

CREATE TABLE complaints (
    id                      BIGINT PRIMARY KEY REFERENCES tickets (id),
    investigation           TEXT,
    reportability           TEXT,
    reportability_rationale TEXT,
    correction              TEXT,
    correction_rationale    TEXT,
    capa_ref                TEXT
);

CREATE TABLE vigilance_cases (
    id         BIGINT PRIMARY KEY,
    ticket     BIGINT NOT NULL UNIQUE REFERENCES tickets (id),
    device     BIGINT REFERENCES devices (id),
    aware_at   BIGINT NOT NULL,
    flagged_by TEXT NOT NULL REFERENCES persons (id),
    flagged_at BIGINT NOT NULL
);

CREATE TABLE service_events (
    id                BIGINT PRIMARY KEY,
    device            BIGINT NOT NULL REFERENCES devices (id),
    event_type        TEXT NOT NULL REFERENCES event_types (id),
    technician        TEXT NOT NULL REFERENCES persons (id),
    performed_at      BIGINT NOT NULL,
    procedure_id      TEXT NOT NULL,
    procedure_version TEXT NOT NULL,
    outcome           TEXT NOT NULL,
    ticket            BIGINT REFERENCES tickets (id),
    software_before   TEXT,
    software_after    TEXT,
    findings          TEXT,
    source_ref        TEXT UNIQUE
);
CREATE INDEX service_events_device ON service_events (device, performed_at);
CREATE INDEX service_events_performed ON service_events (performed_at);
CREATE INDEX service_events_technician ON service_events (technician, performed_at);

CREATE TABLE service_parts (
    id       BIGINT PRIMARY KEY,
    event    BIGINT NOT NULL REFERENCES service_events (id),
    part     TEXT NOT NULL,
    lot      TEXT NOT NULL,
    lot_id   BIGINT NOT NULL REFERENCES part_lots (id),
    quantity BIGINT NOT NULL
);
CREATE INDEX service_parts_event ON service_parts (event);
CREATE INDEX service_parts_lot ON service_parts (lot_id);
