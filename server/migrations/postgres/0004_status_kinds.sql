-- Status kinds (issue 11: «Цифровой ID»).
-- A pass's data (`passes.holder`) is now the JSON {"kind", "record", "secret"}: the status kind,
-- the Ministry of Defence record (СВО kinds only) and the dynamic code's secret (dynamic passes
-- only), all cleared at expiry as before. Live rows of the single-status service held the bare
-- registry record: they become `svo_participant` passes without a secret.
UPDATE passes
SET holder = '{"kind":"svo_participant","record":' || holder || ',"secret":null}'
WHERE holder IS NOT NULL AND holder NOT LIKE '{"kind":%';

-- A ledger row also records the status kind of the scan (not personal data); older rows were
-- all СВО participants.
ALTER TABLE ledger ADD COLUMN kind TEXT NOT NULL DEFAULT 'svo_participant';
