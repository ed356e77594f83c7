//! The release app from outside, without its cooperation: `app_start_ms`
//! (exec to the first painted frame under the X display), `app_rss_mb`
//! (the process tree's resident memory once idle), and the binary sizes.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
use x11rb::rust_connection::RustConnection;

use crate::report::{Figure, median};
use crate::{BenchError, Result};

/// Give up on a launch whose window has not painted by then.
const PAINT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the app idles before its memory is read.
const IDLE: Duration = Duration::from_secs(3);

/// One launch: when the window appeared, when it painted, and the tree's
/// memory once idle.
#[derive(Debug, Clone)]
struct Launch {
    window_ms: f64,
    paint_ms: f64,
    rss_bytes: u64,
    processes: BTreeMap<String, u64>,
}

/// Ends the app (and so its web processes) when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn require_tool(tool: &str, package: &str) -> Result<()> {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if found {
        Ok(())
    } else {
        Err(BenchError::Check {
            what: format!("{tool} is missing: install {package} (scripts/setup.sh does)"),
        })
    }
}

/// The id of the app's visible top-level window, if it is there yet
/// (`xdotool search`, as a person would find it).
fn find_window() -> Option<u32> {
    let output = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", "^Callout Lab$"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .and_then(|id| id.trim().parse().ok())
}

/// The X display, for capturing a window's pixels (what `import -window` and
/// `xwd` do, without a process per capture).
struct Screen {
    connection: RustConnection,
}

impl Screen {
    fn open() -> Result<Screen> {
        let (connection, _) = x11rb::connect(None).map_err(|error| BenchError::Check {
            what: format!("cannot connect to the X display: {error}"),
        })?;
        Ok(Screen { connection })
    }

    /// Whether `window` shows more than one flat colour (the UI painted).
    fn painted(&self, window: u32) -> bool {
        let Some(geometry) = self
            .connection
            .get_geometry(window)
            .ok()
            .and_then(|cookie| cookie.reply().ok())
        else {
            return false;
        };
        let image = self
            .connection
            .get_image(
                ImageFormat::Z_PIXMAP,
                window,
                0,
                0,
                geometry.width,
                geometry.height,
                u32::MAX,
            )
            .ok()
            .and_then(|cookie| cookie.reply().ok());
        match image {
            Some(image) if image.depth >= 24 => !is_uniform(&image.data, 4),
            Some(image) => !is_uniform(&image.data, 1),
            None => false,
        }
    }
}

/// Whether (nearly) every pixel of `data` (`bytes_per_pixel` each, the
/// fourth byte of 32-bit pixels ignored) has one colour — or there is none.
fn is_uniform(data: &[u8], bytes_per_pixel: usize) -> bool {
    let colour = |pixel: &[u8]| -> u32 {
        pixel
            .iter()
            .take(3)
            .fold(0u32, |acc, byte| (acc << 8) | u32::from(*byte))
    };
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for pixel in data.chunks_exact(bytes_per_pixel) {
        *counts.entry(colour(pixel)).or_default() += 1;
    }
    let total: usize = counts.values().sum();
    let dominant = counts.values().copied().max().unwrap_or(0);
    // Painted UI: text, borders, buttons. A blank window is one colour (a
    // few stray pixels at most).
    total == 0 || counts.len() < 3 || (total - dominant) * 1000 < total
}

