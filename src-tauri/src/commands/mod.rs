//! The commands the UI calls, one module per concept. Each parses its
//! input, calls `callout-core` and returns a serialisable result; every
//! failure reaches the UI as an [`ErrorReport`] (`{kind, message, location?,
//! at?}`).
//!
//! The functions the tray menu calls (copy the live token, refresh now,
//! authorize) are the same ones the commands call, so testing the commands
//! tests the tray.
//!
//! The list of commands is declared once, in [`with_commands!`]: it gives
//! the app its invoke [`handler`], the tests their [`COMMANDS`], and the UI
//! `ui/src/bindings/commands.ts` (each command's arguments and result as
//! TypeScript types, written by `cargo test`), against which `ui/src/api.ts`
//! and the dev shell are type-checked. A test holds the list to the
//! functions' own signatures, so a command or argument renamed on one side
//! only fails the tests, and a regenerated `commands.ts` fails the UI's type
//! check until its callers follow.

pub mod app;
#[cfg(test)]
mod bindings;
pub mod collections;
pub mod credentials;
pub mod history;
pub mod imports;
pub mod interop;
pub mod requests;
pub mod rules;
pub mod run;
pub mod session;
pub mod settings;
pub mod timeline;
pub mod tokens;

use callout_core::{Error, ErrorReport};
use tauri::Runtime;
use tauri::ipc::Invoke;

/// What a command answers: its value, or an error the UI can act on.
pub type Reply<T> = Result<T, ErrorReport>;

/// An engine error as the UI receives it.
pub fn report(error: Error) -> ErrorReport {
    ErrorReport::from(&error)
}

