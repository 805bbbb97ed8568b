-- The partner relationship a delegated person acted through, on each audit
-- event they caused: the customer's trail hides another partner's people's
-- actions from a partner's people (store::audit::EventPage).
ALTER TABLE audit_events ADD COLUMN via_relationship_id TEXT;
