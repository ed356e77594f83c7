//! callout-core's integration tests, as one test binary: a module per file
//! of this folder, so core is linked once rather than once per file. A test
//! is named `module::test` (`cargo test -p callout-core refresh::`); one that
//! runs itself again in a child process finds its name with
//! `common::test_name!`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

mod common;

mod binaries;
mod detect;
mod discovery;
mod engine_sandbox;
mod hostile;
mod interop;
mod keeper;
mod keychain;
mod keychain_blocking;
mod keychain_outage;
mod layers;
mod loopback;
mod merge;
mod network;
mod refresh;
mod run;
mod send;
mod sfdx;
mod timeline;
mod wsdl;
