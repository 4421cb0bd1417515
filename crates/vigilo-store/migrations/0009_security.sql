-- The security intake queue and its triage (SPEC §3.5). Same conventions as 0001: instants are
-- BIGINT microseconds (UTC), lists canonical JSON; every table is a projection of the audit chain.

-- Signals entered by hand (vendor advisories, threat-intelligence notes); CVE matches are the
-- findings of 0008. A drill's signals carry its id and stay out of the real queue.
CREATE TABLE security_signals (
    id          BIGINT PRIMARY KEY,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    reference   TEXT,
    cves        TEXT NOT NULL,
    cvss        TEXT NOT NULL,
    product     TEXT REFERENCES products (id),
    versions    TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    drill       BIGINT,
    recorded_by TEXT NOT NULL REFERENCES persons (id),
    recorded_at BIGINT NOT NULL
);

CREATE TABLE problem_reports (
    id          BIGINT PRIMARY KEY,
    title       TEXT NOT NULL,
    origin      TEXT NOT NULL,
    product     TEXT REFERENCES products (id),
    version     TEXT,
    rating      TEXT NOT NULL,
    critical    TEXT NOT NULL,
    description TEXT NOT NULL,
    opened_by   TEXT NOT NULL REFERENCES persons (id),
    opened_at   BIGINT NOT NULL
);

-- Append-only: the latest decision per finding or signal stands.
CREATE TABLE security_triage (
    id               BIGINT PRIMARY KEY,
    finding          BIGINT REFERENCES findings (id),
    signal           BIGINT REFERENCES security_signals (id),
    outcome          TEXT NOT NULL,
    rating           TEXT NOT NULL,
    score            TEXT,
    vector           TEXT,
    exploitability   TEXT NOT NULL,
    reachability     TEXT NOT NULL,
    harm             TEXT NOT NULL,
    recommended      TEXT NOT NULL,
    rationale        TEXT NOT NULL,
    justification    TEXT,
    action           TEXT,
    remediation      TEXT,
    problem_report   BIGINT REFERENCES problem_reports (id),
    vigilance_ticket BIGINT REFERENCES tickets (id),
    decided_by       TEXT NOT NULL REFERENCES persons (id),
    decided_at       BIGINT NOT NULL,
    CHECK ((finding IS NULL) <> (signal IS NULL))
);
CREATE INDEX security_triage_finding ON security_triage (finding);
CREATE INDEX security_triage_signal ON security_triage (signal);

-- CVE drills: their matches and timed steps live here only, apart from findings and the queue.
CREATE TABLE security_drills (
    id          BIGINT PRIMARY KEY,
    advisory    TEXT NOT NULL,
    aliases     TEXT NOT NULL,
    reach       TEXT NOT NULL,
    steps       TEXT NOT NULL,
    started_by  TEXT NOT NULL REFERENCES persons (id),
    started_at  BIGINT NOT NULL,
    finished_at BIGINT,
    trainings   TEXT NOT NULL
);
