-- The advisory-sources register, its reviews and sync attempts, and the exploitation
-- intelligence (CISA KEV, EPSS) that enriches findings (SPEC §3.5). Same conventions as 0001:
-- instants are BIGINT microseconds (UTC), lists canonical JSON; every table is a projection of
-- the audit chain.

CREATE TABLE advisory_sources (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    url          TEXT,
    owner        TEXT NOT NULL REFERENCES persons (id),
    backup       TEXT NOT NULL REFERENCES persons (id),
    cadence_days BIGINT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES persons (id),
    created_at   BIGINT NOT NULL
);

CREATE TABLE source_reviews (
    id          BIGINT PRIMARY KEY,
    source      TEXT NOT NULL REFERENCES advisory_sources (id),
    reviewed_at BIGINT NOT NULL,
    outcome     TEXT NOT NULL,
    note        TEXT NOT NULL,
    reviewed_by TEXT NOT NULL REFERENCES persons (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX source_reviews_source ON source_reviews (source, reviewed_at);

-- One row per attempt, failed ones included: a feed that silently stopped arriving is the
-- failure the register exists to catch.
CREATE TABLE source_syncs (
    id          BIGINT PRIMARY KEY,
    source      TEXT NOT NULL REFERENCES advisory_sources (id),
    url         TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    http_status BIGINT,
    bytes       BIGINT NOT NULL,
    added       BIGINT NOT NULL,
    updated     BIGINT NOT NULL,
    unchanged   BIGINT NOT NULL,
    error       TEXT,
    synced_by   TEXT NOT NULL REFERENCES persons (id)
);
CREATE INDEX source_syncs_source ON source_syncs (source, started_at);

-- Each KEV catalog or EPSS score file taken in; its entries below are the latest one's.
CREATE TABLE intel_catalogs (
    id          BIGINT PRIMARY KEY,
    kind        TEXT NOT NULL,
    version     TEXT NOT NULL,
    model       TEXT,
    released_at BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    entries     BIGINT NOT NULL,
    added       BIGINT NOT NULL,
    updated     BIGINT NOT NULL,
    unchanged   BIGINT NOT NULL,
    removed     BIGINT NOT NULL,
    source      TEXT NOT NULL,
    imported_by TEXT NOT NULL REFERENCES persons (id),
    imported_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX intel_catalogs_version ON intel_catalogs (kind, version);

-- Keyed by CVE id. An entry the latest catalog no longer lists keeps its row with
-- `removed_in` set: the store has no deletes.
CREATE TABLE kev_entries (
    id               TEXT PRIMARY KEY,
    vendor           TEXT NOT NULL,
    product          TEXT NOT NULL,
    name             TEXT NOT NULL,
    date_added       TEXT NOT NULL,
    due_date         TEXT NOT NULL,
    known_ransomware TEXT NOT NULL,
    removed_in       TEXT
);

-- Scores as decimal text: the audit chain's canonical JSON carries no fractional numbers.
CREATE TABLE epss_scores (
    id         TEXT PRIMARY KEY,
    score      TEXT NOT NULL,
    percentile TEXT NOT NULL,
    removed_in TEXT
);
