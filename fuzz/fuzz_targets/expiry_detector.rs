//! The expiry detector on any response, written as raw HTTP: a status line,
//! headers, a blank line, the body (the format of the verdict fixtures, which
//! seed the corpus).
#![no_main]

use callout_core::detect::Detector;
use callout_core::send::Header;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(at) => (&data[..at], &data[at + 4..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .unwrap_or(500);
    let headers: Vec<Header> = lines.filter_map(|line| Header::parse(line).ok()).collect();
    let verdict = Detector::default().verdict(status, &headers, body);
    assert!(!verdict.reason.is_empty());
    assert!(!verdict.salesforce.reason.is_empty());
});
