//! A PostgreSQL server of the test's own, in a temporary data directory on a free loopback port,
//! so a test can stop and start it under load without touching the machine's shared server
//! (other tests, other sessions and CI use that one). Built from the machine's PostgreSQL
//! binaries (`/usr/lib/postgresql/<version>/bin`); run as the `postgres` user when the test runs
//! as root, because PostgreSQL refuses to run as root.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

pub struct PrivatePostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PrivatePostgres {
    /// `initdb` (trust auth) and start; panics naming what is missing.
    pub fn start() -> PrivatePostgres {
        let bin = binaries();
        let as_postgres = run_plain("id", &["-u"]).trim() == "0";
        let dir =
            std::env::temp_dir().join(format!("qlosync-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("create the data directory");
        if as_postgres {
            run_plain("chown", &["postgres:postgres", path_str(&dir)]);
        }
        let port = free_port();
        let pg = PrivatePostgres {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = pg.data_dir();
        pg.run(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        pg.start_server();
        pg
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A pool on the server with qlosync's schema migrated.
    pub async fn migrated_pool(&self) -> PgPool {
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect(&self.url())
            .await
            .expect("connect to the private PostgreSQL");
        sync_core::db::MIGRATOR
            .run(&pool)
            .await
            .expect("migrate the private PostgreSQL");
        pool
    }

    /// A fast shutdown, as `systemctl restart` does: every session is told "terminating
    /// connection due to administrator command" (SQLSTATE 57P01), then the port closes.
    pub fn stop_server(&self) {
        let data = self.data_dir();
        self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
    }

    pub fn start_server(&self) {
        let data = self.data_dir();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            self.port, data
        );
        let log = format!("{data}/server.log");
        self.run(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        );
    }

    fn data_dir(&self) -> String {
        path_str(&self.dir.join("data")).to_owned()
    }

    /// `program` of the PostgreSQL binaries with `args`, as `postgres` when the test is root.
    fn command(&self, program: &str, args: &[&str]) -> Command {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", "postgres", "--"]).arg(program);
            runuser
        } else {
            Command::new(program)
        };
        command.args(args);
        command
    }

    fn run(&self, program: &str, args: &[&str]) -> String {
        checked(program, self.command(program, args).output())
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self
            .command("pg_ctl", &["-D", &data, "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` that has `initdb` and `pg_ctl`.
fn binaries() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(|d| d.ok().map(|d| d.path().join("bin")))
                .filter(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().expect(
        "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (initdb, pg_ctl): \
         this test starts a PostgreSQL of its own and needs Debian's postgresql package",
    )
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("its address").port()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn run_plain(program: &str, args: &[&str]) -> String {
    checked(program, Command::new(program).args(args).output())
}

fn checked(program: &str, output: std::io::Result<Output>) -> String {
    let output = output.unwrap_or_else(|e| panic!("{program} could not run: {e}"));
    assert!(
        output.status.success(),
        "{program} failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
