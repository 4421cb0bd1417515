-- SBOMs per software version (SPEC §3.5). Same conventions as 0001: instants are BIGINT
-- microseconds (UTC), lists canonical JSON; every table is a projection of the audit chain.

-- One current SBOM per software version. A replaced SBOM stays with `superseded_by` set: the
-- store has no deletes, and what was monitored for that version before stays on record.
-- `superseded_by` has no foreign key because the old row is marked before the new row is
-- inserted (the partial unique index allows one current row at any moment).
CREATE TABLE sboms (
    id              BIGINT PRIMARY KEY,
    product         TEXT NOT NULL,
    version         TEXT NOT NULL,
    format          TEXT NOT NULL,
    spec_version    TEXT NOT NULL,
    serial_number   TEXT,
    sha256          TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    component_count BIGINT NOT NULL,
    warnings        TEXT NOT NULL,
    superseded_by   BIGINT,
    imported_by     TEXT NOT NULL REFERENCES persons (id),
    imported_at     BIGINT NOT NULL,
    FOREIGN KEY (product, version) REFERENCES software_versions (product, version)
);
CREATE UNIQUE INDEX sboms_current ON sboms (product, version) WHERE superseded_by IS NULL;

CREATE TABLE sbom_components (
    id        BIGINT PRIMARY KEY,
    sbom      BIGINT NOT NULL REFERENCES sboms (id),
    name      TEXT NOT NULL,
    version   TEXT,
    purl      TEXT,
    cpe       TEXT,
    ecosystem TEXT,
    matchable TEXT NOT NULL
);
CREATE INDEX sbom_components_sbom ON sbom_components (sbom);
