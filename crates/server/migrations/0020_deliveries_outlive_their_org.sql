-- What delivering needs from an endpoint, copied onto its pending
-- deliveries when its org is deleted (the endpoint row goes with the org),
-- so `org.deleted` and whatever else was still pending reach the receiver.
-- NULL while the endpoint exists: its row is read at every attempt, so an
-- edited URL or a rotated secret applies to deliveries already queued.
-- webhook_deliveries has no foreign key, so its rows outlive the org.
ALTER TABLE webhook_deliveries ADD COLUMN url TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN secret_generation BIGINT;
ALTER TABLE webhook_deliveries ADD COLUMN previous_secret_until BIGINT;
