//! WSDL 1.1 documents: any text. It is imported or refused, never panics nor
//! runs away (a skeleton is cut at a depth and a size); what comes in holds no
//! line break or control in a URL, a method or a header name, every request
//! saves, and every body is a whole SOAP envelope. (That each body is
//! well-formed XML the unit tests check, with an XML parser, on mangled
//! fixtures: `interop::wsdl::tests`.)
#![no_main]

use callout_core::interop::wsdl;
use libfuzzer_sys::fuzz_target;

#[path = "common/incoming.rs"]
mod incoming_checks;

fuzz_target!(|text: &str| {
    let Ok(incoming) = wsdl::import(text, "fuzz.wsdl") else {
        return;
    };
    assert!(!incoming.requests.is_empty());
    incoming_checks::assert_sound(&incoming);
    for imported in &incoming.requests {
        let request = &imported.request;
        assert!(request.url.starts_with("{{endpoint"), "{}", request.url);
        let body = request.body.as_deref().unwrap_or_default();
        assert!(
            body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap")
                && (body.ends_with("</soapenv:Envelope>\n")
                    || body.ends_with("</soap:Envelope>\n")),
            "{body}"
        );
    }
});
