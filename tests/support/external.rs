//! What a test needs from outside the repository: the shared captures (`../shared`), tshark,
//! real protocol peers. Each helper returns None/false with a printed "skipping: …" reason when
//! the thing is absent, so a fresh clone with only Rust installed passes every test; a test that
//! found its inputs still asserts that it compared something.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared/captures` seen from the repository root (it may be absent).
pub fn shared_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures")
}

/// `../shared/captures/<rel>` seen from the repository root, or None (with a printed reason)
/// when the shared folder is absent.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = shared_root().join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

/// A capture shipped in the repository's `captures/`.
pub fn project(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(rel)
}

/// True when tshark can be run (prints a reason when not).
pub fn have_tshark() -> bool {
    let ok = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping: tshark is not installed");
    }
    ok
}

/// True when `cmd` can be run (`cmd --version` or `cmd -h` starts); prints a reason when not.
pub fn have_command(cmd: &str) -> bool {
    let ok = ["--version", "-h"].iter().any(|flag| {
        Command::new(cmd)
            .arg(flag)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok()
    });
    if !ok {
        eprintln!("skipping: {cmd} is not installed");
    }
    ok
}

/// True when Python can import `module` (a real peer from PyPI or Debian); prints a reason
/// when not.
pub fn have_python_module(module: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping: python3 module {module} is not installed");
    }
    ok
}

/// A shared capture to compare with tshark: None, with the reason printed, when tshark or the
/// capture is absent.
pub fn shared_for_tshark(rel: &str) -> Option<PathBuf> {
    if !have_tshark() {
        return None;
    }
    shared(rel)
}

/// Whether `p` names a pcap or pcapng file.
pub fn is_capture(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("pcap" | "pcapng")
    )
}

/// The captures directly in the shared folder `rel` whose names start with `prefix`, sorted;
/// none (with the reason printed) when the folder is absent.
pub fn shared_captures(rel: &str, prefix: &str) -> Vec<PathBuf> {
    let Some(dir) = shared(rel) else {
        return vec![];
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("capture folder readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_capture(p))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    v.sort();
    v
}

/// Every capture below the folders `roots` (those that exist), at any depth, sorted.
pub fn captures_below(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut dirs = roots.to_vec();
    while let Some(d) = dirs.pop() {
        for p in std::fs::read_dir(&d)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
        {
            if p.is_dir() {
                dirs.push(p);
            } else if is_capture(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every capture of the repository's `captures/` and of `../shared/captures` (when present).
pub fn all_captures() -> Vec<PathBuf> {
    captures_below(&[project(""), shared_root()])
}

/// The path of program `name` on PATH or in the sbin folders (Debian puts mosquitto and
/// tcpdump there), if installed.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .chain(["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/sbin"])
        .map(|d| PathBuf::from(d).join(name))
        .find(|p| p.is_file())
}

/// dumpcap or tcpdump recording a TCP port on `lo` in the background, for tests with real
/// peers. Killed when dropped.
pub struct LoopbackCapture {
    child: std::process::Child,
}

impl LoopbackCapture {
    /// Starts `tool` (a dumpcap or tcpdump path) recording TCP `port` into `file`, and waits
    /// until the file has its header (up to 15 s) and a moment more for the capture to begin.
    /// None, with the reason printed, when the tool does not start.
    pub fn start(tool: &Path, port: u16, file: &Path) -> Option<LoopbackCapture> {
        let filter = format!("tcp port {port}");
        let mut cmd = Command::new(tool);
        if tool.ends_with("tcpdump") {
            cmd.args(["-i", "lo", "-U", "--immediate-mode", "-w"])
                .arg(file)
                .arg(&filter);
        } else {
            cmd.args(["-q", "-i", "lo", "-f", &filter, "-w"]).arg(file);
        }
        let child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) => {
                eprintln!("skipping: {} does not start: {e}", tool.display());
                return None;
            }
        };
        let t0 = std::time::Instant::now();
        while std::fs::metadata(file).map_or(true, |m| m.len() < 24)
            && t0.elapsed() < std::time::Duration::from_secs(15)
        {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        // The tools open the file before they capture.
        std::thread::sleep(std::time::Duration::from_millis(1000));
        Some(LoopbackCapture { child })
    }

    /// Stops after a moment for the last packets: SIGINT lets the tool flush and close the
    /// file; it gets 5 s, then is killed.
    pub fn stop(mut self) {
        std::thread::sleep(std::time::Duration::from_millis(700));
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let t0 = std::time::Instant::now();
        while self.child.try_wait().ok().flatten().is_none()
            && t0.elapsed() < std::time::Duration::from_secs(5)
        {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for LoopbackCapture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
