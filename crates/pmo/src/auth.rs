//! Identity: passwords, access tokens and sessions, the current-user extractor, and (in
//! `permissions`) the one place that decides what a caller may do.

pub mod current_user;
pub mod keys;
pub mod password;
pub mod permissions;
pub mod routes;
pub mod session;
pub mod throttle;
pub mod tokens;

pub use current_user::CurrentUser;
