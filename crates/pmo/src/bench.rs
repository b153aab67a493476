//! The benchmark harness (SPEC §9): `pmo bench generate` builds a large tenant, `pmo bench run`
//! measures the hot endpoints against a running server and the direct-SQL floor.
//! Figures live in docs/BENCHMARKS.md; nothing here is a timed test.

pub mod generate;
pub mod run;
