//! The command list as the UI sees it: `ui/src/bindings/commands.ts`, a
//! map from each command's name to the TypeScript types of its arguments
//! (camelCase, as Tauri reads them) and of what it resolves with, written
//! by `cargo test` beside the ts-rs bindings it imports (CI fails when the
//! committed file differs). And the test that holds the list to the
//! functions it names.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::session::UiSession;
use super::tokens::Login;
use crate::views::{
    AssertionProblems, CollectionView, CopyResult, CredentialView, PostmanCollectionImport,
    ProposalView, ResponseToCheck, RuleFileAdded, RuleFileCheck, RuleView, SavedFile, SavedPreview,
    SavedSend, TimelineQuery, TokenView,
};
use callout_core::about::{AppInfo, KeychainCheck};
use callout_core::actions::export::MetadataExport;
use callout_core::actions::import::{ImportInput, ImportKind, ImportReport};
use callout_core::assertion::{Assertion, Extraction};
use callout_core::collection::Deleted;
use callout_core::credential::{AuthProtocol, Credential, FieldProblem};
use callout_core::history::{Kept, Sent};
use callout_core::interop::{ExportFormat, ImportedRequest};
use callout_core::oauth::ProviderMetadata;
use callout_core::requests::{Preview, SavedRequest};
use callout_core::send::{Draft, Report};
use callout_core::settings::Settings;
use callout_core::timeline::{Event, TimelineTrouble};
use callout_sandbox::embedded::SandboxInfo;
use heck::ToLowerCamelCase;
use quote::ToTokens;
use ts_rs::{Dependency, TS, TypeVisitor};

use super::{COMMANDS, Command, Reply, with_commands};
use crate::events::{EventVisitor, ShellEvent, visit_events};

/// What the UI's promise resolves with for a command that returns `Self`:
/// a [`Reply`] resolves with its value (its error rejects the promise); any
/// other return type is the value itself.
#[diagnostic::on_unimplemented(
    message = "a command returns `{Self}`, which `Answer` does not know",
    note = "commands return `Reply<T>`; one that cannot fail and returns a new type needs \
            `plain_answer!({Self})` in src-tauri/src/commands/bindings.rs"
)]
trait Answer {
    type Value: TS + 'static;
}

impl<T: TS + 'static> Answer for Reply<T> {
    type Value = T;
}

macro_rules! plain_answer {
    ($($ty:ty),* $(,)?) => {
        $(impl Answer for $ty {
            type Value = $ty;
        })*
    };
}
plain_answer!(
    AppInfo,
    Vec<FieldProblem>,
    Preview,
    Settings,
    Vec<SavedRequest>,
    SavedPreview,
    bool,
    AssertionProblems,
    RuleFileCheck,
    (),
    Option<UiSession>
);

/// The TypeScript files a type expression needs imported: the type itself
/// when it has a file, and the types inside it (`Array<T>`, `T | null`).
struct Imports<'a>(&'a mut BTreeMap<String, String>);

impl TypeVisitor for Imports<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if let Some(Dependency {
            ts_name,
            output_path,
            ..
        }) = Dependency::from_ty::<T>()
        {
            let module = output_path.with_extension("");
            self.0
                .insert(ts_name, format!("./{}", module.to_string_lossy()));
        }
    }
}

/// `T` as a TypeScript type expression, recording what it imports.
fn ts_type<T: TS + 'static>(imports: &mut BTreeMap<String, String>) -> String {
    let mut visitor = Imports(imports);
    visitor.visit::<T>();
    T::visit_generics(&mut visitor);
    T::name()
}

/// One command's line in `Commands`.
struct Entry {
    name: &'static str,
    args: Vec<(String, String)>,
    result: String,
}

/// `fn $entries()`: every command of the list that follows with its
/// TypeScript types, and the imports they need.
macro_rules! typescript {
    ($entries:ident; $( $module:ident :: $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) -> $ret:ty ),* $(,)?) => {
        fn $entries() -> (Vec<Entry>, BTreeMap<String, String>) {
            let mut imports = BTreeMap::new();
            let entries = vec![$(
                Entry {
                    name: stringify!($name),
                    args: vec![$(
                        (
                            stringify!($arg).to_lower_camel_case(),
                            ts_type::<$ty>(&mut imports),
                        )
                    ),*],
                    result: ts_type::<<$ret as Answer>::Value>(&mut imports),
                }
            ),*];
            (entries, imports)
        }
    };
}

macro_rules! app_commands {
    ($($list:tt)*) => {
        typescript!(entries; $($list)*);
    };
}
with_commands!(app_commands);

