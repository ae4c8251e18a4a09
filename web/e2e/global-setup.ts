// Starts the whole stack the browser tests run against, the way scripts/demo.sh does: qlo-sim,
// `api migrate` + `api demo-setup` on a fresh database, then api (serving web/dist), both
// queue workers and the scheduler on a fresh queue prefix. Binaries come from
// $QLOSYNC_BIN_DIR, else $CARGO_TARGET_DIR/debug, else ../target/debug (scripts/test.sh builds
// them). Returns the teardown: stop every process started here, drop the database.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stackPorts } from "./ports";

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, "..");
const repo = resolve(web, "..");
const binDir =
  process.env.QLOSYNC_BIN_DIR ??
  join(process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(repo, "target"), "debug");
const logDir = join(web, "test-results", "stack-logs");

async function waitFor(url: string, what: string, children: ChildProcess[], seconds = 90) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.exitCode !== null);
    if (dead) throw new Error(`${dead.spawnargs.join(" ")} exited with ${dead.exitCode}; see ${logDir}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not ready at ${url} after ${seconds} s; see ${logDir}`);
}

/** Deletes this run's queues with rabbitmqctl when it is installed (CI, this machine); else says so. */
function removeQueues(prefix: string) {
  try {
    const names = execFileSync("rabbitmqctl", ["-q", "list_queues", "name"], { encoding: "utf8", timeout: 60_000 })
      .split("\n")
      .map((n) => n.trim())
      .filter((n) => n.startsWith(prefix));
    for (const name of names) execFileSync("rabbitmqctl", ["-q", "delete_queue", name], { stdio: "ignore", timeout: 60_000 });
  } catch {
    console.warn(`e2e: could not delete the queues ${prefix}* (rabbitmqctl unavailable); they are empty and harmless`);
  }
}

export default async function globalSetup() {
  for (const bin of ["api", "qlo-sim", "outbound-worker", "inbound-worker", "sync-scheduler"]) {
    if (!existsSync(join(binDir, bin))) {
      throw new Error(`no ${bin} in ${binDir}: run scripts/test.sh, or cargo build the five binaries and set QLOSYNC_BIN_DIR`);
    }
  }
  if (!existsSync(join(web, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
  mkdirSync(logDir, { recursive: true });

  const run = randomBytes(4).toString("hex");
  const database = `qlosync_e2e_${run}`;
  const queuePrefix = `console-e2e-${run}.`;
  const pgServer = process.env.E2E_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
  const simKey = randomBytes(16).toString("hex").toUpperCase();
  const adminToken = `e2e-admin-${randomBytes(12).toString("hex")}`;
  const readonlyToken = `e2e-reader-${randomBytes(12).toString("hex")}`;
  const encryptionKey = execFileSync(join(binDir, "api"), ["gen-key"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: `${pgServer}/${database}`,
    RABBITMQ_URL: process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672/%2f",
    QLOSYNC_QUEUE_PREFIX: queuePrefix,
    QLOSYNC_ENCRYPTION_KEY: encryptionKey,
    QLOAPPS_SYNC_INTERVAL_MS: "600000",
    LOG_FORMAT: "pretty",
    RUST_LOG: "info",
  };
  const simUrl = `http://127.0.0.1:${stackPorts.sim}/api`;

  const children: ChildProcess[] = [];
  const start = (name: string, args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const log = createWriteStream(join(logDir, `${name}.log`));
    const child = spawn(join(binDir, name === "api" ? "api" : name), args, {
      env: { ...env, ...extra },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.push(child);
    return child;
  };

  const teardown = async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((done) => {
            if (c.exitCode !== null) return done();
            const force = setTimeout(() => c.kill("SIGKILL"), 10_000);
            c.once("exit", () => (clearTimeout(force), done()));
          }),
      ),
    );
    removeQueues(queuePrefix);
    try {
      execFileSync("psql", [`${pgServer}/postgres`, "-qc", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`], { stdio: "ignore" });
    } catch {
      console.warn(`e2e: could not drop ${database}`);
    }
  };

  try {
    start("qlo-sim", ["--listen", `127.0.0.1:${stackPorts.sim}`], { QLO_SIM_KEY: simKey });
    execFileSync(join(binDir, "api"), ["migrate"], { env, stdio: "ignore" });
    const ids = JSON.parse(
      execFileSync(join(binDir, "api"), ["demo-setup", "--fresh-qloapps", "--qloapps-url", simUrl], {
        env: { ...env, QLO_API_KEY: simKey },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }),
    );
    start("api", ["serve"], {
      API_LISTEN_ADDR: `127.0.0.1:${stackPorts.api}`,
      API_TOKENS: adminToken,
      API_READONLY_TOKENS: readonlyToken,
      API_CONSOLE_DIR: join(web, "dist"),
      // the queue-depth chart: a reading a second, so the short-lived dead letters are seen
      API_QUEUE_SAMPLE_INTERVAL_MS: "1000",
    });
    start("outbound-worker", [], { OPS_LISTEN_ADDR: `127.0.0.1:${stackPorts.ops}` });
    start("inbound-worker", [], { OPS_LISTEN_ADDR: `127.0.0.1:${stackPorts.ops + 1}` });
    start("sync-scheduler", [], { OPS_LISTEN_ADDR: `127.0.0.1:${stackPorts.ops + 2}` });
    await waitFor(`http://127.0.0.1:${stackPorts.api}/ready`, "api", children);
    for (const offset of [0, 1, 2]) {
      await waitFor(`http://127.0.0.1:${stackPorts.ops + offset}/ready`, "worker", children);
    }
    Object.assign(process.env, {
      E2E_ADMIN_TOKEN: adminToken,
      E2E_READONLY_TOKEN: readonlyToken,
      E2E_SIM_URL: simUrl,
      E2E_SIM_KEY: simKey,
      E2E_IDS: JSON.stringify(ids),
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
