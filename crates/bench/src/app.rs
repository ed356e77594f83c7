//! The release app from outside, without its cooperation: `app_start_ms`
//! (exec to the first painted frame under the X display), `app_rss_mb`
//! (the process tree's resident memory once idle), `tray_rss_mb` (the same
//! once its window was closed to the tray and its web process is gone),
//! `reopen_ms` (a second launch until the window painted again), and the
//! binary sizes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::json;
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt as _, EventMask, ImageFormat};
use x11rb::rust_connection::RustConnection;

use crate::report::{Figure, median};
use crate::{BenchError, Result};

/// Give up on a launch whose window has not painted by then.
const PAINT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the app idles before its memory is read.
const IDLE: Duration = Duration::from_secs(3);

/// Give up on a closed window whose web process is still there by then.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a second launch may take to hand over and exit.
const HANDOVER_TIMEOUT: Duration = Duration::from_secs(30);

/// The WebKit process that renders the page: gone once the window closed.
const WEB_PROCESS: &str = "WebKitWebProcess";

/// What one process (or all processes of one name) holds resident, in bytes,
/// from `/proc/PID/status`: `VmRSS` and its split into anonymous memory (the
/// heap), file-backed pages (libraries, mapped files) and shared memory.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Memory {
    processes: usize,
    vm_rss: u64,
    rss_anon: u64,
    rss_file: u64,
    rss_shmem: u64,
}

impl Memory {
    fn add(&mut self, other: &Memory) {
        self.processes += other.processes;
        self.vm_rss += other.vm_rss;
        self.rss_anon += other.rss_anon;
        self.rss_file += other.rss_file;
        self.rss_shmem += other.rss_shmem;
    }
}

/// One launch: when the window appeared, when it painted, the tree's memory
/// once idle, the same once closed to the tray, and the reopening.
#[derive(Debug, Clone)]
struct Launch {
    window_ms: f64,
    paint_ms: f64,
    rss_bytes: u64,
    processes: BTreeMap<String, u64>,
    /// From the close request until no web process was left.
    web_gone_ms: f64,
    tray_bytes: u64,
    tray_processes: BTreeMap<String, Memory>,
    reopen: Reopen,
}

/// A second launch handing over to the running app: from its exec, when
/// the rebuilt window appeared, when it painted, when the process exited.
#[derive(Debug, Clone, Copy)]
struct Reopen {
    window_ms: f64,
    paint_ms: f64,
    exit_ms: f64,
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

    fn atom(&self, name: &str) -> Result<u32> {
        let failed = |error: &dyn std::fmt::Display| BenchError::Check {
            what: format!("intern the X atom {name}: {error}"),
        };
        self.connection
            .intern_atom(false, name.as_bytes())
            .map_err(|error| failed(&error))?
            .reply()
            .map(|reply| reply.atom)
            .map_err(|error| failed(&error))
    }

    /// Asks `window` to close as the title bar's × does: the
    /// `WM_PROTOCOLS`/`WM_DELETE_WINDOW` client message.
    fn request_close(&self, window: u32) -> Result<()> {
        let protocols = self.atom("WM_PROTOCOLS")?;
        let delete = self.atom("WM_DELETE_WINDOW")?;
        let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
        let failed = |error: &dyn std::fmt::Display| BenchError::Check {
            what: format!("send WM_DELETE_WINDOW to window {window:#x}: {error}"),
        };
        self.connection
            .send_event(false, window, EventMask::NO_EVENT, event)
            .map_err(|error| failed(&error))?;
        self.connection.flush().map_err(|error| failed(&error))
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

/// Whether `pid` is still running (not gone, not a zombie).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next());
        !matches!(state, None | Some("Z" | "X"))
    })
}

/// A process's name: the file name of its program (`argv[0]`), which
/// `/proc/PID/status` cuts to 15 characters (`WebKitWebProces`); that short
/// name when the command line is empty.
fn process_name(pid: u32, short: &str) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .ok()
        .and_then(|cmdline| {
            let program = cmdline.split(|byte| *byte == 0).next()?;
            let program = String::from_utf8_lossy(program);
            let name = program.rsplit('/').next()?.trim();
            (!name.is_empty() && name.starts_with(short.get(..4).unwrap_or(short)))
                .then(|| name.to_string())
        })
        .unwrap_or_else(|| short.to_string())
}

