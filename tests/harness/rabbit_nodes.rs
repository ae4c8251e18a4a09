//! Private RabbitMQ nodes for fault tests: one node or a cluster on loopback, each with its own
//! node name, ports, data and log directories under a temporary directory, and a cookie of its
//! own, so a test can stop or kill them without touching the machine's shared broker (5672).
//! Dropping [`RabbitNodes`] kills every node and deletes the directory, even after a panic.
//!
//! The nodes run the scripts of `/usr/lib/rabbitmq/bin` (`RABBITMQ_BIN_DIR` for another place)
//! directly: Debian's `/usr/sbin` wrappers switch to the `rabbitmq` user, which drops the
//! environment that keeps a node private. Missing binaries fail the test, naming the package.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long one node may take to boot on a busy machine.
const BOOT_TIMEOUT: Duration = Duration::from_secs(90);

/// One private node.
#[derive(Debug, Clone)]
pub struct Node {
    /// `qtest-<run>-<n>@localhost`
    pub name: String,
    pub amqp_port: u16,
    dist_port: u16,
    dir: PathBuf,
}

/// Private nodes: a single node, or the nodes of one cluster (the first is the seed).
pub struct RabbitNodes {
    root: PathBuf,
    pub nodes: Vec<Node>,
}

impl RabbitNodes {
    /// Boots `count` nodes and joins the others to the first. Panics (with the node's log)
    /// when a node cannot start, or when RabbitMQ is not installed.
    pub async fn start(count: usize) -> RabbitNodes {
        tokio::task::spawn_blocking(move || Self::start_blocking(count))
            .await
            .expect("starting the RabbitMQ nodes")
    }

    fn start_blocking(count: usize) -> RabbitNodes {
        let bin = bin_dir();
        assert!(
            bin.join("rabbitmq-server").is_file() && bin.join("rabbitmqctl").is_file(),
            "RabbitMQ's binaries are missing from {} (install Debian's rabbitmq-server, or set \
             RABBITMQ_BIN_DIR): this fault test starts private RabbitMQ nodes and cannot run \
             without them",
            bin.display()
        );
        let run = &uuid::Uuid::new_v4().simple().to_string()[..8];
        let root = std::env::temp_dir().join(format!("qlosync-rabbit-{run}"));
        std::fs::create_dir_all(&root).expect("node directory");
        // one cookie for the cluster and its CLI calls, readable by its owner only
        let cookie = root.join(".erlang.cookie");
        std::fs::write(&cookie, format!("QLOSYNCTEST{run}").to_uppercase()).expect("cookie");
        set_owner_only(&cookie);
        let mut nodes = RabbitNodes {
            root,
            nodes: Vec::new(),
        };
        for n in 1..=count {
            let dir = nodes.root.join(format!("n{n}"));
            std::fs::create_dir_all(&dir).expect("node directory");
            nodes.nodes.push(Node {
                name: format!("qtest-{run}-{n}@localhost"),
                amqp_port: 0,
                dist_port: 0,
                dir,
            });
        }
        // boot all at once (each takes seconds), then wait for each
        for i in 0..count {
            nodes.launch(i);
        }
        for i in 0..count {
            nodes.await_boot(i);
        }
        for i in 1..count {
            let seed = nodes.nodes[0].name.clone();
            nodes.ctl_ok(i, &["stop_app"]);
            nodes.ctl_ok(i, &["join_cluster", &seed]);
            nodes.ctl_ok(i, &["start_app"]);
            nodes.ctl_ok(i, &["await_startup", "--timeout", "90"]);
        }
        nodes
    }

    /// `amqp://` URL of node `i`.
    pub fn url(&self, i: usize) -> String {
        format!(
            "amqp://guest:guest@127.0.0.1:{}/%2f",
            self.nodes[i].amqp_port
        )
    }

