//! PMO Enterprise Platform: the library behind the `pmo` binary. `build_app` is shared by the
//! server and the integration tests.

pub mod artifact;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod cache;
pub mod cli;
pub mod config;
pub mod datalabel;
pub mod db;
pub mod entity;
pub mod error;
pub mod form;
pub mod http;
pub mod jobs;
pub mod linkage;
pub mod mail;
pub mod mailbox;
pub mod metrics;
pub mod rbac;
pub mod search;
pub mod seed;
pub mod server;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod tenancy;

pub use http::router::build_app;
