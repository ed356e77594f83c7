//! Counters behind `GET /_sandbox/stats`: token requests by grant type and
//! outcome, API calls by endpoint and outcome.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What the sandbox has been asked and how it answered, e.g.
/// `{"tokenRequests":{"refresh_token":{"ok":2,"invalid_grant":1}},
///   "apiCalls":{"salesforce_soap":{"ok":1,"invalid_session":1}}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxStats {
    pub token_requests: BTreeMap<String, BTreeMap<String, u64>>,
    pub api_calls: BTreeMap<String, BTreeMap<String, u64>>,
}

impl SandboxStats {
    /// Token requests of a grant type (`refresh_token`, `jwt_bearer`, ...) that
    /// ended with `outcome` (`ok`, an RFC 6749 error code, or `fault_<name>`).
    pub fn token_count(&self, grant: &str, outcome: &str) -> u64 {
        count(&self.token_requests, grant, outcome)
    }

    /// API calls to an endpoint (`salesforce_soap`, `salesforce_rest`, `wso2`,
    /// `rfc6750`) that ended with `outcome` (`ok`, `invalid_session`, ...).
    pub fn api_count(&self, endpoint: &str, outcome: &str) -> u64 {
        count(&self.api_calls, endpoint, outcome)
    }

    /// All token requests of a grant type, whatever their outcome.
    pub fn token_total(&self, grant: &str) -> u64 {
        self.token_requests
            .get(grant)
            .map_or(0, |outcomes| outcomes.values().sum())
    }

    pub(crate) fn record_token(&mut self, grant: &str, outcome: &str) {
        bump(&mut self.token_requests, grant, outcome);
    }

    pub(crate) fn record_api(&mut self, endpoint: &str, outcome: &str) {
        bump(&mut self.api_calls, endpoint, outcome);
    }
}

type Counters = BTreeMap<String, BTreeMap<String, u64>>;

fn count(counters: &Counters, group: &str, outcome: &str) -> u64 {
    counters
        .get(group)
        .and_then(|outcomes| outcomes.get(outcome))
        .copied()
        .unwrap_or(0)
}

fn bump(counters: &mut Counters, group: &str, outcome: &str) {
    *counters
        .entry(group.to_string())
        .or_default()
        .entry(outcome.to_string())
        .or_default() += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_group_and_outcome_and_serializes_camel_case() {
        let mut stats = SandboxStats::default();
        stats.record_token("refresh_token", "ok");
        stats.record_token("refresh_token", "ok");
        stats.record_token("refresh_token", "invalid_grant");
        stats.record_api("wso2", "invalid_token");
        assert_eq!(stats.token_count("refresh_token", "ok"), 2);
        assert_eq!(stats.token_total("refresh_token"), 3);
        assert_eq!(stats.api_count("wso2", "ok"), 0);
        assert_eq!(
            serde_json::to_value(&stats).unwrap(),
            serde_json::json!({
                "tokenRequests": {"refresh_token": {"invalid_grant": 1, "ok": 2}},
                "apiCalls": {"wso2": {"invalid_token": 1}}
            })
        );
    }
}
