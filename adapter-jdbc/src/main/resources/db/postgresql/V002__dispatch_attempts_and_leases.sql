-- Each dispatch intent starts one attempt of its step (a retry is a new intent, so a new message), and a push
-- transport leases intents in a committed transaction while it publishes them outside any transaction.
ALTER TABLE ${schema}${prefix}dispatch_intents ADD COLUMN attempt integer NOT NULL DEFAULT 1;
ALTER TABLE ${schema}${prefix}dispatch_intents ADD COLUMN lease_owner text;
ALTER TABLE ${schema}${prefix}dispatch_intents ADD COLUMN lease_until timestamptz;
UPDATE ${schema}${prefix}dispatch_intents AS i SET attempt = COALESCE((SELECT s.attempt + 1
    FROM ${schema}${prefix}steps s WHERE s.run_id = i.run_id AND s.name = i.step), 1);
