//! The workbench: the open collections as a tree, the requests in them read
//! and saved in place (never over a newer change on disk), the tree changed
//! (new, rename, move, duplicate, delete and bring back), environments,
//! and previewing or sending a saved request with its `{{variables}}`.

use std::collections::BTreeMap;
use std::path::Path;

use callout_core::actions;
use callout_core::assertion::{self, Assertion};
use callout_core::collection::{
    self, Collection, Deleted, Filled, RequestFile, SecretSource, Stamp,
};
use callout_core::history::Label;
use callout_core::interop::postman_folder;
use callout_core::requests::{self, SavedRequest};
use callout_core::send::Draft;
use callout_core::workbench::Workbench;
use callout_core::{Error, ErrorReport};
use tauri::{AppHandle, Runtime, State};

use super::{Reply, report};
use crate::state::AppState;
use crate::views::{
    CollectionView, PostmanCollectionImport, SavedFile, SavedPreview, SavedSend, VariableView,
};
use crate::watch;

/// Every open collection as a tree; a first run has "My requests" (with
/// the requests of an older version's list moved into it).
// Off the main thread: it reads the disk.
#[tauri::command(async)]
pub fn list_collections(state: State<'_, AppState>) -> Reply<Vec<CollectionView>> {
    let open = state.workbench.list().map_err(report)?;
    let globals = state.workbench.globals().map_err(report)?;
    Ok(open
        .iter()
        .map(|opened| CollectionView::of(opened, &globals))
        .collect())
}

/// The built-in sample requests, for the sandbox's credential.
#[tauri::command]
pub fn list_templates(state: State<'_, AppState>) -> Vec<SavedRequest> {
    requests::samples(state.sandbox_credential().unwrap_or("Sandbox"))
}

/// Opens the collection in the directory `root` (from anywhere on disk).
#[tauri::command(async)]
pub fn open_collection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    root: String,
) -> Reply<CollectionView> {
    let opened = state
        .workbench
        .open(&super::imports::expand(&root))
        .map_err(report)?;
    watch::check_now(&app);
    let globals = state.workbench.globals().map_err(report)?;
    Ok(CollectionView::of(&opened, &globals))
}

/// Makes a new collection called `name` in `root` (none: in the app's
/// collections directory) and opens it.
#[tauri::command(async)]
pub fn new_collection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    root: Option<String>,
    name: String,
) -> Reply<CollectionView> {
    let root = match root.filter(|root| !root.trim().is_empty()) {
        Some(root) => super::imports::expand(&root),
        None => collection::free_dir(state.workbench.collections_dir(), &name),
    };
    Collection::create(&root, &name).map_err(report)?;
    open_collection(app, state, root.display().to_string())
}

/// Closes the collection at `root`: its files stay.
#[tauri::command(async)]
pub fn close_collection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    root: String,
) -> Reply<()> {
    state.workbench.close(&root).map_err(report)?;
    watch::check_now(&app);
    Ok(())
}

/// Sends the collection's requests with `environment` (none: no environment).
#[tauri::command(async)]
pub fn set_environment<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    root: String,
    environment: Option<String>,
) -> Reply<()> {
    state
        .workbench
        .set_environment(&root, environment.as_deref())
        .map_err(report)?;
    watch::check_now(&app);
    Ok(())
}

/// The request at `path` of the collection at `root`, with the stamp its
/// save must show.
#[tauri::command(async)]
pub fn read_saved(root: String, path: String) -> Reply<SavedFile> {
    let file = collection::read_request(&Path::new(&root).join(&path), path).map_err(report)?;
    Ok(SavedFile::of(&root, &file))
}

