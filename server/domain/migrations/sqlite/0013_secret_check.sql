-- A keyed check of the pseudonymisation secret (an HMAC of a fixed label, never the secret):
-- every node of a multi-node setup must pseudonymise with the same secret, or the same study
-- imported through two nodes would become two. A node whose secret does not match refuses to
-- start.
CREATE TABLE deployment (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    secret_check  TEXT NOT NULL
);
