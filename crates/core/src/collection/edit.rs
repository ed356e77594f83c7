//! Changing a collection's tree: new requests and folders, renaming, moving
//! into another folder, duplicating, deleting into a trash it can come back
//! from. Every path is below the collection's root, `/`-separated; a request
//! is its `.toml` file, a folder its directory. Nothing is overwritten: a
//! name already taken is refused, and a request renamed while its file
//! changed on disk is left alone ([`Error::ChangedOnDisk`]).

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{
    COLLECTION_FILE, ENVIRONMENTS_DIR, FOLDER_FILE, file_safe, join, read_request, slug, storage,
    write_request,
};
use crate::requests::SavedRequest;
use crate::{Error, Result};

/// Where a deleted request or folder was put, to bring it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Deleted {
    /// The collection's root.
    pub root: String,
    /// Its path below the root, as it was.
    pub path: String,
    /// Where it is kept meanwhile (in the trash of Callout Lab's home).
    pub kept_at: String,
}

/// Writes `request` as a new file in `folder` ("" for the root), named
/// after it, last in the folder. Returns its path.
pub fn new_request(root: &Path, folder: &str, request: &SavedRequest) -> Result<String> {
    let dir = existing_folder(root, folder)?;
    let path = free_path(root, folder, &slug(&request.name), ".toml");
    let seq = last_seq(&dir) + 1;
    super::save_new_request(root, &path, request, seq)?;
    Ok(path)
}

/// Makes the folder `name` in `parent` ("" for the root). Returns its path.
pub fn new_folder(root: &Path, parent: &str, name: &str) -> Result<String> {
    existing_folder(root, parent)?;
    let name = folder_name(root, name)?;
    let path = join(parent, &name);
    let dir = inside(root, &path)?;
    if dir.exists() {
        return Err(taken(root, &path));
    }
    std::fs::create_dir(&dir).map_err(|error| storage("create", &dir, error.to_string()))?;
    Ok(path)
}

/// Gives the request or folder at `path` the name `name`: a request's
/// `name` is set in its file (comments kept) and the file takes the name's
/// form when that is free; a folder's directory is renamed. Returns the
/// new path.
pub fn rename(root: &Path, path: &str, name: &str) -> Result<String> {
    let from = inside(root, path)?;
    let parent = parent_of(path);
    if from.is_dir() {
        let name = folder_name(root, name)?;
        let to_path = join(parent, &name);
        if to_path == path {
            return Ok(to_path);
        }
        return move_item(root, path, &to_path);
    }
    let mut file = read_request(&from, path.to_string())?;
    file.request.name = name.trim().to_string();
    write_request(root, path, &file.request, Some(file.stamp), None)?;
    let stem = slug(&file.request.name);
    if file_stem(path) == stem {
        return Ok(path.to_string());
    }
    let to_path = join(parent, &format!("{stem}.toml"));
    if inside(root, &to_path)?.exists() {
        // The name is set; the file keeps its old name rather than take another's.
        return Ok(path.to_string());
    }
    move_item(root, path, &to_path)
}

/// Moves the request or folder at `path` into `folder` ("" for the root).
/// Returns the new path.
pub fn move_to(root: &Path, path: &str, folder: &str) -> Result<String> {
    existing_folder(root, folder)?;
    let from = inside(root, path)?;
    if from.is_dir() && (folder == path || folder.starts_with(&format!("{path}/"))) {
        return Err(storage(
            "move",
            &from,
            "a folder cannot go into itself".into(),
        ));
    }
    let to_path = join(folder, path.rsplit('/').next().unwrap_or(path));
    if to_path == path {
        return Ok(to_path);
    }
    move_item(root, path, &to_path)
}

/// Copies the request or folder at `path` beside it ("NAME copy"). Returns
/// the copy's path.
pub fn duplicate(root: &Path, path: &str) -> Result<String> {
    let from = inside(root, path)?;
    let parent = parent_of(path);
    if from.is_dir() {
        let base = path.rsplit('/').next().unwrap_or(path);
        let copy = free_path(root, parent, &format!("{base} copy"), "");
        copy_tree(&from, &inside(root, &copy)?)?;
        return Ok(copy);
    }
    let mut file = read_request(&from, path.to_string())?;
    file.request.name = format!("{} copy", file.request.name);
    let copy = free_path(root, parent, &slug(&file.request.name), ".toml");
    let seq = file
        .seq
        .unwrap_or_else(|| last_seq(&from_parent(&from)) + 1);
    super::save_new_request(root, &copy, &file.request, seq)?;
    Ok(copy)
}