/// Saves `request` over the file at `path`, which must still be as it was
/// read (`stamp`); a file changed on disk since is left alone and the
/// error says so.
#[tauri::command(async)]
pub fn save_saved<R: Runtime>(
    app: AppHandle<R>,
    root: String,
    path: String,
    request: SavedRequest,
    stamp: String,
) -> Reply<SavedFile> {
    let seen = Stamp::from_hex(&stamp).ok_or_else(|| {
        report(Error::ChangedOnDisk {
            path: Path::new(&root).join(&path).display().to_string(),
        })
    })?;
    collection::save_request(Path::new(&root), &path, &request, Some(seen)).map_err(report)?;
    watch::check_now(&app);
    read_saved(root, path)
}

/// Saves `request` as a new file in `folder` ("" for the collection's top).
#[tauri::command(async)]
pub fn new_saved<R: Runtime>(
    app: AppHandle<R>,
    root: String,
    folder: String,
    request: SavedRequest,
) -> Reply<SavedFile> {
    let path = collection::new_request(Path::new(&root), &folder, &request).map_err(report)?;
    watch::check_now(&app);
    read_saved(root, path)
}

/// Makes a folder in `parent`; its path.
#[tauri::command(async)]
pub fn new_folder<R: Runtime>(
    app: AppHandle<R>,
    root: String,
    parent: String,
    name: String,
) -> Reply<String> {
    changed(
        &app,
        collection::new_folder(Path::new(&root), &parent, &name),
    )
}

/// Renames a request or folder; its new path.
#[tauri::command(async)]
pub fn rename_item<R: Runtime>(
    app: AppHandle<R>,
    root: String,
    path: String,
    name: String,
) -> Reply<String> {
    changed(&app, collection::rename(Path::new(&root), &path, &name))
}

/// Moves a request or folder into `folder`; its new path.
#[tauri::command(async)]
pub fn move_item<R: Runtime>(
    app: AppHandle<R>,
    root: String,
    path: String,
    folder: String,
) -> Reply<String> {
    changed(&app, collection::move_to(Path::new(&root), &path, &folder))
}

/// Copies a request or folder beside it; the copy's path.
#[tauri::command(async)]
pub fn duplicate_item<R: Runtime>(app: AppHandle<R>, root: String, path: String) -> Reply<String> {
    changed(&app, collection::duplicate(Path::new(&root), &path))
}

/// Deletes a request or folder into the trash; [`restore_item`] undoes it.
#[tauri::command(async)]
pub fn delete_item<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    root: String,
    path: String,
) -> Reply<Deleted> {
    let trash = state.workbench.trash().to_path_buf();
    changed(&app, collection::delete(Path::new(&root), &path, &trash))
}

/// Brings a deleted request or folder back; its path.
#[tauri::command(async)]
pub fn restore_item<R: Runtime>(app: AppHandle<R>, deleted: Deleted) -> Reply<String> {
    changed(&app, collection::restore(&deleted))
}

/// `draft` (the saved request at `path`, as edited) with its variables
/// filled in from the collection and its environment, rendered as it would
/// be sent (secrets masked: a secret variable as `[secret NAME]`, its value
/// not even read); what each variable resolved to and from where.
#[tauri::command(async)]
pub fn preview_saved(
    state: State<'_, AppState>,
    root: String,
    path: String,
    draft: Draft,
) -> SavedPreview {
    match fill(&state.workbench, &root, &path, &draft, SecretSource::Masked) {
        Ok((filled, _, _)) => SavedPreview {
            preview: requests::preview(state.service.store(), &filled.draft),
            variables: filled
                .resolved
                .into_iter()
                .map(VariableView::from)
                .collect(),
        },
        Err(error) => SavedPreview {
            preview: requests::Preview {
                request: None,
                lint: Vec::new(),
                error: Some(ErrorReport::from(&error)),
            },
            variables: Vec::new(),
        },
    }
}

