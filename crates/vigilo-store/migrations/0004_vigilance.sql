-- Vigilance, FSCA and the monthly PMS review (SPEC §3.3, §3.4). Same conventions as 0001:
-- instants are BIGINT microseconds (UTC), dates TEXT, lists and documents canonical JSON; every
-- table is a projection of the audit chain.

-- Organisation-maintained public holidays, on top of the national ones Vigilo computes by rule.
CREATE TABLE holidays (
    id      BIGINT PRIMARY KEY,
    country TEXT NOT NULL,
    date    TEXT NOT NULL,
    name    TEXT NOT NULL,
    source  TEXT NOT NULL,
    UNIQUE (country, date)
);

CREATE TABLE vigilance_acknowledgements (
    id      BIGINT PRIMARY KEY,
    case_id BIGINT NOT NULL UNIQUE REFERENCES vigilance_cases (id),
    person  TEXT NOT NULL REFERENCES persons (id),
    at      BIGINT NOT NULL
);

CREATE TABLE vigilance_decisions (
    id         BIGINT PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES vigilance_cases (id),
    category   TEXT NOT NULL,
    rationale  TEXT NOT NULL,
    clock_from BIGINT NOT NULL,
    decided_by TEXT NOT NULL REFERENCES persons (id),
    decided_at BIGINT NOT NULL
);
CREATE INDEX vigilance_decisions_case ON vigilance_decisions (case_id);

CREATE TABLE vigilance_submissions (
    id           BIGINT PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES vigilance_cases (id),
    market       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    reference    TEXT,
    recorded_by  TEXT NOT NULL REFERENCES persons (id),
    recorded_at  BIGINT NOT NULL
);
CREATE INDEX vigilance_submissions_case ON vigilance_submissions (case_id);

-- The incident facts a report draft carries (IMDRF codes, patient, investigation): one
-- document per case, replaced as the investigation goes on (the audit chain keeps each state).
CREATE TABLE vigilance_details (
    id         BIGINT PRIMARY KEY REFERENCES vigilance_cases (id),
    details    TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES persons (id),
    updated_at BIGINT NOT NULL
);

-- IMDRF codes given to a ticket (Annex A device problem, E/F health effects, G component): what
-- trends per problem code and the PSUR's tables count.
CREATE TABLE ticket_codes (
    id       BIGINT PRIMARY KEY,
    ticket   BIGINT NOT NULL REFERENCES tickets (id),
    annex    TEXT NOT NULL,
    code     TEXT NOT NULL,
    coded_by TEXT NOT NULL REFERENCES persons (id),
    coded_at BIGINT NOT NULL,
    UNIQUE (ticket, code)
);

-- A field safety corrective action, its scope, and the device list the scope gave when it was
-- opened (kept, so the list a notice went to stays evidence even as the fleet changes).
CREATE TABLE fscas (
    id        TEXT PRIMARY KEY,
    title     TEXT NOT NULL,
    product   TEXT NOT NULL REFERENCES products (id),
    versions  TEXT NOT NULL,
    lots      TEXT NOT NULL,
    serials   TEXT NOT NULL,
    countries TEXT NOT NULL,
    reason    TEXT NOT NULL,
    notice    TEXT NOT NULL,
    case_id   BIGINT REFERENCES vigilance_cases (id),
    opened_by TEXT NOT NULL REFERENCES persons (id),
    opened_at BIGINT NOT NULL
);

CREATE TABLE fsca_devices (
    id       BIGINT PRIMARY KEY,
    fsca     TEXT NOT NULL REFERENCES fscas (id),
    device   BIGINT NOT NULL REFERENCES devices (id),
    serial   TEXT NOT NULL,
    country  TEXT NOT NULL,
    customer TEXT NOT NULL,
    software TEXT,
    UNIQUE (fsca, device)
);

CREATE TABLE fsca_acknowledgements (
    id              BIGINT PRIMARY KEY,
    fsca            TEXT NOT NULL REFERENCES fscas (id),
    customer        TEXT NOT NULL,
    acknowledged_at BIGINT NOT NULL,
    recorded_by     TEXT NOT NULL REFERENCES persons (id),
    recorded_at     BIGINT NOT NULL,
    UNIQUE (fsca, customer)
);

-- The monthly PMS service-data review: the signals as built, and the reviewer's decision.
CREATE TABLE pms_reviews (
    id          TEXT PRIMARY KEY,
    signals     TEXT NOT NULL,
    decision    TEXT NOT NULL,
    notes       TEXT NOT NULL,
    reviewer    TEXT NOT NULL REFERENCES persons (id),
    reviewed_at BIGINT NOT NULL
);
