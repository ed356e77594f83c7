//! What every importer's collection must hold, whatever text came in: no
//! line break or control character in a URL, a method or a header name,
//! every request one that saves, every credential draft valid.

use callout_core::interop::check_request;
use callout_core::interop::incoming::Incoming;

pub fn assert_sound(incoming: &Incoming) {
    for imported in &incoming.requests {
        let request = &imported.request;
        assert_eq!(
            check_request(&request.method, &request.url, &request.headers),
            Ok(()),
            "{request:?}"
        );
        assert!(request.validate().is_ok(), "{request:?}");
    }
    for credential in &incoming.credentials {
        assert!(credential.validate().is_ok(), "{}", credential.name);
    }
}
