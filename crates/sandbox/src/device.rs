//! Device authorization (RFC 8628): `POST /device/code` hands out a device code
//! and a user code; a person enters the user code at `/device` and approves;
//! the device meanwhile polls `/token` (see `token.rs`).

use serde_json::json;

use crate::clients::{require_client, resolve_scope};
use crate::http::{Incoming, Reply};
use crate::pages;
use crate::provider::{Provider, random_value};
use crate::store::{DeviceRecord, DeviceStatus};

/// RFC 8628 §6.1: consonants only, so no words are spelled by accident.
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

pub(crate) fn device_authorization(provider: &Provider, request: &Incoming) -> Reply {
    let form = request.form();
    let client = match require_client(provider, request, &form) {
        Ok(client) => client,
        Err(error) => return error.reply(),
    };
    let scope = match resolve_scope(provider, form.get("scope")) {
        Ok(scope) => scope,
        Err(error) => return error.reply(),
    };
    let now = provider.now();
    let device_code = format!("dc{}", random_value());
    let user_code = user_code();
    let record = DeviceRecord {
        client_id: client.id,
        user_code: user_code.clone(),
        scope,
        subject: None,
        expires_at: now + provider.config.device_code_ttl,
        next_poll_at: now,
        status: DeviceStatus::Pending,
    };
    provider.store().devices.insert(device_code.clone(), record);
    let verification_uri = provider.url("/device");
    Reply::json(
        200,
        &json!({
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": format!("{verification_uri}?user_code={user_code}"),
            "expires_in": provider.config.device_code_ttl.as_secs(),
            "interval": provider.config.device_poll_interval.as_secs(),
        }),
    )
    .no_store()
}

fn user_code() -> String {
    let letters: String = uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .take(8)
        .map(|byte| char::from(USER_CODE_ALPHABET[usize::from(*byte) % USER_CODE_ALPHABET.len()]))
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// `GET /device`: the page where a person types the user code;
/// `POST /device`: their approval or denial.
pub(crate) fn verification_page(provider: &Provider, request: &Incoming) -> Reply {
    if request.method != "POST" {
        let query = request.query_params();
        let page = pages::device_entry(query.get("user_code").unwrap_or_default(), None);
        return Reply::html(200, page).with_outcome("device_page");
    }
    let form = request.form();
    let entered = form.get("user_code").unwrap_or_default();
    let approve = match form.get("decision") {
        Some("allow") => true,
        Some("deny") => false,
        _ => return entry_error(entered, "Choose Approve or Deny."),
    };
    let now = provider.now();
    let mut store = provider.store();
    let Some(device) = store.device_by_user_code(entered) else {
        return entry_error(
            entered,
            "That code is not recognised. Check it and try again.",
        );
    };
    if now >= device.expires_at {
        return entry_error(
            entered,
            "That code has expired. Start again on your device.",
        );
    }
    if device.status != DeviceStatus::Pending {
        return entry_error(entered, "That code has already been used.");
    }
    if approve {
        device.status = DeviceStatus::Approved;
        device.subject = Some(provider.config.username.clone());
    } else {
        device.status = DeviceStatus::Denied;
    }
    let outcome = if approve {
        "device_approved"
    } else {
        "device_denied"
    };
    Reply::html(200, pages::device_done(approve)).with_outcome(outcome)
}

fn entry_error(entered: &str, message: &str) -> Reply {
    Reply::html(400, pages::device_entry(entered, Some(message))).with_outcome("invalid_user_code")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_two_groups_of_four_consonants() {
        let code = user_code();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert!(
            code.replace('-', "")
                .bytes()
                .all(|byte| USER_CODE_ALPHABET.contains(&byte))
        );
    }
}