/// Sends the saved request at `path` as edited (`draft`), its variables
/// filled in first (secret ones from the keychain); kept in the history
/// under the request's name, the secrets' values scrubbed. Its assertions
/// (`assertions` as edited, else the file's) are evaluated on the outcome.
#[tauri::command]
pub async fn send_saved<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    root: String,
    path: String,
    draft: Draft,
    assertions: Option<Vec<Assertion>>,
) -> Reply<SavedSend> {
    let vault = state.service.store().home().vault();
    let (filled, label, file) = fill(
        &state.workbench,
        &root,
        &path,
        &draft,
        SecretSource::Keychain(&vault),
    )
    .map_err(report)?;
    let outcome = actions::send::send_with_secrets(
        &state.sender,
        &state.service,
        &filled.draft,
        None,
        &label,
        &filled.secrets,
    )
    .await;
    watch::check_now(&app);
    let outcome = outcome.map_err(report)?;
    let assertions = assertion::evaluate_all(
        &assertions.unwrap_or(file.request.assertions),
        &outcome,
        &filled.secrets,
    );
    Ok(SavedSend {
        report: outcome.report(),
        assertions,
    })
}

/// Brings a Postman collection (v2.1 JSON) and its environments in as a
/// new collection in the app's collections directory, folders kept, and
/// opens it; its OAuth 2 settings become credential definitions (never
/// their secrets). Token values are left out (see the notes).
#[tauri::command(async)]
pub fn import_postman_collection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    json: String,
    environments: Vec<String>,
) -> Reply<PostmanCollectionImport> {
    let imported =
        postman_folder::import_into(state.workbench.collections_dir(), &json, &environments)
            .map_err(report)?;
    let opened = state
        .workbench
        .open(&imported.collection.root)
        .map_err(report)?;
    let store = state.service.store();
    let known = store.load().map_err(report)?;
    let mut credentials_added = Vec::new();
    for credential in imported.credentials {
        if known.get(&credential.name).is_err() {
            store.add(credential.clone()).map_err(report)?;
            credentials_added.push(credential.name);
        }
    }
    watch::check_now(&app);
    Ok(PostmanCollectionImport {
        collection: CollectionView::of(&opened, &state.workbench.globals().map_err(report)?),
        environments: imported.environments,
        credentials_added,
        notes: imported.notes,
        token_variables: imported.token_variables,
        endpoint_variables: imported.endpoint_variables,
    })
}

/// The saved request filled in, its secrets from `secrets`, the history's
/// label, and its file.
fn fill(
    workbench: &Workbench,
    root: &str,
    path: &str,
    draft: &Draft,
    secrets: SecretSource<'_>,
) -> callout_core::Result<(Filled, Label, RequestFile)> {
    let (opened, collection) = workbench.collection(root)?;
    let file: RequestFile = collection.request(path)?.clone();
    let environment = opened.environment.as_deref();
    let filled = collection.fill(&file, draft, environment, BTreeMap::new(), secrets)?;
    let label = Label {
        request: Some(format!("{}/{}", collection.name, file.named_path())),
        environment: opened.environment.clone(),
    };
    Ok((filled, label, file))
}

fn changed<R: Runtime, T>(app: &AppHandle<R>, result: callout_core::Result<T>) -> Reply<T> {
    let value = result.map_err(report)?;
    watch::check_now(app);
    Ok(value)
}

/// Binds the collection's token variables to `credential`'s
/// `{!$Credential.OAuthToken}` and its endpoint variables to
/// `callout:CREDENTIAL`, in the environment `environment` (made when new),
/// and sends the collection's requests with that environment.
#[tauri::command(async)]
pub fn bind_variables<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    root: String,
    environment: String,
    credential: String,
    tokens: Vec<String>,
    endpoints: Vec<String>,
) -> Reply<()> {
    let credentials = state.service.store().load().map_err(report)?;
    credentials.get(&credential).map_err(report)?;
    let (_, collection) = state.workbench.collection(&root).map_err(report)?;
    collection::bind(&collection, &environment, &credential, &tokens, &endpoints)
        .map_err(report)?;
    state
        .workbench
        .set_environment(&root, Some(environment.trim()))
        .map_err(report)?;
    watch::check_now(&app);
    Ok(())
}