/// A process's name and resident memory (from `/proc/PID/status`); `None`
/// once it is gone or a zombie (no `VmRSS`).
fn memory(pid: u32) -> Option<(String, Memory)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |key: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .map(str::trim)
    };
    let bytes = |key: &str| -> Option<u64> {
        let kib: u64 = field(key)?.trim_end_matches("kB").trim().parse().ok()?;
        Some(kib * 1024)
    };
    let name = process_name(pid, field("Name:")?);
    let memory = Memory {
        processes: 1,
        vm_rss: bytes("VmRSS:")?,
        rss_anon: bytes("RssAnon:").unwrap_or(0),
        rss_file: bytes("RssFile:").unwrap_or(0),
        rss_shmem: bytes("RssShmem:").unwrap_or(0),
    };
    Some((name, memory))
}

/// The resident memory of `root`'s process tree, summed per process name.
fn tree_memory(root: u32) -> BTreeMap<String, Memory> {
    let mut by_name: BTreeMap<String, Memory> = BTreeMap::new();
    for member in tree(root) {
        if let Some((name, memory)) = memory(member) {
            by_name.entry(name).or_default().add(&memory);
        }
    }
    by_name
}

/// The web processes running in `root`'s tree.
fn web_processes(root: u32) -> Vec<u32> {
    tree(root)
        .into_iter()
        .filter(|pid| alive(*pid) && memory(*pid).is_some_and(|(name, _)| name == WEB_PROCESS))
        .collect()
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// The largest processes of a tree, with the split of their memory:
/// `callout-lab 166 MB (file-backed 110, heap 50), WebKitNetworkProcess 57 MB (...)`.
fn largest(processes: &BTreeMap<String, Memory>, count: usize) -> String {
    let mut sorted: Vec<(&String, &Memory)> = processes.iter().collect();
    sorted.sort_by_key(|(_, memory)| std::cmp::Reverse(memory.vm_rss));
    sorted
        .iter()
        .take(count)
        .map(|(name, memory)| {
            let times = if memory.processes > 1 {
                format!(" (x{})", memory.processes)
            } else {
                String::new()
            };
            let shmem = if memory.rss_shmem >= 1_000_000 {
                format!(", shmem {:.0}", megabytes(memory.rss_shmem))
            } else {
                String::new()
            };
            format!(
                "{name}{times} {:.0} MB (file-backed {:.0}, heap {:.0}{shmem})",
                megabytes(memory.vm_rss),
                megabytes(memory.rss_file),
                megabytes(memory.rss_anon),
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The environment a launch runs in (a fresh home of its own); a second
/// launch to reopen the window gets the same.
struct Home {
    _dir: tempfile::TempDir,
    vars: Vec<(&'static str, PathBuf)>,
}

impl Home {
    fn new() -> Result<Home> {
        let dir = tempfile::tempdir().map_err(|error| BenchError::Io {
            what: "create a temp home for the app".into(),
            source: error,
        })?;
        let mut vars = Vec::new();
        for (var, name) in [
            ("HOME", "home"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
            ("CALLOUT_HOME", "callout"),
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(&path).map_err(|error| BenchError::Io {
                what: format!("create {}", path.display()),
                source: error,
            })?;
            vars.push((var, path));
        }
        Ok(Home { _dir: dir, vars })
    }

    /// Starts `app` in this environment, its output discarded.
    fn spawn(&self, app: &Path, what: &str) -> Result<Running> {
        let mut command = Command::new(app);
        for (var, path) in &self.vars {
            command.env(var, path);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(Running)
            .map_err(|error| BenchError::Io {
                what: format!("{what}: start {}", app.display()),
                source: error,
            })
    }
}

/// Waits for a visible "Callout Lab" window other than `old`, then for it
/// to paint; returns it, both times and, if `running` exited meanwhile, its
/// status and when (times in ms since `started`). Fails when `running`
/// exits first (with success, a second launch may: it exits by design) or
/// the window has not painted by [`PAINT_TIMEOUT`].
fn wait_painted(
    screen: &Screen,
    running: &mut Running,
    may_exit: bool,
    started: Instant,
    old: Option<u32>,
    what: &str,
) -> Result<Painted> {
    let deadline = started + PAINT_TIMEOUT;
    let mut exited = None;
    let mut exit_check = |running: &mut Running| -> Option<ExitStatus> {
        let status = running.0.try_wait().ok().flatten()?;
        exited.get_or_insert((status, started.elapsed().as_secs_f64() * 1e3));
        Some(status)
    };
    let (window, window_ms) = loop {
        if let Some(window) = find_window().filter(|window| Some(*window) != old) {
            break (window, started.elapsed().as_secs_f64() * 1e3);
        }
        if let Some(status) = exit_check(running)
            && (!may_exit || !status.success())
        {
            return Err(BenchError::Check {
                what: format!("{what}: the app exited ({status}) before the window showed"),
            });
        }
        if Instant::now() > deadline {
            return Err(BenchError::Check {
                what: format!("{what}: no \"Callout Lab\" window within {PAINT_TIMEOUT:?}"),
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let paint_ms = loop {
        if screen.painted(window) {
            break started.elapsed().as_secs_f64() * 1e3;
        }
        exit_check(running);
        if Instant::now() > deadline {
            return Err(BenchError::Check {
                what: format!("{what}: the window stayed blank for {PAINT_TIMEOUT:?}"),
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Ok(Painted {
        window,
        window_ms,
        paint_ms,
        exited,
    })
}

/// A window found and painted (see [`wait_painted`]).
struct Painted {
    window: u32,
    window_ms: f64,
    paint_ms: f64,
    exited: Option<(ExitStatus, f64)>,
}

/// Closes `window` as a user would and waits until the app's web process
/// is gone (the app itself lives on in the tray); returns how long that took.
fn close_to_tray(screen: &Screen, running: &mut Running, window: u32, index: usize) -> Result<f64> {
    let pid = running.0.id();
    let before = web_processes(pid);
    if before.is_empty() {
        return Err(BenchError::Check {
            what: format!(
                "launch {index}: no {WEB_PROCESS} in the app's process tree while its window \
                 is open (how the tray is told apart from the window has changed?)"
            ),
        });
    }
    let closed = Instant::now();
    screen.request_close(window)?;
    let deadline = closed + CLOSE_TIMEOUT;
    loop {
        if let Ok(Some(status)) = running.0.try_wait() {
            return Err(BenchError::Check {
                what: format!(
                    "launch {index}: the app exited ({status}) when its window was closed; \
                     it should live on in the tray"
                ),
            });
        }
        // Those seen before, wherever they went, and any new one in the tree.
        let mut left: Vec<u32> = before.iter().copied().filter(|pid| alive(*pid)).collect();
        left.extend(
            web_processes(pid)
                .into_iter()
                .filter(|p| !before.contains(p)),
        );
        if left.is_empty() {
            return Ok(closed.elapsed().as_secs_f64() * 1e3);
        }
        if Instant::now() > deadline {
            return Err(BenchError::Check {
                what: format!(
                    "launch {index}: {WEB_PROCESS} (pid {left:?}) still running \
                     {CLOSE_TIMEOUT:?} after the window was asked to close (WM_DELETE_WINDOW): \
                     the webview was not destroyed"
                ),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Launches the app a second time in `home`'s environment while it runs in
/// the tray: the second process hands over (single instance) and exits, the
/// running app builds its window again. Timed from the second exec.
fn reopen(
    screen: &Screen,
    app: &Path,
    home: &Home,
    first: &mut Running,
    old: u32,
    index: usize,
) -> Result<Reopen> {
    let what = format!("launch {index}, reopening");
    let started = Instant::now();
    let mut second = home.spawn(app, &what)?;
    let painted = wait_painted(screen, &mut second, true, started, Some(old), &what)?;
    if let Ok(Some(status)) = first.0.try_wait() {
        return Err(BenchError::Check {
            what: format!("{what}: the app in the tray exited ({status})"),
        });
    }
    let deadline = started + HANDOVER_TIMEOUT;
    let (status, exit_ms) = loop {
        if let Some(exited) = painted.exited {
            break exited;
        }
        match second.0.try_wait() {
            Ok(Some(status)) => break (status, started.elapsed().as_secs_f64() * 1e3),
            Ok(None) if Instant::now() > deadline => {
                return Err(BenchError::Check {
                    what: format!(
                        "{what}: the second process was still running {HANDOVER_TIMEOUT:?} \
                         after its exec; it should have handed over to the running app \
                         (single instance, session bus) and exited"
                    ),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(error) => {
                return Err(BenchError::Io {
                    what: format!("{what}: wait for the second process"),
                    source: error,
                });
            }
        }
    };
    if !status.success() {
        return Err(BenchError::Check {
            what: format!(
                "{what}: the second process exited with {status} instead of handing over \
                 to the running app"
            ),
        });
    }
    Ok(Reopen {
        window_ms: painted.window_ms,
        paint_ms: painted.paint_ms,
        exit_ms,
    })
}

fn launch_once(screen: &Screen, app: &Path, index: usize) -> Result<Launch> {
    let home = Home::new()?;
    let what = format!("launch {index}");
    let started = Instant::now();
    let mut running = home.spawn(app, &what)?;
    let pid = running.0.id();
    let Painted {
        window,
        window_ms,
        paint_ms,
        ..
    } = wait_painted(screen, &mut running, false, started, None, &what)?;
    std::thread::sleep(IDLE);
    let mut processes = BTreeMap::new();
    let mut rss_bytes = 0;
    for (name, memory) in tree_memory(pid) {
        rss_bytes += memory.vm_rss;
        processes.insert(name, memory.vm_rss);
    }

    let web_gone_ms = close_to_tray(screen, &mut running, window, index)?;
    std::thread::sleep(IDLE);
    let tray_processes = tree_memory(pid);
    if tray_processes.contains_key(WEB_PROCESS) {
        return Err(BenchError::Check {
            what: format!(
                "launch {index}: a {WEB_PROCESS} came back in the tray while nothing was open"
            ),
        });
    }
    if let Ok(Some(status)) = running.0.try_wait() {
        return Err(BenchError::Check {
            what: format!("launch {index}: the app exited ({status}) while in the tray"),
        });
    }
    let tray_bytes = tray_processes.values().map(|memory| memory.vm_rss).sum();

    let reopen = reopen(screen, app, &home, &mut running, window, index)?;
    drop(running);
    Ok(Launch {
        window_ms,
        paint_ms,
        rss_bytes,
        processes,
        web_gone_ms,
        tray_bytes,
        tray_processes,
        reopen,
    })
}

/// The index of the value nearest the median of `values`.
fn nearest_median(values: &[f64]) -> usize {
    let middle = median(values);
    (0..values.len())
        .min_by(|a, b| {
            (values[*a] - middle)
                .abs()
                .total_cmp(&(values[*b] - middle).abs())
        })
        .unwrap_or(0)
}

/// `app_start_ms`, `app_rss_mb`, `tray_rss_mb` and `reopen_ms` over
/// `launches` launches (medians).
pub fn launches(app: &Path, launches: usize) -> Result<Vec<Figure>> {
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
    let rss_mb: Vec<f64> = runs.iter().map(|run| megabytes(run.rss_bytes)).collect();
    let mut start = Figure::report(
        "app_start_ms",
        median(&paint),
        "ms",
        "release callout-lab, exec to the first non-uniform capture of its window under Xvfb \
         (xdotool search, X GetImage), median of the launches",
    );
    start.raw_unit = Some("ms".into());
    start.candidate = Some(paint.clone());
    let start = start
        .with_extra(json!({ "windowMappedMs": window }))
        .with_max(1500.0)
        .why_missed(|_| {
            format!(
                "medians: window mapped at {:.0} ms, painted at {:.0} ms after exec",
                median(&window),
                median(&paint)
            )
        });
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
    let memory = memory.with_extra(json!({ "bytesByProcess": by_process }));

    let tray_mb: Vec<f64> = runs.iter().map(|run| megabytes(run.tray_bytes)).collect();
    let mut tray = Figure::report(
        "tray_rss_mb",
        median(&tray_mb),
        "MB",
        "sum of VmRSS over the app's process tree once its window was closed \
         (WM_DELETE_WINDOW), its WebKitWebProcess gone, and 3 s idle in the tray, \
         median of the launches",
    );
    tray.raw_unit = Some("MB".into());
    tray.candidate = Some(tray_mb.clone());
    let typical = runs
        .get(nearest_median(&tray_mb))
        .map(|run| largest(&run.tray_processes, 3))
        .unwrap_or_default();
    let tray_by_process: Vec<_> = runs.iter().map(|run| &run.tray_processes).collect();
    let web_gone: Vec<f64> = runs.iter().map(|run| run.web_gone_ms).collect();
    let tray = tray
        .with_extra(json!({
            "byProcess": tray_by_process,
            "webProcessGoneMs": web_gone,
        }))
        .with_max(60.0)
        .why_missed(|_| typical);

    let reopen_paint: Vec<f64> = runs.iter().map(|run| run.reopen.paint_ms).collect();
    let reopen_window: Vec<f64> = runs.iter().map(|run| run.reopen.window_ms).collect();
    let reopen_exit: Vec<f64> = runs.iter().map(|run| run.reopen.exit_ms).collect();
    let mut reopen = Figure::report(
        "reopen_ms",
        median(&reopen_paint),
        "ms",
        "a second launch of callout-lab while it runs in the tray (same environment: it \
         hands over and exits): its exec to the first non-uniform capture of the window \
         the running app builds again, median of the launches",
    );
    reopen.raw_unit = Some("ms".into());
    reopen.candidate = Some(reopen_paint.clone());
    let reopen = reopen
        .with_extra(json!({
            "windowMappedMs": reopen_window,
            "secondProcessExitedMs": reopen_exit,
        }))
        .with_max(1000.0)
        .why_missed(|_| {
            format!(
                "medians: window mapped at {:.0} ms, painted at {:.0} ms after the second \
                 exec; the second process exited at {:.0} ms",
                median(&reopen_window),
                median(&reopen_paint),
                median(&reopen_exit)
            )
        });
    Ok(vec![start, memory, tray, reopen])
}

/// `binary_mb` (the app) and `cli_binary_mb` (the CLI).
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
            megabytes(app_bytes),
            "MB",
            "size of the release callout-lab binary",
        )
        .with_extra(json!({ "bytes": app_bytes }))
        .with_max(20.0)
        .why_missed(|_| format!("callout-lab is {app_bytes} bytes")),
        Figure::report(
            "cli_binary_mb",
            megabytes(cli_bytes),
            "MB",
            "size of the release callout binary (the CLI)",
        )
        .with_extra(json!({ "bytes": cli_bytes }))
        .with_max(8.0)
        .why_missed(|_| format!("callout is {cli_bytes} bytes")),
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

    #[test]
    fn largest_processes_with_their_split() {
        let entry = |vm_rss: u64, rss_file: u64, rss_anon: u64, rss_shmem: u64| Memory {
            processes: 1,
            vm_rss,
            rss_anon,
            rss_file,
            rss_shmem,
        };
        let mut network = entry(57_000_000, 45_000_000, 12_000_000, 0);
        network.add(&entry(1_000_000, 1_000_000, 0, 0));
        let processes = BTreeMap::from([
            (
                "callout-lab".to_string(),
                entry(166_000_000, 110_000_000, 50_000_000, 6_000_000),
            ),
            ("WebKitNetworkProcess".to_string(), network),
            ("bwrap".to_string(), entry(2_000_000, 2_000_000, 0, 0)),
        ]);
        assert_eq!(
            largest(&processes, 2),
            "callout-lab 166 MB (file-backed 110, heap 50, shmem 6), \
             WebKitNetworkProcess (x2) 58 MB (file-backed 46, heap 12)"
        );
        assert_eq!(nearest_median(&[5.0, 1.0, 4.0]), 2);
        assert!(alive(std::process::id()));
        let (name, own) = memory(std::process::id()).expect("our own /proc status");
        assert!(name.starts_with("callout_bench"), "{name}");
        assert!(own.vm_rss >= own.rss_anon && own.rss_anon > 0);
    }
}
