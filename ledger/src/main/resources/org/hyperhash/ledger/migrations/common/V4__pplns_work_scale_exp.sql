-- PPLNS work scale = work_scale x 10^work_scale_exp (pplns-v2 derives the exponent from the network difficulty).
-- Rows written before this migration used work_scale alone.
ALTER TABLE block_distributions ADD COLUMN work_scale_exp INTEGER NOT NULL DEFAULT 0 CHECK (work_scale_exp >= 0);
