//! Moving requests in and out: curl commands, Apex snippets for Salesforce,
//! Postman collections.

pub mod apex;
pub mod curl;
pub mod postman;
pub mod shell;
