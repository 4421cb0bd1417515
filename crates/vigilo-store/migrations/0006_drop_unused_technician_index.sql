-- No query reads service events by technician (the training matrix and the authorisation rule
-- read trainings, not events), so this index only cost every ingested event one more random
-- B-tree insert.
DROP INDEX service_events_technician;