    /// Every node's URL, comma-separated: a `RABBITMQ_URL` for the whole cluster.
    pub fn urls(&self) -> String {
        (0..self.nodes.len())
            .map(|i| self.url(i))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `kill -9` of node `i`: no goodbye to its clients or its peers.
    pub fn kill(&self, i: usize) {
        if let Some(pid) = self.pid(i) {
            let _ = Command::new("kill").args(["-9", &pid]).output();
        }
    }

    /// Stops node `i` gracefully (`rabbitmqctl stop`); [`RabbitNodes::restart`] brings it back.
    pub async fn stop(&mut self, i: usize) {
        self.blocking(move |nodes| nodes.ctl_ok(i, &["stop"])).await;
    }

    /// Boots node `i` again on its ports and data, after a stop or a kill.
    pub async fn restart(&mut self, i: usize) {
        self.blocking(move |nodes| {
            nodes.launch(i);
            nodes.await_boot(i);
        })
        .await;
    }

    /// Runs `f` on a blocking thread: a test's runtime has one thread, which the processes
    /// under test need meanwhile.
    async fn blocking(&mut self, f: impl FnOnce(&mut RabbitNodes) + Send + 'static) {
        let empty = RabbitNodes {
            root: PathBuf::new(),
            nodes: Vec::new(),
        };
        let mut nodes = std::mem::replace(self, empty);
        let nodes = tokio::task::spawn_blocking(move || {
            f(&mut nodes);
            nodes
        })
        .await
        .expect("a RabbitMQ node command");
        *self = nodes;
    }

    /// Index of the node that leads `queue` (a quorum queue), asked of node `via`; `None`
    /// while the queue does not exist or has no leader. Does not block the runtime.
    pub async fn leader_of(&self, queue: &str, via: usize) -> Option<usize> {
        let leader = self.queue_info(queue, "leader", via).await?;
        self.nodes.iter().position(|n| n.name == leader)
    }

    /// How many consumers `queue` has, asked of node `via`; `None` while it does not exist.
    pub async fn consumers_of(&self, queue: &str, via: usize) -> Option<u32> {
        self.queue_info(queue, "consumers", via).await?.parse().ok()
    }

    /// One `rabbitmqctl list_queues` column of `queue`.
    async fn queue_info(&self, queue: &str, column: &str, via: usize) -> Option<String> {
        let node = &self.nodes[via];
        let mut command = tokio::process::Command::from(self.command(node, "rabbitmqctl"));
        command.arg("-n").arg(&node.name).args([
            "list_queues",
            "--quiet",
            "--no-table-headers",
            "name",
            column,
        ]);
        let out = command.output().await.ok()?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines().find_map(|line| {
            let mut cols = line.split_whitespace();
            (cols.next()? == queue).then(|| cols.next().map(str::to_owned))?
        })
    }

    /// Runs `rabbitmqctl -n <node i> args...` (blocking: outside the test's runtime).
    fn ctl(&self, i: usize, args: &[&str]) -> Output {
        let node = &self.nodes[i];
        self.command(node, "rabbitmqctl")
            .arg("-n")
            .arg(&node.name)
            .args(args)
            .output()
            .expect("running rabbitmqctl")
    }

    fn ctl_ok(&self, i: usize, args: &[&str]) {
        let out = self.ctl(i, args);
        assert!(
            out.status.success(),
            "rabbitmqctl -n {} {args:?} failed: {}{}\n{}",
            self.nodes[i].name,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log_tail(i)
        );
    }

    /// Starts node `i` detached; picks its ports on the first launch.
    fn launch(&mut self, i: usize) {
        if self.nodes[i].amqp_port == 0 {
            self.nodes[i].amqp_port = free_port();
            self.nodes[i].dist_port = free_port();
        }
        let node = self.nodes[i].clone();
        let _ = std::fs::remove_file(node.dir.join("pid"));
        let _ = std::fs::remove_file(node.dir.join("log").join("erl_crash.dump"));
        let config = node.dir.join("rabbitmq.conf");
        std::fs::write(
            &config,
            format!(
                "listeners.tcp.1 = 127.0.0.1:{}\nloopback_users.guest = true\n",
                node.amqp_port
            ),
        )
        .expect("node config");
        std::fs::write(node.dir.join("enabled_plugins"), "[].\n").expect("plugins file");
        std::fs::write(node.dir.join("rabbitmq-env.conf"), "").expect("env file");
        let status = self
            .command(&node, "rabbitmq-server")
            .arg("-detached")
            .env("RABBITMQ_NODENAME", &node.name)
            .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .env("RABBITMQ_NODE_PORT", node.amqp_port.to_string())
            .env("RABBITMQ_DIST_PORT", node.dist_port.to_string())
            .env("RABBITMQ_CONFIG_FILE", &config)
            .env(
                "RABBITMQ_ENABLED_PLUGINS_FILE",
                node.dir.join("enabled_plugins"),
            )
            .env("RABBITMQ_MNESIA_BASE", node.dir.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", node.dir.join("log"))
            .env("RABBITMQ_PID_FILE", node.dir.join("pid"))
            .status()
            .expect("running rabbitmq-server");
        assert!(
            status.success(),
            "rabbitmq-server -detached failed for {}",
            node.name
        );
    }

    fn await_boot(&self, i: usize) {
        let deadline = Instant::now() + BOOT_TIMEOUT;
        loop {
            // fails at once while the node has not registered yet: poll
            if self
                .ctl(i, &["await_startup", "--timeout", "10"])
                .status
                .success()
            {
                return;
            }
            let crashed = self.nodes[i]
                .dir
                .join("log")
                .join("erl_crash.dump")
                .exists();
            if crashed || Instant::now() > deadline {
                panic!(
                    "RabbitMQ node {} did not start within {BOOT_TIMEOUT:?}{}\n{}",
                    self.nodes[i].name,
                    if crashed { " (it crashed)" } else { "" },
                    self.log_tail(i)
                );
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// A command with the environment every call shares: the private cookie (`HOME`), the
    /// private env file, loopback-only distribution.
    fn command(&self, node: &Node, script: &str) -> Command {
        let mut command = Command::new(bin_dir().join(script));
        command
            .env("HOME", &self.root)
            .env("RABBITMQ_CONF_ENV_FILE", node.dir.join("rabbitmq-env.conf"))
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .env("ERL_FLAGS", "-kernel inet_dist_use_interface {127,0,0,1}")
            .current_dir(&node.dir);
        command
    }

    fn pid(&self, i: usize) -> Option<String> {
        let text = std::fs::read_to_string(self.nodes[i].dir.join("pid")).ok()?;
        let pid = text.trim();
        (!pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit())).then(|| pid.to_owned())
    }

    fn log_tail(&self, i: usize) -> String {
        let node = &self.nodes[i];
        let log = node.dir.join("log").join(format!("{}.log", node.name));
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        format!("--- last lines of {} ---\n{tail}", log.display())
    }
}

impl Drop for RabbitNodes {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill(i);
        }
        if !self.root.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

fn bin_dir() -> PathBuf {
    std::env::var_os("RABBITMQ_BIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/rabbitmq/bin"))
}

/// A port free now on loopback (the OS picks it; the node binds it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn set_owner_only(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o400)).expect("cookie mode");
}
