//! callout-cli's integration tests, as one test binary: a module per file of
//! this folder. They run the `callout` binary cargo builds for them
//! (`CARGO_BIN_EXE_callout`), which has the pause points of
//! `callout_core::pause` (this crate's dev-dependency turns them on).

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

mod common;

mod cli;
mod collection;
mod crash;
mod credential;
mod explain;
mod import;
mod interop;
mod keychain_locked;
mod keychain_unavailable;
mod load;
mod network;
mod rules;
mod run;
mod salesforce;
mod sandbox;
mod secrets_at_rest;
mod send;
mod timeline;
mod token;