/// An `import type` line per type a generated file uses.
fn import_lines(imports: &BTreeMap<String, String>) -> String {
    imports
        .iter()
        .map(|(name, path)| format!("import type {{ {name} }} from \"{path}\";\n"))
        .collect()
}

/// The text of `commands.ts` for `entries` and their imports.
fn commands_ts((entries, imports): (Vec<Entry>, BTreeMap<String, String>)) -> String {
    let mut out = String::from(
        "// Generated by `cargo test -p callout-lab` from the command list in\n\
         // src-tauri/src/commands/mod.rs (`with_commands!`). Do not edit this file manually.\n",
    );
    out.push_str(&import_lines(&imports));
    out.push_str(
        "\n/**\n \
         * Every command the desktop shell answers, by the name `invoke` takes: the\n \
         * arguments it reads (camelCase, as Tauri names them) and what its promise\n \
         * resolves with. A failing command rejects with an `ErrorReport`.\n \
         */\n\
         export interface Commands {\n",
    );
    for entry in &entries {
        let args = if entry.args.is_empty() {
            "Record<string, never>".to_string()
        } else {
            let fields: Vec<String> = entry
                .args
                .iter()
                .map(|(name, ty)| format!("{name}: {ty}"))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        };
        out.push_str(&format!(
            "  {}: {{ args: {args}; result: {} }};\n",
            entry.name, entry.result
        ));
    }
    out.push_str("}\n\n/** The name of a command. */\nexport type CommandName = keyof Commands;\n");
    out
}

/// Where ts-rs writes the bindings (`TS_RS_EXPORT_DIR`, set for cargo in
/// `.cargo/config.toml`).
fn export_dir() -> PathBuf {
    std::env::var_os("TS_RS_EXPORT_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings"),
        PathBuf::from,
    )
}

/// Writes `text` as the binding `file`, unless it holds that already (so a
/// test run leaves an unchanged file untouched).
fn write_binding(file: &str, text: &str) {
    let path = export_dir().join(file);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
}

/// The text of `protocols.ts`: each protocol as the credential form offers
/// it and the fields it asks for, from core's `AuthProtocol`.
fn protocols_ts() -> String {
    let mut out = String::from(
        "// Generated by `cargo test -p callout-lab` from callout-core's AuthProtocol\n\
         // (src-tauri/src/commands/bindings.rs). Do not edit this file manually.\n\
         import type { AuthProtocol } from \"./AuthProtocol\";\n\n\
         /** A protocol as the credential form offers it. */\n\
         export interface ProtocolChoice {\n  \
           value: AuthProtocol;\n  \
           /** What the form's choice says. */\n  \
           label: string;\n  \
           /** Short, for a list. */\n  \
           shortLabel: string;\n  \
           /** The credential fields the form asks for (camelCase). */\n  \
           fields: readonly string[];\n\
         }\n\n\
         /** Every protocol, in the order the form offers them. */\n\
         export const PROTOCOLS: readonly ProtocolChoice[] = [\n",
    );
    for protocol in AuthProtocol::ALL {
        let quoted = |text: &str| serde_json::to_string(text).expect("a string serializes");
        let value = serde_json::to_string(&protocol).expect("a protocol serializes");
        let fields: Vec<String> = protocol.fields().into_iter().map(quoted).collect();
        out.push_str(&format!(
            "  {{ value: {value}, label: {}, shortLabel: {}, fields: [{}] }},\n",
            quoted(protocol.choice()),
            quoted(protocol.label()),
            fields.join(", ")
        ));
    }
    out.push_str("];\n");
    out
}

/// The lines of `ShellEvents`, and the imports they need.
#[derive(Default)]
struct EventLines {
    lines: Vec<String>,
    imports: BTreeMap<String, String>,
}

impl EventVisitor for EventLines {
    fn event<E: ShellEvent>(&mut self, doc: &[&str]) {
        let doc: Vec<&str> = doc.iter().map(|line| line.trim()).collect();
        let payload = ts_type::<E::Payload>(&mut self.imports);
        self.lines.push(format!(
            "  /** {} */\n  {}: {payload};\n",
            doc.join(" "),
            serde_json::to_string(E::NAME).expect("a name serializes")
        ));
    }
}

