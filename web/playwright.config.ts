import { defineConfig } from "@playwright/test";
import { stackPorts } from "./e2e/ports";

// One real stack (api + workers + qlo-sim on a fresh database and queue prefix) for all
// specs, started by e2e/global-setup.ts; one worker, so the specs run in order against it.
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${stackPorts.api}`,
    viewport: { width: 1280, height: 860 },
    actionTimeout: 20_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    },
    headless: true,
    trace: "retain-on-failure",
  },
});
