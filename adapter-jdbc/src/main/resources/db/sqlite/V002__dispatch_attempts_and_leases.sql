-- Each dispatch intent starts one attempt of its step (a retry is a new intent, so a new message), and a push
-- transport leases intents in a committed transaction while it publishes them outside any transaction.
ALTER TABLE ${schema}${prefix}dispatch_intents ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE ${schema}${prefix}dispatch_intents ADD COLUMN lease_owner TEXT;
ALTER TABLE ${schema}${prefix}dispatch_intents ADD COLUMN lease_until INTEGER;
UPDATE ${schema}${prefix}dispatch_intents SET attempt = COALESCE((SELECT s.attempt + 1 FROM ${schema}${prefix}steps s
    WHERE s.run_id = ${schema}${prefix}dispatch_intents.run_id AND s.name = ${schema}${prefix}dispatch_intents.step), 1);
