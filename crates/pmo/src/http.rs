//! HTTP edge: router assembly, middleware, extractors and the platform's own routes.

pub mod cursor;
pub mod docs;
pub mod extract;
pub mod health;
pub mod middleware;
pub mod openapi;
pub mod router;
pub mod spa;
