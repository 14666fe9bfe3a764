-- Scoring: each assessment year's base score and floor, and the index the year's scores read.

-- What a unit starts the year with and what its score cannot fall below, per year.
alter table assessment_year
    add column base_score numeric(6, 2) not null default 100,
    add column score_floor numeric(6, 2) not null default 0,
    add constraint assessment_year_score_check check (score_floor >= 0 and score_floor < base_score);

-- Serves the year's scores (every unit's effective deductions, grouped) from the index alone.
create index deduction_year_score_idx on deduction (tenant_id, assessment_year_id, unit_id)
    include (entry_kind, points, deduction_item_id);
