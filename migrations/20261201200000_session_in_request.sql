-- A page view reads its session and its user in one statement, inside the request's own office
-- transaction as the restricted role, instead of one statement on a connection of its own and a
-- second for the user.
--
-- The session names its user in a column of its own (written by the session store from the
-- session's data), so the join needs no JSON. The restricted role may read one session: the one
-- whose id the request set in `app.session_id` (the browser's cookie), and nothing else; every
-- other user of the table (the session store) is unaffected.
alter table session add column user_id uuid;
update session set user_id = (data -> 'auth' ->> 'user_id')::uuid
 where data -> 'auth' ->> 'user_id' ~ '^[0-9a-fA-F-]{36}$';

alter table session enable row level security;
create policy session_store on session
    using (current_user <> 'xiaoneng_app') with check (current_user <> 'xiaoneng_app');
create policy session_of_request on session for select to xiaoneng_app
    using (id = current_setting('app.session_id', true));
grant select on session to xiaoneng_app;