/// Deletes the request or folder at `path` by moving it into `trash`;
/// [`restore`] brings it back.
pub fn delete(root: &Path, path: &str, trash: &Path) -> Result<Deleted> {
    let from = inside(root, path)?;
    if !from.exists() {
        return Err(storage("delete", &from, "it is not there".into()));
    }
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let holder = trash.join(format!("{stamp}"));
    std::fs::create_dir_all(&holder)
        .map_err(|error| storage("create", &holder, error.to_string()))?;
    let kept_at = holder.join(path.rsplit('/').next().unwrap_or(path));
    relocate(&from, &kept_at)?;
    Ok(Deleted {
        root: root.display().to_string(),
        path: path.to_string(),
        kept_at: kept_at.display().to_string(),
    })
}

/// Puts a deleted request or folder back where it was; refused when
/// something new is there now. Returns its path.
pub fn restore(deleted: &Deleted) -> Result<String> {
    let root = Path::new(&deleted.root);
    let to = inside(root, &deleted.path)?;
    let kept_at = Path::new(&deleted.kept_at);
    if to.exists() {
        return Err(taken(root, &deleted.path));
    }
    if !kept_at.exists() {
        return Err(storage(
            "bring back",
            &to,
            format!(
                "what was deleted is no longer kept at {}",
                kept_at.display()
            ),
        ));
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|error| storage("create", parent, error.to_string()))?;
    }
    relocate(kept_at, &to)?;
    if let Some(holder) = kept_at.parent() {
        let _ = std::fs::remove_dir(holder);
    }
    Ok(deleted.path.clone())
}

/// Moves what is at `path` to `to_path` (both below `root`); a taken
/// `to_path` is refused.
fn move_item(root: &Path, path: &str, to_path: &str) -> Result<String> {
    let from = inside(root, path)?;
    let to = inside(root, to_path)?;
    if to.exists() {
        return Err(taken(root, to_path));
    }
    relocate(&from, &to)?;
    Ok(to_path.to_string())
}

/// Renames `from` to `to`, copying and removing when they are on different
/// file systems.
fn relocate(from: &Path, to: &Path) -> Result<()> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    copy_tree(from, to)?;
    let removed = if from.is_dir() {
        std::fs::remove_dir_all(from)
    } else {
        std::fs::remove_file(from)
    };
    removed.map_err(|error| storage("remove", from, error.to_string()))
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    if !from.is_dir() {
        std::fs::copy(from, to).map_err(|error| storage("copy", from, error.to_string()))?;
        return Ok(());
    }
    std::fs::create_dir_all(to).map_err(|error| storage("create", to, error.to_string()))?;
    let entries =
        std::fs::read_dir(from).map_err(|error| storage("read", from, error.to_string()))?;
    for entry in entries {
        let entry = entry.map_err(|error| storage("read", from, error.to_string()))?;
        copy_tree(&entry.path(), &to.join(entry.file_name()))?;
    }
    Ok(())
}

/// `path` below `root` as a file path: no `..`, no empty part, not a file
/// the collection keeps for itself.
fn inside(root: &Path, path: &str) -> Result<PathBuf> {
    let mut file = root.to_path_buf();
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
            return Err(storage(
                "use",
                &root.join(path),
                "a path must name folders and a file below the collection".into(),
            ));
        }
        file.push(part);
    }
    let own = path == COLLECTION_FILE
        || path == ENVIRONMENTS_DIR
        || path.starts_with(&format!("{ENVIRONMENTS_DIR}/"))
        || path.rsplit('/').next() == Some(FOLDER_FILE);
    if own {
        return Err(storage(
            "use",
            &file,
            "it is one of the collection's own files".into(),
        ));
    }
    Ok(file)
}

/// The directory of `folder` ("" for the root), which must exist.
fn existing_folder(root: &Path, folder: &str) -> Result<PathBuf> {
    let dir = if folder.is_empty() {
        root.to_path_buf()
    } else {
        inside(root, folder)?
    };
    if !dir.is_dir() {
        return Err(storage("use the folder", &dir, "it does not exist".into()));
    }
    Ok(dir)
}

/// `name` as a folder's directory name.
fn folder_name(root: &Path, name: &str) -> Result<String> {
    if name.trim().is_empty() {
        return Err(storage(
            "name a folder in",
            root,
            "a folder needs a name".into(),
        ));
    }
    Ok(file_safe(name))
}

/// `folder/stem{extension}`, numbered (`stem-2`, ...) until nothing is there.
fn free_path(root: &Path, folder: &str, stem: &str, extension: &str) -> String {
    let mut path = join(folder, &format!("{stem}{extension}"));
    let mut number = 2;
    while root.join(&path).exists() {
        path = join(folder, &format!("{stem}-{number}{extension}"));
        number += 1;
    }
    path
}

