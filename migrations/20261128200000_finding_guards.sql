-- Review fixes.
-- INS-10: the X02 finding filed for a refused sign-off stays as filed: it is never withdrawn and
-- its item, description and origin never change. Everything else as before: a finding moves
-- forward only.
create or replace function finding_moves_forward() returns trigger
language plpgsql
as $$
begin
    if old.origin = 'signoff_refusal'
       and (new.status = 'withdrawn' or new.origin <> old.origin
            or new.deduction_item_id is distinct from old.deduction_item_id
            or new.description <> old.description) then
        raise exception 'the finding % records a refused sign-off and stays as filed', old.id
            using errcode = 'check_violation', constraint = 'finding_moves_forward';
    end if;
    if old.status = 'draft' and new.status in ('draft', 'withdrawn', 'submitted') then
        return new;
    end if;
    if old.status = 'submitted' and new.status in ('confirmed', 'dismissed')
       and (new.task_id, new.unit_id, new.deduction_item_id, new.description, new.staff_id,
            new.staff_text, new.observed_at, new.place, new.points, new.created_by)
           is not distinct from
           (old.task_id, old.unit_id, old.deduction_item_id, old.description, old.staff_id,
            old.staff_text, old.observed_at, old.place, old.points, old.created_by) then
        return new;
    end if;
    raise exception 'finding % cannot go from % to %', old.id, old.status, new.status
        using errcode = 'check_violation', constraint = 'finding_moves_forward';
end
$$;

-- the retention purge, the sweep and recording look evidence up by its bytes' address
create index evidence_storage_key_idx on evidence (tenant_id, storage_key);