/// Every command the UI can call: `module::function(argument: Type, ...) ->
/// Return`, with the arguments the UI passes (not the `AppHandle` and
/// `State` Tauri fills in) spelled as in the function, in its order. Hands
/// the list to `$then!`, which turns it into what it needs.
macro_rules! with_commands {
    ($then:ident) => {
        $then! {
            app::app_info() -> AppInfo,
            app::check_keychain() -> Reply<KeychainCheck>,
            app::sandbox_info() -> Reply<SandboxInfo>,
            credentials::list_credentials() -> Reply<Vec<CredentialView>>,
            credentials::validate_credential(
                credential: Credential,
                client_secret_given: bool,
                previous_name: Option<String>,
                client_key_given: Option<bool>
            ) -> Vec<FieldProblem>,
            credentials::save_credential(
                credential: Credential,
                client_secret: Option<String>,
                previous_name: Option<String>,
                client_key: Option<String>
            ) -> Reply<CredentialView>,
            credentials::remove_credential(name: String) -> Reply<()>,
            credentials::repair_credential(name: String) -> Reply<CredentialView>,
            credentials::discover(issuer: String) -> Reply<ProviderMetadata>,
            credentials::salesforce_credential(credential: Credential, org: String) -> Reply<Credential>,
            credentials::export_credential_metadata(name: String, out: String) -> Reply<MetadataExport>,
            tokens::authorize(name: String, login: Option<Login>) -> Reply<TokenView>,
            tokens::cancel_authorize(name: String) -> Reply<()>,
            tokens::token(name: String) -> Reply<Option<TokenView>>,
            tokens::reveal_token(name: String) -> Reply<String>,
            tokens::copy_token(name: String) -> Reply<CopyResult>,
            tokens::refresh_now(name: String) -> Reply<TokenView>,
            requests::preview_request(draft: Draft) -> Preview,
            requests::send_request(draft: Draft) -> Reply<Report>,
            collections::list_collections() -> Reply<Vec<CollectionView>>,
            collections::list_templates() -> Vec<SavedRequest>,
            collections::open_collection(root: String) -> Reply<CollectionView>,
            collections::new_collection(root: Option<String>, name: String) -> Reply<CollectionView>,
            collections::close_collection(root: String) -> Reply<()>,
            collections::set_environment(root: String, environment: Option<String>) -> Reply<()>,
            collections::read_saved(root: String, path: String) -> Reply<SavedFile>,
            collections::save_saved(root: String, path: String, request: SavedRequest, stamp: String) -> Reply<SavedFile>,
            collections::new_saved(root: String, folder: String, request: SavedRequest) -> Reply<SavedFile>,
            collections::new_folder(root: String, parent: String, name: String) -> Reply<String>,
            collections::rename_item(root: String, path: String, name: String) -> Reply<String>,
            collections::move_item(root: String, path: String, folder: String) -> Reply<String>,
            collections::duplicate_item(root: String, path: String) -> Reply<String>,
            collections::delete_item(root: String, path: String) -> Reply<Deleted>,
            collections::restore_item(deleted: Deleted) -> Reply<String>,
            collections::preview_saved(root: String, path: String, draft: Draft) -> SavedPreview,
            collections::send_saved(root: String, path: String, draft: Draft, assertions: Option<Vec<Assertion>>) -> Reply<SavedSend>,
            collections::import_postman_collection(json: String, environments: Vec<String>) -> Reply<PostmanCollectionImport>,
            collections::bind_variables(root: String, environment: String, credential: String, tokens: Vec<String>, endpoints: Vec<String>) -> Reply<()>,
            run::run_collection(root: String, target: String, iterations: Option<u32>, parallel: Option<u32>) -> Reply<u32>,
            run::stop_run(id: u32) -> bool,
            run::run_step_report(id: u32, index: u32) -> Reply<Report>,
            run::rerun_failures(id: u32) -> Reply<u32>,
            run::assertion_problems(assertions: Vec<Assertion>, extract: Vec<Extraction>) -> AssertionProblems,
            history::history(request: Option<String>, limit: u32) -> Reply<Vec<Sent>>,
            history::history_entry(id: u32) -> Reply<Kept>,
            history::history_diff(before: u32, after: u32) -> Reply<String>,
            history::send_again(id: u32) -> Reply<Report>,
            history::apex_mock(ids: Vec<u32>, class_name: String, final_only: bool) -> Reply<String>,
            interop::import_curl(command: String) -> Reply<ImportedRequest>,
            interop::export_request(draft: Draft, format: ExportFormat) -> Reply<String>,
            imports::import_work(kind: ImportKind, input: ImportInput, dry_run: bool) -> Reply<ImportReport>,
            timeline::timeline(query: TimelineQuery) -> Reply<Vec<Event>>,
            timeline::export_timeline(query: TimelineQuery) -> Reply<String>,
            timeline::timeline_trouble() -> Reply<Option<TimelineTrouble>>,
            timeline::move_timeline_aside() -> Reply<Option<String>>,
            rules::list_rules() -> Reply<Vec<RuleView>>,
            rules::check_rule_file(text: String, response: Option<ResponseToCheck>) -> RuleFileCheck,
            rules::add_rule_file(text: String, name: String) -> Reply<RuleFileAdded>,
            rules::remove_rule_file(name: String) -> Reply<()>,
            rules::propose_rule(
                send: u32,
                expired: bool,
                fix: Option<String>,
                service: Option<String>
            ) -> Reply<ProposalView>,
            rules::save_proposed_rule(text: String, name: String) -> Reply<RuleFileAdded>,
            settings::get_settings() -> Settings,
            settings::save_settings(settings: Settings) -> Reply<Settings>,
            session::remember_ui_session(session: UiSession) -> (),
            session::ui_session() -> Option<UiSession>,
        }
    };
}
#[cfg(test)]
pub(crate) use with_commands;

/// One command of the list as its words: what the tests compare with the
/// function it names and with what Tauri reads.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    pub module: &'static str,
    pub name: &'static str,
    /// The arguments the UI passes, `(name, type)` as Rust spells them;
    /// the UI sends each name in camelCase (Tauri's default).
    pub args: &'static [(&'static str, &'static str)],
    pub returns: &'static str,
}

macro_rules! register {
    ($( $module:ident :: $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) -> $ret:ty ),* $(,)?) => {
        /// Tauri's invoke handler for every command in the list.
        pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$( $module::$name ),*]
        }

        /// Every command in the list, in its order.
        pub const COMMANDS: &[Command] = &[$(
            Command {
                module: stringify!($module),
                name: stringify!($name),
                args: &[$( (stringify!($arg), stringify!($ty)) ),*],
                returns: stringify!($ret),
            }
        ),*];
    };
}
with_commands!(register);
