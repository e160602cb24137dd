//! Running the lowshark binary on a file, temporary files, and reading its JSON.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A temp file removed on drop.
pub struct Temp(pub PathBuf);

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub fn temp(name: &str, bytes: &[u8]) -> Temp {
    let p = std::env::temp_dir().join(format!("lowshark-t-{}-{name}", std::process::id()));
    std::fs::write(&p, bytes).expect("write temp file");
    Temp(p)
}

/// The names of the files in `dir` (a ring buffer's output), sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("folder readable")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn temp_path(name: &str) -> Temp {
    Temp(std::env::temp_dir().join(format!("lowshark-t-{}-{name}", std::process::id())))
}

pub const BIN: &str = env!("CARGO_BIN_EXE_lowshark");

/// What one run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Fails the test when the process panicked (exit 101, or "panicked" on stderr) or was
    /// killed by a signal.
    pub fn assert_no_panic(&self, ctx: &str) -> &Run {
        assert!(
            self.code != 101 && !self.stderr.contains("panicked"),
            "{ctx}: lowshark panicked (exit {}):\n{}",
            self.code,
            self.stderr
        );
        assert!(self.code >= 0, "{ctx}: killed by a signal");
        self
    }

    /// The `-T json` output as packets.
    /// Empty output (the file could not even be opened) is no packets.
    pub fn json(&self, ctx: &str) -> Vec<serde_json::Value> {
        if self.stdout.is_empty() {
            return vec![];
        }
        match serde_json::from_str::<serde_json::Value>(&self.stdout) {
            Ok(serde_json::Value::Array(a)) => a,
            Ok(v) => panic!("{ctx}: -T json is not an array: {v}"),
            Err(e) => panic!("{ctx}: -T json does not parse: {e}\n{}", self.stdout),
        }
    }
}

pub fn run(args: &[&str], file: &Path) -> Run {
    let out: Output = Command::new(BIN)
        .args(args)
        .arg("-r")
        .arg(file)
        .output()
        .expect("run lowshark");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The layers object of a `-T json` packet.
pub fn layers(p: &serde_json::Value) -> &serde_json::Map<String, serde_json::Value> {
    p["_source"]["layers"].as_object().expect("layers object")
}

/// Whether a `-T json` packet has `_ws.malformed` anywhere in it.
pub fn is_malformed(p: &serde_json::Value) -> bool {
    p.to_string().contains("\"_ws.malformed")
}

/// The lines of `r` (a child's stdout or stderr), read by a thread as they come.
pub fn lines_of(r: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(r).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                return;
            }
        }
    });
    rx
}

/// lowshark running in the background, its stdout read line by line.
pub struct Background {
    pub child: Child,
    pub lines: std::sync::mpsc::Receiver<String>,
    pub stderr: std::sync::mpsc::Receiver<String>,
}

pub fn spawn_lowshark(args: &[&str]) -> Background {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run lowshark");
    let lines = lines_of(child.stdout.take().unwrap());
    let stderr = lines_of(child.stderr.take().unwrap());
    Background {
        child,
        lines,
        stderr,
    }
}

impl Background {
    /// The next `n` stdout lines (fails after a generous timeout).
    pub fn take(&self, n: usize) -> Vec<String> {
        let end = Instant::now() + Duration::from_secs(60);
        (0..n)
            .map(|i| {
                let left = end.saturating_duration_since(Instant::now());
                self.lines
                    .recv_timeout(left)
                    .unwrap_or_else(|_| panic!("only {i} of {n} lines within 60 s"))
            })
            .collect()
    }

    /// Waits for the exit; returns the code and all of stderr.
    pub fn finish(mut self) -> (i32, String) {
        let end = Instant::now() + Duration::from_secs(60);
        let code = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s.code().unwrap_or(-1);
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                let err: Vec<String> = self.stderr.try_iter().collect();
                let out: Vec<String> = self.lines.try_iter().collect();
                panic!(
                    "lowshark did not exit within 60 s; {} stdout lines; stderr:\n{}",
                    out.len(),
                    err.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let err: Vec<String> =
            std::iter::from_fn(|| self.stderr.recv_timeout(Duration::from_secs(5)).ok()).collect();
        (code, err.join("\n"))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The field names anywhere in a `-T json` output (either tool's) that `keep` accepts.
pub fn json_field_names(json: &str, keep: &dyn Fn(&str) -> bool) -> BTreeSet<String> {
    fn walk(v: &serde_json::Value, keep: &dyn Fn(&str) -> bool, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, val) in m {
                    if keep(k) {
                        out.insert(k.clone());
                    }
                    walk(val, keep, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, keep, out)),
            _ => {}
        }
    }
    let v = serde_json::from_str(json).unwrap_or(serde_json::Value::Null);
    let mut set = BTreeSet::new();
    walk(&v, keep, &mut set);
    set
}

/// The fields tshark and lowshark emit with `-T json` on `file` (`extra` arguments to both)
/// that `keep` accepts: (tshark's, lowshark's).
pub fn emitted_fields(
    file: &Path,
    extra: &[&str],
    keep: impl Fn(&str) -> bool,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut args = vec!["-T", "json"];
    args.extend_from_slice(extra);
    let mut tshark_args = vec!["-r", file.to_str().unwrap()];
    tshark_args.extend_from_slice(&args);
    let theirs = json_field_names(&super::tshark(&tshark_args), &keep);
    let ours = json_field_names(&run(&args, file).stdout, &keep);
    (theirs, ours)
}