/// The parent pid of every process (from `/proc/PID/stat`).
fn parents() -> BTreeMap<u32, u32> {
    let mut parents = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return parents;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`: comm may hold spaces, so split after ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|ppid| ppid.parse().ok());
        if let Some(ppid) = ppid {
            parents.insert(pid, ppid);
        }
    }
    parents
}

/// `root` and all its descendants.
fn tree(root: u32) -> Vec<u32> {
    let parents = parents();
    let mut members = vec![root];
    let mut grew = true;
    while grew {
        grew = false;
        for (&pid, ppid) in &parents {
            if members.contains(ppid) && !members.contains(&pid) {
                members.push(pid);
                grew = true;
            }
        }
    }
    members
}

/// A process's name and resident set (`VmRSS`, bytes).
fn rss(pid: u32) -> Option<(String, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |key: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .map(str::trim)
    };
    let name = field("Name:")?.to_string();
    let kib: u64 = field("VmRSS:")?
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some((name, kib * 1024))
}

fn launch_once(screen: &Screen, app: &Path, index: usize) -> Result<Launch> {
    let dir = tempfile::tempdir().map_err(|error| BenchError::Io {
        what: "create a temp home for the app".into(),
        source: error,
    })?;
    let sub = |name: &str| -> Result<std::path::PathBuf> {
        let path = dir.path().join(name);
        std::fs::create_dir_all(&path).map_err(|error| BenchError::Io {
            what: format!("create {}", path.display()),
            source: error,
        })?;
        Ok(path)
    };
    let (home, config, data, cache, callout) = (
        sub("home")?,
        sub("config")?,
        sub("data")?,
        sub("cache")?,
        sub("callout")?,
    );
    let started = Instant::now();
    let child = Command::new(app)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CACHE_HOME", &cache)
        .env("CALLOUT_HOME", &callout)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| BenchError::Io {
            what: format!("start {}", app.display()),
            source: error,
        })?;
    let mut running = Running(child);
    let pid = running.0.id();
    let deadline = started + PAINT_TIMEOUT;
    let (window, window_ms) = loop {
        if let Some(window) = find_window() {
            break (window, started.elapsed().as_secs_f64() * 1e3);
        }
        if let Ok(Some(status)) = running.0.try_wait() {
            return Err(BenchError::Check {
                what: format!("launch {index}: the app exited ({status}) before its window showed"),
            });
        }
        if Instant::now() > deadline {
            return Err(BenchError::Check {
                what: format!("launch {index}: no \"Callout Lab\" window within {PAINT_TIMEOUT:?}"),
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let paint_ms = loop {
        if screen.painted(window) {
            break started.elapsed().as_secs_f64() * 1e3;
        }
        if Instant::now() > deadline {
            return Err(BenchError::Check {
                what: format!("launch {index}: the window stayed blank for {PAINT_TIMEOUT:?}"),
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    std::thread::sleep(IDLE);
    let mut processes = BTreeMap::new();
    let mut rss_bytes = 0;
    for member in tree(pid) {
        if let Some((name, bytes)) = rss(member) {
            rss_bytes += bytes;
            *processes.entry(name).or_insert(0) += bytes;
        }
    }
    drop(running);
    Ok(Launch {
        window_ms,
        paint_ms,
        rss_bytes,
        processes,
    })
}

/// `app_start_ms` and `app_rss_mb` over `launches` launches (medians).
pub fn start_and_memory(app: &Path, launches: usize) -> Result<Vec<Figure>> {
    if !app.is_file() {
        return Err(BenchError::Check {
            what: format!(
                "the release app {} is missing: run `make bench` (or `cargo build --release \
                 -p callout-lab`) first",
                app.display()
            ),
        });
    }
    if std::env::var_os("DISPLAY").is_none() {
        return Err(BenchError::Check {
            what: "no X display: run inside scripts/desktop-session.sh (make bench does)".into(),
        });
    }
    require_tool("xdotool", "xdotool")?;
    let screen = Screen::open()?;
    if find_window().is_some() {
        return Err(BenchError::Check {
            what: "a \"Callout Lab\" window is already open on this display; quit it first".into(),
        });
    }
    let mut runs = Vec::new();
    for index in 0..launches {
        runs.push(launch_once(&screen, app, index)?);
    }
    let paint: Vec<f64> = runs.iter().map(|run| run.paint_ms).collect();
    let window: Vec<f64> = runs.iter().map(|run| run.window_ms).collect();
    let rss_mb: Vec<f64> = runs.iter().map(|run| run.rss_bytes as f64 / 1e6).collect();
    let mut start = Figure::report(
        "app_start_ms",
        median(&paint),
        "ms",
        "release callout-lab, exec to the first non-uniform capture of its window under Xvfb \
         (xdotool search, X GetImage), median of the launches",
    );
    start.raw_unit = Some("ms".into());
    start.candidate = Some(paint);
    let start = start.with_extra(json!({ "windowMappedMs": window }));
    let mut memory = Figure::report(
        "app_rss_mb",
        median(&rss_mb),
        "MB",
        "sum of VmRSS over the app's process tree (app, WebKitWebProcess, \
         WebKitNetworkProcess) 3 s after it painted, median of the launches",
    );
    memory.raw_unit = Some("MB".into());
    memory.candidate = Some(rss_mb);
    let by_process: Vec<_> = runs.iter().map(|run| &run.processes).collect();
    Ok(vec![
        start,
        memory.with_extra(json!({ "bytesByProcess": by_process })),
    ])
}

/// `binary_mb` (the app) and `binary_cli_mb` (the CLI).
pub fn binary_sizes(app: &Path, cli: &Path) -> Result<Vec<Figure>> {
    let size = |path: &Path, what: &str| {
        std::fs::metadata(path)
            .map(|meta| meta.len())
            .map_err(|error| BenchError::Io {
                what: format!(
                    "read the size of {what} {} (build it first: make bench)",
                    path.display()
                ),
                source: error,
            })
    };
    let (app_bytes, cli_bytes) = (size(app, "the app")?, size(cli, "the CLI")?);
    Ok(vec![
        Figure::report(
            "binary_mb",
            app_bytes as f64 / 1e6,
            "MB",
            "size of the release callout-lab binary",
        )
        .with_extra(json!({ "bytes": app_bytes })),
        Figure::report(
            "binary_cli_mb",
            cli_bytes as f64 / 1e6,
            "MB",
            "size of the release callout binary (the CLI)",
        )
        .with_extra(json!({ "bytes": cli_bytes })),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_and_painted_images() {
        assert!(is_uniform(&[255u8; 16], 4));
        let busy = [
            0, 0, 0, 0, 255, 255, 255, 0, 10, 20, 30, 0, 255, 255, 255, 0,
        ];
        assert!(!is_uniform(&busy, 4));
        // The fourth byte of a 32-bit pixel is padding.
        assert!(is_uniform(&[1, 2, 3, 0, 1, 2, 3, 9, 1, 2, 3, 7], 4));
        assert!(is_uniform(&[], 4));
    }
}
