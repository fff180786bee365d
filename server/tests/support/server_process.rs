//! The real `statuspass` binary for the tests that need a process (logs, signals): started on
//! a free loopback port with JSON logs and a fresh data dir, every line it prints kept, killed
//! when dropped.

// Each test binary that includes this module uses only part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

pub struct ServerProcess {
    child: Child,
    port: u16,
    lines: Vec<String>,
    rx: mpsc::Receiver<String>,
    _data_dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts the binary with only `env` (besides bind, data dir and log format) and waits
    /// until it is listening.
    pub fn start(env: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_statuspass"))
            .env_clear()
            .env("STATUSPASS_BIND", "127.0.0.1:0")
            .env("STATUSPASS_DATA_DIR", data_dir.path())
            .env("STATUSPASS_LOG_FORMAT", "json")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut lines = Vec::new();
        let port = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("server starts");
            lines.push(line.clone());
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                if v["message"] == "listening" {
                    break u16::try_from(v["port"].as_u64().unwrap()).unwrap();
                }
            }
        };
        Self {
            child,
            port,
            lines,
            rx,
            _data_dir: data_dir,
        }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status, if it has exited.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Stops the process; every line it printed.
    pub fn kill_and_collect_lines(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut lines = std::mem::take(&mut self.lines);
        lines.extend(self.rx.try_iter());
        lines
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
