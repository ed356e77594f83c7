//! The integration tests of core, the sandbox and the CLI are one test
//! binary per crate: `tests/tests.rs` declares a module per file of
//! `tests/`, and `autotests = false` keeps cargo from building each file on
//! its own. A file that `tests.rs` does not declare is therefore never
//! compiled nor run: none is left out.

use std::collections::BTreeSet;
use std::path::Path;

/// The crates whose integration tests are one binary.
const CRATES: [&str; 3] = ["core", "sandbox", "cli"];

/// The modules a `tests.rs` declares.
fn declared(root: &str) -> BTreeSet<String> {
    root.lines()
        .filter_map(|line| line.strip_prefix("mod ")?.strip_suffix(';'))
        .map(str::to_string)
        .collect()
}

/// The modules the files of `tests` make: `NAME.rs` and `NAME/mod.rs`.
fn on_disk(tests: &Path) -> BTreeSet<String> {
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(tests).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if path.extension().is_some_and(|extension| extension == "rs")
            || path.join("mod.rs").is_file()
        {
            modules.insert(name);
        }
    }
    modules.remove("tests");
    modules
}

#[test]
fn every_file_of_a_crates_tests_is_a_module_of_its_one_test_binary() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for name in CRATES {
        let tests = crates.join(name).join("tests");
        let root = std::fs::read_to_string(tests.join("tests.rs")).unwrap();
        let (declared, on_disk) = (declared(&root), on_disk(&tests));
        assert!(on_disk.len() > 1, "crates/{name}/tests has test files");
        let missing: Vec<_> = on_disk.difference(&declared).collect();
        assert!(
            missing.is_empty(),
            "crates/{name}/tests/tests.rs does not declare {missing:?}: they never run"
        );
        let manifest = std::fs::read_to_string(crates.join(name).join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("autotests = false")
                && manifest.contains("path = \"tests/tests.rs\""),
            "crates/{name}/Cargo.toml builds tests/tests.rs as the one test binary"
        );
    }
}
