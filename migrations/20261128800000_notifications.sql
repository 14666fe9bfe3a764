-- The inbox's reminders and news: one row per user and occasion. The scheduled job writes the
-- reminders one working day before a due date and when something falls overdue; handlers write
-- the news (a notice issued to the unit, an appeal or a report decided). The unique key makes
-- every writer idempotent. Mail goes out for rows not yet mailed when SMTP is configured.
create table notification (
    tenant_id uuid not null references office (id),
    id uuid not null,
    user_id uuid not null,
    kind text not null,
    subject_type text not null,
    subject_id uuid not null,
    -- the day the notification is about (a due date, or the day of the news)
    occasion date not null,
    -- what the message names (a notice's number, a date), rendered in the reader's language
    detail jsonb not null default '{}',
    -- the page it leads to, under the office
    link text not null,
    created_at timestamptz not null default now(),
    read_at timestamptz,
    mailed_at timestamptz,
    primary key (tenant_id, id),
    constraint notification_user_fkey foreign key (tenant_id, user_id) references app_user (tenant_id, id),
    constraint notification_once unique (tenant_id, user_id, kind, subject_id, occasion),
    constraint notification_kind_check check (kind in (
        'notice_issued', 'notice_due_tomorrow', 'notice_overdue', 'appeal_decided',
        'report_returned', 'report_accepted', 'followup_due_tomorrow', 'followup_overdue',
        'self_report_due_tomorrow')),
    constraint notification_link_check check (link ~ '^/[a-z0-9/_-]*$')
);
create index notification_user_idx on notification (tenant_id, user_id, created_at desc);
create index notification_unread_idx on notification (tenant_id, user_id) where read_at is null;
create index notification_unmailed_idx on notification (tenant_id, created_at) where mailed_at is null;

alter table notification enable row level security;
alter table notification force row level security;
create policy tenant_isolation on notification using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
grant select, insert on notification to xiaoneng_app;
grant update (read_at, mailed_at) on notification to xiaoneng_app;

-- where a user's mail goes, when the office sends mail (optional)
alter table app_user add column email text not null default '';
alter table app_user add constraint app_user_email_check
    check (email = '' or (length(email) <= 254 and email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'));

-- The inbox's count runs on every page a signed-in user opens: each of its counts reads a small
-- partial index, never the office's whole history.
create index finding_submitted_idx on finding (tenant_id) where status = 'submitted';
create index finding_draft_idx on finding (tenant_id, created_by) where status = 'draft';
create index notice_appeal_pending_idx on notice_appeal (tenant_id) where decision is null;
create index rectification_notice_issued_idx on rectification_notice (tenant_id, unit_id, due_at)
    where status = 'issued';
create index interview_action_open_idx on interview_action (tenant_id, due_on) where done_at is null;
