// PM2 process file for the four qlosync processes.
//   pm2 start deploy/pm2/ecosystem.config.js && pm2 save
// Settings come from an env file (default /etc/qlosync/qlosync.env, see .env.example); set
// QLOSYNC_ENV_FILE to use another. Run `api migrate` before the first start and after each
// upgrade (safe to repeat, safe if two run at once).
const fs = require('fs');

const envFile = process.env.QLOSYNC_ENV_FILE || '/etc/qlosync/qlosync.env';
const binDir = process.env.QLOSYNC_BIN_DIR || '/usr/local/bin';

/** KEY=VALUE lines of the env file (comments and blank lines skipped). */
function readEnv(path) {
  if (!fs.existsSync(path)) return {};
  const env = {};
  for (const line of fs.readFileSync(path, 'utf8').split('\n')) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
    if (match && match[2] !== '') env[match[1]] = match[2].replace(/^"(.*)"$/, '$1');
  }
  return env;
}

const env = readEnv(envFile);

/** One long-running qlosync process: restarted on failure, SIGTERM with time to finish. */
function app(name, binary, args) {
  return {
    name: `qlosync-${name}`,
    script: `${binDir}/${binary}`,
    args,
    interpreter: 'none',
    exec_mode: 'fork',
    autorestart: true,
    restart_delay: 5000,
    exp_backoff_restart_delay: 1000,
    kill_timeout: 45000,
    env,
  };
}

module.exports = {
  apps: [
    app('api', 'api', 'serve'),
    app('outbound-worker', 'outbound-worker', ''),
    app('inbound-worker', 'inbound-worker', ''),
    app('sync-scheduler', 'sync-scheduler', ''),
  ],
};
