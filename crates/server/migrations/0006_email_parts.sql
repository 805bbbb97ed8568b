-- Emails carry an HTML part beside the plain text, and may show an
-- organization's logo (attached inline when the email is sent).
ALTER TABLE outbox ADD COLUMN html_body TEXT;
ALTER TABLE outbox ADD COLUMN logo_org_id TEXT;
