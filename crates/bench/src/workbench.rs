//! The workbench's figures: what keeping every send in the history adds to
//! a send (`history_overhead`), and reading a collection of 1000 request
//! files (`collection_open`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use callout_core::collection::{self, Collection};
use callout_core::credential::{CredentialSecrets, CredentialSet};
use callout_core::history::{History, Label, Retention};
use callout_core::requests::SavedRequest;
use callout_core::send::{Call, Sender, Timeouts};
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::fixtures;
use crate::report::{Figure, Pair, micros};
use crate::{BenchError, Result};

/// `history_overhead`: a `callout:` SOAP call through `Sender::send`, then
/// kept in a history already full to its retention (5 000 sends: one SQLite
/// row added, bodies cut, credential headers withheld, the oldest trimmed) —
/// against the same call not kept.
pub async fn history_overhead(iterations: usize) -> Result<Figure> {
    // Tokens outlive filling the history.
    let sandbox = Sandbox::start(SandboxConfig {
        access_ttl: Duration::from_secs(3_600),
        ..SandboxConfig::default()
    })
    .map_err(BenchError::engine("start the sandbox"))?;
    let sender = Sender::new(Timeouts::default())
        .map_err(BenchError::engine("build the engine's HTTP client"))?;
    let credential = fixtures::sandbox_credential(&sandbox, "Bench");
    let credentials = CredentialSet::new(vec![credential])
        .map_err(BenchError::engine("define the credential"))?;
    let draft = fixtures::soap_draft("Bench", fixtures::envelope(&fixtures::SEND_FIELDS));
    let token = sandbox.issue_tokens("api").access_token;
    let secrets = CredentialSecrets::with_token(token.expose());
    let dir = tempfile::tempdir().map_err(|source| BenchError::Io {
        what: "make a temporary directory".into(),
        source,
    })?;
    let history = History::open_at(&dir.path().join("history.sqlite3"))
        .map_err(BenchError::engine("open the history"))?;
    let label = Label {
        request: Some("Bench/SOAP query".into()),
        environment: Some("Sandbox".into()),
    };
    let keep = Retention {
        count: 5_000,
        age: Duration::from_secs(30 * 86_400),
    };

    // A user's history at steady state: full to its retention, so every
    // kept send also trims the oldest.
    let first = Call::resolve(&draft, &credentials)
        .map_err(BenchError::engine("resolve the credential"))?;
    let sample = sender
        .send(&first, &secrets, None)
        .await
        .map_err(BenchError::engine("send through the engine"))?
        .report();
    for _ in 0..keep.count {
        history
            .record(
                &draft,
                &sample,
                &label,
                SystemTime::now(),
                Duration::from_millis(1),
                keep,
            )
            .map_err(BenchError::engine("fill the history"))?;
    }

    let mut pair = Pair::new("us");
    for round in 0..iterations + iterations / 5 {
        let send = || async {
            let call = Call::resolve(&draft, &credentials)
                .map_err(BenchError::engine("resolve the credential"))?;
            sender
                .send(&call, &secrets, None)
                .await
                .map_err(BenchError::engine("send through the engine"))
        };
        let started = Instant::now();
        let outcome = send().await?;
        history
            .record(
                &draft,
                &outcome.report(),
                &label,
                SystemTime::now(),
                started.elapsed(),
                keep,
            )
            .map_err(BenchError::engine("keep the send"))?;
        let kept = micros(started.elapsed());

        let started = Instant::now();
        let outcome = send().await?;
        let plain = micros(started.elapsed());
        if outcome.response.status != 200 {
            return Err(BenchError::Check {
                what: format!("history_overhead: HTTP {}", outcome.response.status),
            });
        }
        if round >= iterations / 5 {
            pair.candidate.push(kept);
            pair.baseline.push(plain);
        }
    }
    let listed = history
        .list(label.request.as_deref(), 10)
        .map_err(BenchError::engine("list the history"))?;
    if listed.is_empty() {
        return Err(BenchError::Check {
            what: "history_overhead: nothing was kept".into(),
        });
    }
    // Reported, not held to a target: against a loopback call of a fraction
    // of a millisecond any disk write shows; what it adds in microseconds is
    // kept beside the ratio, to set against a real API's round trip.
    let mut figure = Figure::ratio(
        "history_overhead",
        &pair,
        f64::INFINITY,
        "a callout: SOAP call through Sender::send, then kept in a history full to its 5 000-send retention (SQLite, WAL)",
        "the same call, not kept",
    );
    figure.target = None;
    figure.met = None;
    let added = crate::report::median(&pair.candidate) - crate::report::median(&pair.baseline);
    if let Some(extra) = figure.extra.as_object_mut() {
        extra.insert("added_median_us".into(), serde_json::json!(added));
    }
    Ok(figure)
}

/// `collection_open`: `Collection::open` of a collection of 1000 request
/// files in 20 folders (parsed, ordered, stamped) against reading the same
/// files' bytes.
pub fn collection_open(samples: usize) -> Result<Figure> {
    let dir = tempfile::tempdir().map_err(|source| BenchError::Io {
        what: "make a temporary directory".into(),
        source,
    })?;
    let root = dir.path().join("big");
    Collection::create(&root, "Big").map_err(BenchError::engine("make the collection"))?;
    let envelope = fixtures::envelope(&fixtures::SEND_FIELDS);
    for folder in 0..20 {
        let folder = collection::new_folder(&root, "", &format!("Folder {folder}"))
            .map_err(BenchError::engine("make a folder"))?;
        for n in 0..50 {
            let request = SavedRequest::from_draft(
                "",
                &format!("Request {n}"),
                fixtures::soap_draft("Bench", envelope.clone()),
            );
            collection::new_request(&root, &folder, &request)
                .map_err(BenchError::engine("write a request"))?;
        }
    }
    let mut files = Vec::new();
    collect_files(&root, &mut files);

    let mut pair = Pair::new("ms");
    for round in 0..samples + 1 {
        let started = Instant::now();
        let collection = Collection::open(&root).map_err(BenchError::engine("open it"))?;
        let open = started.elapsed().as_secs_f64() * 1e3;
        if collection.requests().len() != 1000 {
            return Err(BenchError::Check {
                what: format!(
                    "collection_open: read {} requests, not 1000",
                    collection.requests().len()
                ),
            });
        }
        let started = Instant::now();
        let mut bytes = BTreeMap::new();
        for file in &files {
            let read = std::fs::read(file).map_err(|source| BenchError::Io {
                what: format!("read {}", file.display()),
                source,
            })?;
            bytes.insert(file.clone(), read.len());
        }
        let read = started.elapsed().as_secs_f64() * 1e3;
        if round > 0 {
            pair.candidate.push(open);
            pair.baseline.push(read);
        }
    }
    let mut figure = Figure::ratio(
        "collection_open",
        &pair,
        20.0,
        "Collection::open of 1000 request files (10 KB SOAP envelopes) in 20 folders",
        "reading the same 1000 files' bytes",
    );
    figure.extra = serde_json::json!({
        "open_median_ms": crate::report::median(&pair.candidate),
        "read_median_ms": crate::report::median(&pair.baseline),
    });
    Ok(figure)
}

fn collect_files(dir: &std::path::Path, into: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, into);
        } else {
            into.push(path);
        }
    }
}
