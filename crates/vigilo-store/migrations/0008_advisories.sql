-- OSV advisories and their findings (SPEC §3.5). Same conventions as 0001: instants are BIGINT
-- microseconds (UTC), lists canonical JSON; every table is a projection of the audit chain.

-- The latest imported version of each advisory; `document` is the OSV record as JSON text.
CREATE TABLE advisories (
    id          TEXT PRIMARY KEY,
    modified    BIGINT NOT NULL,
    published   BIGINT,
    withdrawn   BIGINT,
    aliases     TEXT NOT NULL,
    summary     TEXT,
    severity    TEXT NOT NULL,
    document    TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_by TEXT NOT NULL REFERENCES persons (id),
    imported_at BIGINT NOT NULL
);

-- One finding per (SBOM component, advisory); a finding that stops matching is retracted, not
-- deleted, so the unique index holds across states.
CREATE TABLE findings (
    id           BIGINT PRIMARY KEY,
    advisory     TEXT NOT NULL REFERENCES advisories (id),
    sbom         BIGINT NOT NULL REFERENCES sboms (id),
    component    BIGINT NOT NULL REFERENCES sbom_components (id),
    product      TEXT NOT NULL,
    version      TEXT NOT NULL,
    purl         TEXT NOT NULL,
    fixed        TEXT NOT NULL,
    state        TEXT NOT NULL,
    found_at     BIGINT NOT NULL,
    retracted_at BIGINT
);
CREATE UNIQUE INDEX findings_pair ON findings (component, advisory);
CREATE INDEX findings_version ON findings (product, version);
