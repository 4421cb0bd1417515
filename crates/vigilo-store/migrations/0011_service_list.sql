-- The fleet-wide service list (SPEC §3.4, "every service event of the last 90 days") as one
-- range of an index. Reading it through the events with a join to their devices and parts cost
-- 1.5 µs a device probe, 0.8 µs a parts probe and 2 µs of JSON building per listed event
-- (measured on 1,000,000 events: 30,538 listed in 190 ms, 10 ms of it the index walk alone).
-- Events, their parts and the device's serial, product and country never change once written,
-- so each event's list entry is rendered once, when the event is recorded, in the same
-- transaction. This table is derived from audited records, like an index: it is not in the
-- audit chain, and Vigilo fills it from the events when it finds it empty beside stored events
-- (stores made before this migration).
CREATE TABLE service_list (
    event        BIGINT NOT NULL REFERENCES service_events (id),
    performed_at BIGINT NOT NULL,
    country      TEXT NOT NULL,
    entry        TEXT NOT NULL
);
CREATE INDEX service_list_recent ON service_list (performed_at, event, country, entry);

-- Only the list read events by instant; it now reads service_list.
DROP INDEX service_events_performed;
