-- What a DCV operation or a submission's resolution carries to the CA
-- (CHANGE_DCV_AT_CA: the new choices; RESEND_DCV_EMAIL_AT_CA: the host name;
-- RESOLVE_AT_CA: the operator's decision, reason and identity), as JSON. NULL
-- for the other kinds.
ALTER TABLE outbox ADD COLUMN detail_json TEXT NULL;
