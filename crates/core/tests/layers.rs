//! Core's layers, read from its source: plain types at the bottom import
//! nothing of core above them, the domain modules import each other
//! without a cycle, and nothing imports the actions on top.
//! (See docs/ARCHITECTURE.md.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The bottom layer: plain types that import only each other.
const BOTTOM: [&str; 4] = ["error", "http", "secret", "source"];
/// The top layer: one function per user action; nothing imports it.
const TOP: &str = "actions";

type Graph = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The modules `lib.rs` declares.
fn modules(lib: &str) -> BTreeSet<String> {
    lib.lines()
        .filter_map(|line| {
            let line = line.trim();
            let line = line.strip_prefix("pub ").unwrap_or(line);
            let name = line.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.trim().to_string())
        })
        .collect()
}

/// `text` without comments (doc links name modules without importing
/// them) and without its unit tests (they may use anything).
fn code_of(text: &str) -> String {
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |at| &text[..at]);
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first path segments after every `crate::`: `crate::a::b` gives
/// `a`, `crate::{a::b, c}` gives `a` and `c` (nested groups skipped).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let word = |rest: &str| -> String {
        rest.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue; // `callout_crate::`, `$crate::`
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 1 => break,
                    '}' => depth -= 1,
                    ',' if depth == 1 => {
                        found.insert(word(item.trim_start()));
                        item.clear();
                    }
                    _ if depth == 1 => item.push(c),
                    _ => {}
                }
            }
            found.insert(word(item.trim_start()));
        } else {
            found.insert(word(rest));
        }
    }
    found
}

/// Which of core's modules each module's code refers to.
fn graph() -> Graph {
    let root = src();
    let lib = std::fs::read_to_string(root.join("lib.rs")).unwrap();
    let modules = modules(&lib);
    assert!(modules.len() > 10, "lib.rs declares {modules:?}");
    let mut graph = Graph::new();
    for module in &modules {
        let mut files = Vec::new();
        let single = root.join(format!("{module}.rs"));
        if single.is_file() {
            files.push(single);
        }
        let dir = root.join(module);
        if dir.is_dir() {
            collect_rust_files(&dir, &mut files);
        }
        assert!(!files.is_empty(), "no source for module {module}");
        let mut uses = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            uses.extend(
                crate_paths(&code_of(&text))
                    .into_iter()
                    .filter(|name| name != module && modules.contains(name)),
            );
        }
        graph.insert(module.clone(), uses);
    }
    graph
}

fn collect_rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// A cycle of `graph`, as the modules along it, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Open);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn core_modules_import_each_other_without_a_cycle() {
    let graph = graph();
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_bottom_layer_imports_nothing_above_it() {
    let graph = graph();
    for module in BOTTOM {
        let above: Vec<_> = graph[module]
            .iter()
            .filter(|used| !BOTTOM.contains(&used.as_str()))
            .collect();
        assert!(above.is_empty(), "{module} imports {above:?}");
    }
}

#[test]
fn nothing_below_the_actions_imports_them() {
    let graph = graph();
    assert!(graph.contains_key(TOP));
    let importers: Vec<_> = graph
        .iter()
        .filter(|(_, uses)| uses.contains(TOP))
        .map(|(module, _)| module)
        .collect();
    assert!(importers.is_empty(), "{importers:?} import {TOP}");
}

#[test]
fn the_reader_finds_imports_in_every_form_and_cycles_of_any_length() {
    let code = code_of(
        "use crate::a::B;\nuse crate::{b, c::{D, E}, f};\n/// see [`crate::g`]\n\
         fn x() { crate::h::run(); $crate::i::j(); }\n#[cfg(test)]\nmod tests { use crate::k; }",
    );
    let found: Vec<_> = crate_paths(&code).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "f", "h"]);

    let edges = |pairs: &[(&str, &str)]| {
        let mut graph = Graph::new();
        for (from, to) in pairs {
            graph
                .entry(from.to_string())
                .or_default()
                .insert(to.to_string());
            graph.entry(to.to_string()).or_default();
        }
        graph
    };
    assert_eq!(find_cycle(&edges(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(
        find_cycle(&edges(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
