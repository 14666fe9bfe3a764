-- Office settings: names, time zone, document number formats, default deadlines, excellence
-- rules, and the complaint channels shown to the public (CMP-03).
-- The office's short name and time zone are read with the office itself, before any tenant is set.
alter table office
    add column short_name text not null default '',
    add column time_zone text not null default 'Asia/Shanghai';

create table office_settings (
    tenant_id uuid not null references office (id),
    complaint_number_format text not null default '效投〔{year}〕{seq:04}号',
    notice_number_format text not null default '效整〔{year}〕{seq}号',
    rectification_working_days integer not null default 10,
    self_report_due_working_days integer not null default 10,
    excellence_min_score numeric(5, 2) not null default 90,
    excellence_max_share_percent integer not null default 20,
    complaint_hotline text not null default '',
    office_phone text not null default '',
    address text not null default '',
    email text not null default '',
    visiting_hours text not null default '',
    updated_at timestamptz not null default now(),
    primary key (tenant_id),
    constraint office_settings_days_check
        check (rectification_working_days between 1 and 90 and self_report_due_working_days between 1 and 60),
    constraint office_settings_excellence_check
        check (excellence_min_score between 0 and 100 and excellence_max_share_percent between 0 and 100)
);
alter table office_settings enable row level security;
alter table office_settings force row level security;
create policy tenant_isolation on office_settings using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
grant select, insert, update on office_settings to xiaoneng_app;
grant update (name, short_name, time_zone) on office to xiaoneng_app;

-- every existing office gets its settings row
insert into office_settings (tenant_id) select id from office;