/// The text of `events.ts`: every event the shell emits (src-tauri/src/events.rs).
fn events_ts() -> String {
    let mut events = EventLines::default();
    visit_events(&mut events);
    let mut out = String::from(
        "// Generated by `cargo test -p callout-lab` from the event list in\n\
         // src-tauri/src/events.rs (`shell_events!`). Do not edit this file manually.\n",
    );
    out.push_str(&import_lines(&events.imports));
    out.push_str("\n/** Every event the shell emits, by name, with its payload. */\nexport interface ShellEvents {\n");
    for line in &events.lines {
        out.push_str(line);
    }
    out.push_str("}\n");
    out
}

#[test]
fn events_ts_is_written_from_the_list() {
    let text = events_ts();
    write_binding("events.ts", &text);
    for name in [
        "credentials-changed",
        "timeline-appended",
        "collections-changed",
        "run-planned",
        "run-step",
        "run-finished",
    ] {
        assert_eq!(
            text.matches(&format!("  \"{name}\": ")).count(),
            1,
            "{text}"
        );
    }
}

#[test]
fn protocols_ts_is_written_from_core() {
    let text = protocols_ts();
    write_binding("protocols.ts", &text);
    for protocol in AuthProtocol::ALL {
        let value = serde_json::to_string(&protocol).unwrap();
        assert_eq!(
            text.matches(&format!("{{ value: {value}, label: ")).count(),
            1,
            "{value} in {text}"
        );
    }
}

#[test]
fn commands_ts_is_written_from_the_list() {
    let text = commands_ts(entries());
    write_binding("commands.ts", &text);
    for command in COMMANDS {
        assert_eq!(
            text.matches(&format!("\n  {}: {{ args: ", command.name))
                .count(),
            1,
            "{} in {text}",
            command.name
        );
    }
}

typescript!(samples;
    sample::save_thing(
        thing: Credential,
        client_secret: Option<String>,
        previous_name: Option<String>
    ) -> Reply<CredentialView>,
    sample::forget(name: String) -> Reply<()>,
    sample::list() -> Reply<Vec<Event>>,
    sample::maybe(query: TimelineQuery) -> Reply<Option<TokenView>>,
    sample::plain() -> Vec<FieldProblem>,
    sample::send(draft: Draft) -> Reply<Report>,
);

#[test]
fn commands_ts_names_arguments_as_tauri_does_and_gives_a_replys_value() {
    let text = commands_ts(samples());
    let expected = r#"import type { Credential } from "./Credential";
import type { CredentialView } from "./CredentialView";
import type { Draft } from "./Draft";
import type { Event } from "./Event";
import type { FieldProblem } from "./FieldProblem";
import type { SendReport } from "./SendReport";
import type { TimelineQuery } from "./TimelineQuery";
import type { TokenView } from "./TokenView";
"#;
    assert!(text.contains(expected), "{text}");
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("; result: "))
        .collect();
    assert_eq!(
        lines,
        [
            "  save_thing: { args: { thing: Credential, clientSecret: string | null, \
             previousName: string | null }; result: CredentialView };",
            "  forget: { args: { name: string }; result: null };",
            "  list: { args: Record<string, never>; result: Array<Event> };",
            "  maybe: { args: { query: TimelineQuery }; result: TokenView | null };",
            "  plain: { args: Record<string, never>; result: Array<FieldProblem> };",
            "  send: { args: { draft: Draft }; result: SendReport };",
        ]
    );
}

/// A command function's signature as its file spells it: the arguments
/// the UI passes (not those Tauri fills in) and the return type.
#[derive(Debug, PartialEq)]
struct Signature {
    args: Vec<(String, String)>,
    returns: String,
}

/// Tokens as text without spacing, so `Option < String >` (syn) and
/// `Option<String>` (`stringify!`) compare equal.
fn compact(text: &str) -> String {
    text.split_whitespace().collect()
}

/// The arguments Tauri fills in itself, by type.
const INJECTED: &[&str] = &["AppHandle", "State", "Window", "Webview", "WebviewWindow"];

