//! WebKit's accelerated compositing, chosen for the machine.
//!
//! WebKitGTK composites pages through OpenGL. On a machine without a GPU
//! (no DRM render node: a virtual machine, a CI box, Xvfb) that OpenGL is
//! software rendering, and measured under Xvfb on 2 cores it more than
//! doubled the time to the window's first paint (2.5 s against 1.1 s) and
//! cost 120 MB more while the window was open. So without a render node the
//! app draws without it: before anything else it starts itself again, same
//! process, with `WEBKIT_DISABLE_COMPOSITING_MODE=1` (a variable must be set
//! before any thread starts, and exec is how a process gets one safely). A
//! machine with a GPU keeps the accelerated path, and a person who sets the
//! variable (`0` keeps compositing, anything else turns it off) is obeyed.

use std::path::Path;

/// The variable WebKitGTK reads: set and not `0`, no accelerated compositing.
pub const VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Where DRM devices are (a GPU's render node is `renderD128` and up).
const DRI: &str = "/dev/dri";

/// Whether compositing should be turned off here: the person has not
/// chosen, and `dri` holds no render node.
pub fn turn_off(variable_set: bool, dri: &Path) -> bool {
    if variable_set {
        return false;
    }
    let render_node = std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    });
    !render_node
}

/// Starts the app again without accelerated compositing when
/// [`turn_off`] says so; returns only when it does not (or cannot, said on
/// stderr: the app then goes on as it is).
#[cfg(target_os = "linux")]
pub fn choose() {
    use std::os::unix::process::CommandExt;
    if !turn_off(std::env::var_os(VARIABLE).is_some(), Path::new(DRI)) {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(name) = args.next() {
        command.arg0(name);
    }
    let error = command.args(args).env(VARIABLE, "1").exec();
    eprintln!(
        "callout-lab: could not start again without accelerated compositing ({error}); going on \
         with it"
    );
}

/// Elsewhere WebKitGTK is not the web view.
#[cfg(not(target_os = "linux"))]
pub fn choose() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_without_a_render_node_unless_the_person_chose() {
        let dir = tempfile::tempdir().unwrap();
        let dri = dir.path().join("dri");
        assert!(turn_off(false, &dri), "no /dev/dri at all");
        std::fs::create_dir(&dri).unwrap();
        std::fs::write(dri.join("card0"), "").unwrap();
        assert!(
            turn_off(false, &dri),
            "a display card without a render node"
        );
        std::fs::write(dri.join("renderD128"), "").unwrap();
        assert!(!turn_off(false, &dri), "a GPU keeps the accelerated path");
        assert!(!turn_off(true, dir.path()), "the person's choice is kept");
    }
}
