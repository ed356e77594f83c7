//! callout-sandbox's integration tests, as one test binary: a module per
//! file of this folder.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

mod embedded;
mod sandbox;
