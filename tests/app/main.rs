//! Integration tests: the real router over a real PostgreSQL database per test.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod audit_log;
mod auth;
mod cli;
mod e2e;
mod common;
mod roles;
mod shell;
mod tenancy;