/// The highest `seq` of the requests in `dir`; 0 when none has one.
fn last_seq(dir: &Path) -> i64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".toml"))
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .filter_map(|text| text.parse::<toml::Table>().ok())
        .filter_map(|table| table.get("seq").and_then(toml::Value::as_integer))
        .max()
        .unwrap_or(0)
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

fn from_parent(file: &Path) -> PathBuf {
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn file_stem(path: &str) -> &str {
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".toml")
}

fn taken(root: &Path, path: &str) -> Error {
    storage(
        "use",
        &root.join(path),
        "something is there already: choose another name".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::Collection;
    use crate::requests::BodyKind;

    fn request(name: &str) -> SavedRequest {
        SavedRequest {
            id: String::new(),
            name: name.into(),
            method: "GET".into(),
            url: "callout:Acme/services/data".into(),
            headers: Vec::new(),
            body: None,
            body_kind: BodyKind::None,
            sample: false,
            assertions: Vec::new(),
            extract: Vec::new(),
        }
    }

    fn names(collection: &Collection) -> Vec<String> {
        collection
            .requests()
            .iter()
            .map(|file| format!("{} = {}", file.path, file.request.name))
            .collect()
    }

    #[test]
    fn requests_and_folders_are_made_renamed_moved_copied_and_kept_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        Collection::create(&root, "Acme").unwrap();
        let folder = new_folder(&root, "", "Accounts").unwrap();
        assert_eq!(folder, "Accounts");
        let first = new_request(&root, "Accounts", &request("Query accounts")).unwrap();
        let second = new_request(&root, "Accounts", &request("Query accounts")).unwrap();
        assert_eq!(first, "Accounts/query-accounts.toml");
        assert_eq!(second, "Accounts/query-accounts-2.toml");

        let renamed = rename(&root, &second, "Describe").unwrap();
        assert_eq!(renamed, "Accounts/describe.toml");
        let moved = move_to(&root, &renamed, "").unwrap();
        assert_eq!(moved, "describe.toml");
        let copy = duplicate(&root, &first).unwrap();
        assert_eq!(copy, "Accounts/query-accounts-copy.toml");

        let collection = Collection::open(&root).unwrap();
        assert_eq!(
            names(&collection),
            [
                "Accounts/query-accounts.toml = Query accounts",
                "Accounts/query-accounts-copy.toml = Query accounts copy",
                "describe.toml = Describe",
            ]
        );
        let folder_copy = duplicate(&root, "Accounts").unwrap();
        assert_eq!(folder_copy, "Accounts copy");
        assert_eq!(Collection::open(&root).unwrap().requests().len(), 5);
    }

    #[test]
    fn a_rename_keeps_comments_and_a_taken_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        Collection::create(&root, "Acme").unwrap();
        let path = new_request(&root, "", &request("One")).unwrap();
        let file = root.join(&path);
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, format!("# why it exists\n{text}")).unwrap();
        let renamed = rename(&root, &path, "Two").unwrap();
        let text = std::fs::read_to_string(root.join(&renamed)).unwrap();
        assert!(text.starts_with("# why it exists\n"), "{text}");
        assert!(text.contains("name = \"Two\""), "{text}");

        new_folder(&root, "", "A").unwrap();
        let error = new_folder(&root, "", "A").unwrap_err();
        assert!(
            error.to_string().contains("something is there already"),
            "{error}"
        );
        let error = move_to(&root, "A", "A").unwrap_err();
        assert!(
            error.to_string().contains("cannot go into itself"),
            "{error}"
        );
        let error = rename(&root, "../x.toml", "x").unwrap_err();
        assert!(
            error.to_string().contains("below the collection"),
            "{error}"
        );
        let error = delete(&root, COLLECTION_FILE, dir.path()).unwrap_err();
        assert!(error.to_string().contains("collection's own"), "{error}");
    }

    #[test]
    fn a_deleted_folder_comes_back_unless_something_took_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        let trash = dir.path().join("trash");
        Collection::create(&root, "Acme").unwrap();
        new_folder(&root, "", "Accounts").unwrap();
        new_request(&root, "Accounts", &request("Query")).unwrap();
        let deleted = delete(&root, "Accounts", &trash).unwrap();
        assert!(Collection::open(&root).unwrap().requests().is_empty());
        assert_eq!(restore(&deleted).unwrap(), "Accounts");
        assert_eq!(Collection::open(&root).unwrap().requests().len(), 1);

        let deleted = delete(&root, "Accounts/query.toml", &trash).unwrap();
        new_request(&root, "Accounts", &request("Query")).unwrap();
        let error = restore(&deleted).unwrap_err();
        assert!(
            error.to_string().contains("something is there already"),
            "{error}"
        );
    }
}
