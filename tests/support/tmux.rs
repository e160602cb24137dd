//! Driving a terminal program as a person would: a tmux server of the test's own (its own
//! socket, so nothing else is touched), keys sent with `send-keys`, the screen read with
//! `capture-pane`. The server is killed when the value is dropped.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    /// The session the keys go to and the screen is read from.
    session: &'static str,
    /// How long `wait` waits, and how often it looks.
    patience: Duration,
    poll: Duration,
}

impl Tmux {
    /// A server on socket `socket`, session `ls`, waiting up to 10 s.
    pub fn new(socket: String) -> Tmux {
        Tmux {
            socket,
            session: "ls",
            patience: Duration::from_secs(10),
            poll: Duration::from_millis(50),
        }
    }

    /// The session name the keys and screen use.
    pub fn session(mut self, name: &'static str) -> Tmux {
        self.session = name;
        self
    }

    /// How long `wait` waits (and how often it looks), for programs that start slowly.
    pub fn patience(mut self, patience: Duration, poll: Duration) -> Tmux {
        self.patience = patience;
        self.poll = poll;
        self
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("running tmux")
    }

    /// Starts the session running `command` on a `width`x`height` terminal: one string runs
    /// through tmux's default shell, several are the program and its arguments.
    pub fn start(&self, width: u16, height: u16, command: &[&str]) {
        let (w, h) = (width.to_string(), height.to_string());
        let args = ["new-session", "-d", "-s", self.session, "-x", &w, "-y", &h];
        let mut args = args.to_vec();
        args.extend_from_slice(command);
        let started = self.run(&args);
        assert!(started.status.success(), "{started:?}");
    }

    /// A tmux format (e.g. `#{alternate_on}`) evaluated for the session, trimmed.
    pub fn format(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", self.session, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    pub fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", self.session]).stdout;
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Waits until the screen satisfies `ok` and has settled, and returns it; fails with the
    /// screen after the patience runs out.
    ///
    /// Settled means two captures a poll apart are identical: a capture can land while the
    /// program is half-way through redrawing, showing the new view's title over the old
    /// view's rows, and a test that then asserts on those rows would fail for no fault of
    /// the program. A screen that keeps changing (a live capture scrolling) is taken as it
    /// is after a few polls.
    pub fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        const SETTLE_POLLS: u32 = 8;
        let start = Instant::now();
        let (mut last, mut ok_polls) = (String::new(), 0);
        loop {
            let s = self.screen();
            if ok(&s) {
                ok_polls += 1;
                if s == last || ok_polls > SETTLE_POLLS {
                    return s;
                }
            }
            if start.elapsed() > self.patience {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            last = s;
            std::thread::sleep(self.poll);
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
