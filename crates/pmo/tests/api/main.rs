//! Integration tests: the real router against a fresh PostgreSQL database per test, and the real
//! binary for command-line behaviour. `make test` provides DATABASE_URL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod artifacts;
mod auth;
mod backup;
mod bench;
mod cache;
mod cli;
mod client_address;
mod datalabels;
mod entity_types;
mod errors;
mod forms;
mod health;
mod helpers;
mod identity_coverage;
mod jobs;
mod linkage;
mod mail;
mod managed;
mod metrics;
mod permission_matrix;
mod permissions;
mod records;
mod records_coverage;
mod search;
mod seed;
mod tenancy;
