-- Defence in depth for what only the handlers refused so far.
-- INS-11: a finding is filed as a draft; only the office's review confirms or dismisses it.
-- INS-09/INS-10: a finding's evidence is added while it is a draft; a report's or an appeal's
-- files go with it while the office has not decided it (INS-11, INS-12).
create function finding_filed_as_draft() returns trigger
language plpgsql
as $$
begin
    if new.status <> 'draft' or new.decided_at is not null or new.decided_by is not null then
        raise exception 'a finding is filed as a draft, not as %', new.status
            using errcode = 'check_violation', constraint = 'finding_filed_as_draft';
    end if;
    return new;
end
$$;
create trigger finding_filed_as_draft before insert on finding
    for each row execute function finding_filed_as_draft();

create function evidence_joins_an_open_record() returns trigger
language plpgsql
as $$
begin
    if new.finding_id is not null and not exists (
        select 1 from finding f
         where f.tenant_id = new.tenant_id and f.id = new.finding_id and f.status = 'draft') then
        raise exception 'evidence is added to a draft finding only'
            using errcode = 'check_violation', constraint = 'evidence_joins_an_open_record';
    end if;
    if new.report_id is not null and not exists (
        select 1 from rectification_report r
         where r.tenant_id = new.tenant_id and r.id = new.report_id and r.decision is null) then
        raise exception 'a decided report takes no more files'
            using errcode = 'check_violation', constraint = 'evidence_joins_an_open_record';
    end if;
    if new.appeal_notice_id is not null and not exists (
        select 1 from notice_appeal a
         where a.tenant_id = new.tenant_id and a.notice_id = new.appeal_notice_id
           and a.decision is null) then
        raise exception 'a decided appeal takes no more evidence'
            using errcode = 'check_violation', constraint = 'evidence_joins_an_open_record';
    end if;
    return new;
end
$$;
create trigger evidence_joins_an_open_record before insert on evidence
    for each row execute function evidence_joins_an_open_record();
