-- The bytes of tickets' attachments (an e-mail's photo of an alarm screen, a log file), kept
-- beside the ticket rather than left in a mailbox that will be purged. Addressed by their
-- SHA-256: the ticket record in the audit chain names each attachment's hash, so the chain
-- vouches for the bytes without holding them, and `audit verify` re-hashes every row. The same
-- file sent twice is stored once. (BYTEA: PostgreSQL's binary type; SQLite keeps a blob as it
-- is under any declared type.)
CREATE TABLE attachment_contents (
    sha256  TEXT PRIMARY KEY,
    content BYTEA NOT NULL
);