/// Every `#[tauri::command]` function in `src/commands/{module}.rs`.
fn command_functions(module: &str) -> BTreeMap<String, Signature> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/commands")
        .join(format!("{module}.rs"));
    let source = std::fs::read_to_string(&path).unwrap();
    let file = syn::parse_file(&source).unwrap();
    let mut found = BTreeMap::new();
    for item in file.items {
        let syn::Item::Fn(function) = item else {
            continue;
        };
        let is_command = function.attrs.iter().any(|attr| {
            let path = attr.path();
            path.segments.len() == 2
                && path.segments[0].ident == "tauri"
                && path.segments[1].ident == "command"
        });
        if !is_command {
            continue;
        }
        let mut args = Vec::new();
        for input in &function.sig.inputs {
            let syn::FnArg::Typed(typed) = input else {
                continue;
            };
            let injected = match typed.ty.as_ref() {
                syn::Type::Path(path) => path
                    .path
                    .segments
                    .last()
                    .is_some_and(|last| INJECTED.iter().any(|name| last.ident == name)),
                _ => false,
            };
            if injected {
                continue;
            }
            let name = match typed.pat.as_ref() {
                syn::Pat::Ident(ident) => ident.ident.to_string(),
                other => other.to_token_stream().to_string(),
            };
            args.push((name, compact(&typed.ty.to_token_stream().to_string())));
        }
        let returns = match &function.sig.output {
            syn::ReturnType::Default => "()".to_string(),
            syn::ReturnType::Type(_, ty) => compact(&ty.to_token_stream().to_string()),
        };
        found.insert(function.sig.ident.to_string(), Signature { args, returns });
    }
    found
}

fn declared(command: &Command) -> Signature {
    Signature {
        args: command
            .args
            .iter()
            .map(|(name, ty)| (name.to_string(), compact(ty)))
            .collect(),
        returns: compact(command.returns),
    }
}

/// The list says what each function takes and returns, and names every
/// command function: a rename on either side alone fails here.
fn list_problems(
    commands: &[Command],
    functions: &dyn Fn(&str) -> BTreeMap<String, Signature>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut modules: Vec<&str> = commands.iter().map(|command| command.module).collect();
    modules.sort_unstable();
    modules.dedup();
    for module in modules {
        let mut found = functions(module);
        for command in commands.iter().filter(|command| command.module == module) {
            let listed = declared(command);
            match found.remove(command.name) {
                None => problems.push(format!(
                    "the list names {module}::{}, which is not a #[tauri::command] function \
                     in src/commands/{module}.rs",
                    command.name
                )),
                Some(actual) if actual != listed => problems.push(format!(
                    "{module}::{} is declared in the list as {listed:?} but the function is \
                     {actual:?}",
                    command.name
                )),
                Some(_) => {}
            }
        }
        for name in found.keys() {
            problems.push(format!(
                "{module}::{name} is a #[tauri::command] missing from the list in \
                 src/commands/mod.rs: the UI cannot call it"
            ));
        }
    }
    problems
}

#[test]
fn the_list_says_what_each_command_function_takes_and_returns() {
    let problems = list_problems(COMMANDS, &command_functions);
    assert!(
        problems.is_empty(),
        "the command list in src-tauri/src/commands/mod.rs no longer matches the \
         functions (fix the list, then `cargo test -p callout-lab` regenerates \
         ui/src/bindings/commands.ts):\n{}",
        problems.join("\n")
    );
    // Every module of the commands is read, none is empty.
    assert!(command_functions("credentials").contains_key("save_credential"));
}

#[test]
fn a_renamed_argument_a_missing_command_or_a_changed_type_is_found() {
    let functions = |module: &str| {
        assert_eq!(module, "tokens");
        BTreeMap::from([
            (
                "token".to_string(),
                Signature {
                    args: vec![("credential".into(), "String".into())],
                    returns: "Reply<Option<TokenView>>".into(),
                },
            ),
            (
                "copy_token".to_string(),
                Signature {
                    args: vec![("name".into(), "String".into())],
                    returns: "Reply<String>".into(),
                },
            ),
            (
                "refresh_now".to_string(),
                Signature {
                    args: vec![("name".into(), "String".into())],
                    returns: "Reply<TokenView>".into(),
                },
            ),
        ])
    };
    let listed = [
        Command {
            module: "tokens",
            name: "token",
            args: &[("name", "String")],
            returns: "Reply<Option<TokenView>>",
        },
        Command {
            module: "tokens",
            name: "copy_token",
            args: &[("name", "String")],
            returns: "Reply<CopyResult>",
        },
        Command {
            module: "tokens",
            name: "reveal_token",
            args: &[("name", "String")],
            returns: "Reply<String>",
        },
    ];
    let problems = list_problems(&listed, &functions);
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(
        problems[0].contains("tokens::token is declared"),
        "{}",
        problems[0]
    );
    assert!(problems[0].contains("\"credential\""), "{}", problems[0]);
    assert!(
        problems[1].contains("tokens::copy_token"),
        "{}",
        problems[1]
    );
    assert!(
        problems[2].contains("names tokens::reveal_token"),
        "{}",
        problems[2]
    );
    assert!(
        problems[3].contains("tokens::refresh_now is a #[tauri::command] missing"),
        "{}",
        problems[3]
    );
}
