//! Integration tests: the real router over a real PostgreSQL database per test.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod api_keys;
mod audit_log;
mod auth;
mod bulletins;
mod calendar;
mod cli;
mod common;
mod complaints;
mod complaints_api;
mod complaints_slip;
mod dashboard;
mod draws;
mod e2e;
mod e2e_complaints;
mod e2e_demo;
mod e2e_nav;
mod exports;
mod findings;
mod home;
mod inbox;
mod input;
mod interviews;
mod notices;
mod roles;
mod rounds;
mod scores;
mod self_reports;
mod settings;
mod shell;
mod supervisors;
mod tasks;
mod tenancy;
mod units;
mod wording;
mod years;
