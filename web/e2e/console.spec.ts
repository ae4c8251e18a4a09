// The console in headless Chromium against the real stack of global-setup.ts: no mock of the
// API anywhere. Specs run in order on one stack; each screen is saved under docs/console/.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const admin = () => process.env.E2E_ADMIN_TOKEN ?? "";
const reader = () => process.env.E2E_READONLY_TOKEN ?? "";
const ids = () =>
  JSON.parse(process.env.E2E_IDS ?? "{}") as {
    propertyId: string;
    configId: string;
    roomTypeIds: string[];
    guestId: string;
  };
const shots = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "console");
const shot = (page: Page, name: string) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });

/** At tablet width (768 px) the page itself never scrolls sideways (wide tables scroll in their box). */
async function fitsTablet(page: Page) {
  await page.setViewportSize({ width: 768, height: 1024 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
  await page.setViewportSize({ width: 1280, height: 860 });
}

async function signIn(page: Page, token: string) {
  await page.goto("/");
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Screens" })).toBeVisible();
}

async function call(request: APIRequestContext, method: "GET" | "POST" | "DELETE", path: string, data?: unknown) {
  const response = await request.fetch(path, {
    method,
    data,
    headers: { Authorization: `Bearer ${admin()}` },
  });
  expect(response.ok(), `${method} ${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.status() === 204 ? null : response.json();
}

async function reserve(request: APIRequestContext, roomTypeId: string, daysAhead: number) {
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const { propertyId, guestId } = ids();
  const created = await call(request, "POST", `/api/v1/properties/${propertyId}/reservations`, {
    roomTypeId,
    guestId,
    checkIn: day(daysAhead),
    checkOut: day(daysAhead + 2),
    adults: 2,
    totalPrice: "240.00",
    currency: "USD",
  });
  return created.id as string;
}

async function qloappsOrderOf(request: APIRequestContext, reservationId: string): Promise<number | null> {
  const mappings = await call(
    request,
    "GET",
    `/api/v1/qloapps/configs/${ids().configId}/reservation-mappings?localReservationId=${reservationId}`,
  );
  return mappings[0]?.qloappsBookingId ?? null;
}

test.describe.configure({ mode: "serial" });

// an uncaught error in the page fails the test that caused it
let pageErrors: Error[] = [];
test.beforeEach(({ page }) => {
  pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error));
});
test.afterEach(() => {
  expect(pageErrors.map((e) => e.message)).toEqual([]);
});

test("sign-in refuses a wrong token and opens the channel manager with the right one", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("API token").fill("not-a-token-0123456789");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("This token was rejected");
  await shot(page, "sign-in");
  await page.getByLabel("API token").fill(admin());
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("active-channel-manager")).toHaveText("QloApps");
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  expect(page.url()).not.toContain(admin());
});

test("test connection with the stored key says Connected ✓ with version and latency", async ({ page }) => {
  await signIn(page, admin());
  const card = page.locator(".card", { hasText: "QloApps demo" }).filter({ has: page.getByRole("button", { name: "Test connection" }) }).first();
  await card.getByRole("button", { name: "Test connection" }).click();
  const result = card.getByTestId("test-result");
  await expect(result).toContainText("Connected ✓");
  await expect(result).toContainText(/QloApps .* · \d+ ms/);
  await expect(card.getByLabel(/Health of/)).toContainText("closed");
  await expect(card.getByTestId("rate-limit")).toContainText(/^\d+ calls may go now · at most 100 per 60 s$/);
  const health = card.getByLabel(/Health of/);
  for (const kind of ["Last pull", "Last push", "Last reconcile"]) await expect(health).toContainText(kind);
  await expect(card.getByTestId("pull-failures")).toHaveText("0");
  await shot(page, "channel-manager");
  await page.setViewportSize({ width: 768, height: 1024 });
  await shot(page, "channel-manager-tablet");
});

test("a config created in the console with a wrong key fails its test in words", async ({ page }) => {
  await signIn(page, admin());
  await page.getByRole("link", { name: "Configs & mappings" }).click();
  await page.getByRole("button", { name: "New config" }).click();
  const form = page.getByRole("form", { name: "New config" });
  await form.getByLabel("Name").fill("Wrong key");
  await form.getByLabel("Base URL").fill(process.env.E2E_SIM_URL ?? "");
  await form.getByLabel("API key").fill("WRONGKEYWRONGKEYWRONGKEYWRONG123");
  await form.getByLabel("QloApps hotel id").fill("2");
  await form.getByLabel("Sync enabled").uncheck();
  await expect(form.getByLabel(/Re-book refused stay changes/)).not.toBeChecked();
  await form.getByLabel(/Re-book refused stay changes/).check();
  await form.getByRole("button", { name: "Create config" }).click();
  const created = page.locator(".card", { hasText: "Wrong key" });
  await expect(created).toContainText("set, ends in …G123");
  await expect(created).toContainText("disabled");
  await expect(created).toContainText("re-booked as a new order");
  await shot(page, "configs");

  await page.getByRole("link", { name: "Channel manager" }).click();
  const card = page.locator(".card", { hasText: "Wrong key" });
  await card.getByRole("button", { name: "Test connection" }).click();
  await expect(card.getByTestId("test-result")).toContainText("Not connected: unauthorized");
  await shot(page, "channel-manager-wrong-key");
});

test("a reservation created in the API is pushed and shows on its timeline with the QloApps order", async ({ page, request }) => {
  const reservationId = await reserve(request, ids().roomTypeIds[0], 30);
  await signIn(page, admin());
  await page.getByRole("link", { name: "Sync activity" }).click();
  await page.getByRole("button", { name: new RegExp(reservationId.slice(0, 8)) }).click();
  const timeline = page.getByTestId("timeline");
  await expect(timeline.getByTestId("qloapps-order")).toHaveText(/^\d+$/, { timeout: 45_000 });
  await expect(timeline.getByRole("table", { name: "Timeline" })).toContainText("outbound", { timeout: 30_000 });
  await shot(page, "sync-activity");
});

test("an unmapped room type dead-letters its push; mapped in the console and replayed, it reaches QloApps", async ({ page, request }) => {
  const luxury = ids().roomTypeIds[3];
  await signIn(page, admin());
  await page.getByRole("link", { name: "Configs & mappings" }).click();
  const demo = page.getByRole("table", { name: /Room-type mapping of QloApps demo/ });
  const row = demo.getByRole("row", { name: /LUXURY/ });
  await row.getByRole("button", { name: "Unmap" }).click();
  await expect(row.getByLabel("QloApps room type for LUXURY")).toHaveValue("");
  await expect(row.getByRole("option", { name: /^4 · / })).toHaveCount(1);

  const reservationId = await reserve(request, luxury, 40);
  await page.getByRole("link", { name: "Dead letters" }).click();
  const dead = page.getByRole("row", { name: /reservation\.create/ }).first();
  await expect(dead).toContainText("permanent", { timeout: 45_000 });
  await dead.getByRole("button", { name: "Open" }).click();
  // the body preview is its first 200 characters: the config and the event, not yet the id
  await expect(page.getByTestId("dlq-body")).toContainText(`"configId":"${ids().configId}"`);
  await expect(page.getByTestId("dlq-body")).toContainText(`"eventType":"reservation.create"`);
  await shot(page, "dead-letters");

  // the reservation is out of sync with the reason, where an operator looks first
  await page.getByRole("link", { name: "Sync activity" }).click();
  const attention = page.getByRole("table", { name: "Needs attention" });
  await expect(attention.getByRole("row", { name: new RegExp(reservationId) })).toContainText("not mapped");

  // fix the cause: map LUXURY again (a new mapping, created in the console)
  await page.getByRole("link", { name: "Configs & mappings" }).click();
  // the choices are the hotel's room types, read live from QloApps
  await row.getByLabel("QloApps room type for LUXURY").selectOption("4");
  await row.getByRole("button", { name: "Save mapping" }).click();
  await expect(row).toContainText("mapped");

  await page.getByRole("link", { name: "Dead letters" }).click();
  await page.getByRole("row", { name: /reservation\.create/ }).first().getByRole("button", { name: "Replay" }).click();
  await expect(page.getByTestId("preview")).toContainText("1 message");
  await page.getByRole("button", { name: "Yes, replay 1" }).click();
  await expect(page.getByTestId("dlq-report")).toHaveText("Replayed 1, failed 0.");
  await expect(page.getByText("The dead-letter queue is empty")).toBeVisible();
  await expect.poll(() => qloappsOrderOf(request, reservationId), { timeout: 45_000 }).not.toBeNull();
  await page.getByRole("link", { name: "Sync activity" }).click();
  await expect(page.getByRole("table", { name: "Needs attention" })).toHaveCount(0, { timeout: 15_000 });
});

test("several dead letters: live DLQ depth, then a multi-selection replayed and the rest discarded, each counted first", async ({ page, request }) => {
  const { configId, roomTypeIds } = ids();
  const luxury = roomTypeIds[3];
  const mappings = `/api/v1/qloapps/configs/${configId}/room-type-mappings`;
  const mapping = (await call(request, "GET", mappings)).find((m: { localRoomTypeId: string }) => m.localRoomTypeId === luxury);
  await call(request, "DELETE", `${mappings}/${mapping.id}`);
  const reservations: string[] = [];
  for (const days of [50, 53, 56]) reservations.push(await reserve(request, luxury, days));

  // the depth of the DLQ as RabbitMQ counts it, live on the channel manager
  await signIn(page, admin());
  const health = page.getByLabel("Health of QloApps demo");
  await expect(health.getByTestId("dlq-depth")).toContainText("3 in the queue", { timeout: 45_000 });
  await expect(health.getByTestId("dlq-depth")).toContainText("3 of this config");
  await expect(health.getByTestId("queue-depths")).toHaveText(/^outbound \d+ · inbound \d+ · live, all configs$/);
  await shot(page, "channel-manager");

  // fix the cause, then pick two of the three
  await call(request, "POST", mappings, { localRoomTypeId: luxury, qloappsRoomTypeId: 4 });
  await page.getByRole("link", { name: "Dead letters" }).click();
  const table = page.getByRole("table", { name: "Dead letters" });
  await expect(table.getByRole("row", { name: /reservation\.create/ })).toHaveCount(3);
  await table.getByLabel("Select all on this page").check();
  await expect(page.getByTestId("selected-count")).toHaveText("3 messages selected");
  const rows = table.getByRole("row", { name: /reservation\.create/ });
  await rows.nth(2).getByRole("checkbox").uncheck();
  await expect(page.getByTestId("selected-count")).toHaveText("2 messages selected");
  await page.getByRole("button", { name: "Replay selected…" }).click();
  const preview = page.getByTestId("preview");
  await expect(preview).toContainText("Replay the 2 selected messages: 2 messages of 3 in the queue.");
  await shot(page, "dead-letters");
  await fitsTablet(page);
  await page.getByRole("button", { name: "Yes, replay 2" }).click();
  await expect(page.getByTestId("dlq-report")).toHaveText("Replayed 2, failed 0.");
  await expect(table.getByRole("row", { name: /reservation\.create/ })).toHaveCount(1);

  // the rest by filter: counted over the whole queue first
  await page.getByLabel("Reason").selectOption("permanent");
  await page.getByRole("button", { name: "Discard matching…" }).click();
  await expect(preview).toContainText("Discard every message matching the filter: 1 message of 1 in the queue.");
  await page.getByRole("button", { name: "Yes, discard 1" }).click();
  await expect(page.getByTestId("dlq-report")).toHaveText("Discarded 1.");
  await expect(page.getByText("The dead-letter queue is empty")).toBeVisible();

  // the two replayed reached QloApps
  const ordered = async () => (await Promise.all(reservations.map((r) => qloappsOrderOf(request, r)))).filter((o) => o !== null).length;
  await expect.poll(ordered, { timeout: 45_000 }).toBe(2);
});

test("a manual sync runs and shows its counts", async ({ page }) => {
  await signIn(page, admin());
  await page.getByRole("link", { name: "Sync activity" }).click();
  await page.getByRole("button", { name: "Sync now (incremental)" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Queued an incremental sync" })).toBeVisible();
  // its progress, followed to the end: the first pull of a config has no watermark, it runs full
  await expect(page.getByTestId("sync-progress")).toHaveText(/The full pull completed in \d+ ms: \d+ processed, \d+ created/, {
    timeout: 45_000,
  });
  const runs = page.getByRole("table", { name: "Sync runs" });
  // the first pull of a config has no watermark yet, so it runs as a full pull
  const pull = runs.getByRole("row", { name: /pull completed/ }).first();
  await expect(pull).toBeVisible({ timeout: 45_000 });
  const cells = pull.getByRole("cell");
  for (const count of [3, 4, 5, 6, 7]) await expect(cells.nth(count)).toHaveText(/^\d+$/);
  await expect(cells.nth(8)).toHaveText(/^\d+ ms$/);
  await shot(page, "sync-activity");
});

test("switching the channel manager to none and back", async ({ page, request }) => {
  await signIn(page, admin());
  await page.getByRole("button", { name: "Switch to none" }).click();
  await page.getByRole("button", { name: "Confirm switch" }).click();
  await expect(page.getByTestId("active-channel-manager")).toHaveText("none");
  const status = await call(request, "GET", `/api/v1/settings/channel-managers?propertyId=${ids().propertyId}`);
  expect(status.activeChannelManager).toBe("none");
  await page.getByRole("button", { name: "Switch to QloApps" }).click();
  await page.getByRole("button", { name: "Confirm switch" }).click();
  await expect(page.getByTestId("active-channel-manager")).toHaveText("QloApps");
});

test("drift made behind QloApps' back shows on the calendar after a dry run, and Fix removes it", async ({ page, request }) => {
  const { propertyId, roomTypeIds } = ids();
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
  const nights = [`${month}-10`, `${month}-11`, `${month}-12`];
  // with the channel manager off, a PMS change is not queued for QloApps: drift
  const switchTo = (channelManager: string) =>
    call(request, "POST", "/api/v1/settings/channel-managers/switch", { propertyId, channelManager });
  await switchTo("none");
  const response = await request.fetch(`/api/v1/room-types/${roomTypeIds[0]}/availability`, {
    method: "PUT",
    data: { dateFrom: nights[0], dateTo: nights[2], available: 1 },
    headers: { Authorization: `Bearer ${admin()}` },
  });
  expect(response.ok(), await response.text()).toBeTruthy();
  await switchTo("qloapps");

  await signIn(page, admin());
  await page.getByRole("link", { name: "Calendar" }).click();
  // the picker: the config with sync on is the default, the other one is there to choose
  const picker = page.getByLabel("QloApps config");
  await expect(picker).toHaveValue(ids().configId);
  await expect(picker.getByRole("option", { name: /Wrong key/ })).toHaveCount(1);
  await page.getByRole("button", { name: "Next month" }).click();
  await expect(page.getByLabel("Month", { exact: true })).toHaveValue(month);
  await page.getByRole("button", { name: "Reconcile (dry run)" }).click();
  const report = page.getByTestId("reconcile-report");
  await expect(report).toContainText("Dry run", { timeout: 45_000 });
  await expect(report).toContainText(/\b3\b nights of availability drift/);
  for (const night of nights) {
    await expect(page.locator(`td[data-night="GENERAL ${night}"]`)).toHaveClass(/drift/);
  }
  await expect(page.locator(`td[data-night="GENERAL ${month}-13"]`)).not.toHaveClass(/drift/);
  await shot(page, "calendar");
  await fitsTablet(page);

  await page.getByRole("button", { name: "Fix the drift in QloApps" }).click();
  await expect(report).toContainText("Fixed", { timeout: 45_000 });
  await page.getByRole("button", { name: "Reconcile (dry run)" }).click();
  await expect(report).toContainText(/Dry run .*: 0 nights of availability drift, 0 nights of rate drift/, { timeout: 45_000 });
  await expect(page.locator("td.drift")).toHaveCount(0);
});

test("the charts show the pushes and pulls of the runs above", async ({ page }) => {
  await signIn(page, admin());
  await page.getByRole("link", { name: "Charts" }).click();
  await expect(page.getByRole("img", { name: /^Pushes to QloApps: peak [1-9]\d* per 3 min$/ })).toBeVisible();
  await page.getByLabel("Period").selectOption("1");
  await expect(page.getByRole("img", { name: /^Pushes to QloApps: peak [1-9]\d* per min$/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Pulls from QloApps: peak [1-9]/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^p95 push duration: peak \d/ })).toBeVisible();
  // the dead-lettered push of the unmapped room type failed
  await expect(page.getByRole("img", { name: /^Failures: peak [1-9]/ })).toBeVisible();
  // the api samples the queues (every second here): the dead letters above were counted
  await expect(page.getByRole("img", { name: /^Dead-letter queue depth: peak [1-9]\d* messages$/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Outbound queue depth: peak \d+ messages$/ })).toBeVisible();
  await shot(page, "charts");
  await fitsTablet(page);

  // the config picker: the other config has no activity of its own
  const picker = page.getByLabel("QloApps config");
  await expect(picker.getByRole("option")).toHaveText(["QloApps demo · hotel 1", "Wrong key · hotel 2 (sync off)"]);
  await picker.selectOption({ label: "Wrong key · hotel 2 (sync off)" });
  await expect(page.getByRole("heading", { name: "Activity of Wrong key" })).toBeVisible();
  await expect(page.getByRole("figure", { name: "Pushes to QloApps" })).toContainText("Nothing in this period.");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Activity of Wrong key" })).toBeVisible();
  await picker.selectOption({ label: "QloApps demo · hotel 1" });
  await expect(page.getByRole("img", { name: /^Pushes to QloApps: peak [1-9]/ })).toBeVisible();
});

test("a read-only token sees the screens and none of the actions", async ({ page }) => {
  await signIn(page, reader());
  await expect(page.getByText("read-only", { exact: true })).toBeVisible();
  await expect(page.getByTestId("active-channel-manager")).toHaveText("QloApps");
  await expect(page.getByText("switching is disabled")).toBeVisible();
  await expect(page.getByRole("button", { name: "Test connection" })).toHaveCount(0);
  await page.getByRole("link", { name: "Configs & mappings" }).click();
  const mapping = page.getByRole("table", { name: /Room-type mapping of QloApps demo/ });
  await expect(mapping.getByLabel("QloApps room type for LUXURY")).toHaveValue("4");
  await expect(mapping.getByLabel("QloApps room type for LUXURY")).toBeDisabled();
  await expect(page.getByRole("button", { name: "New config" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Unmap" })).toHaveCount(0);
});

test("the API reference renders the OpenAPI document from the bundle", async ({ page }) => {
  await signIn(page, admin());
  await page.getByRole("link", { name: "API reference" }).click();
  await expect(page.getByText("qlosync API").first()).toBeVisible();
  await expect(page.getByText("/api/v1/settings/channel-managers/test").first()).toBeVisible();
  await shot(page, "api-reference");
});

test("signing out, or a token the api stops accepting, returns to sign-in", async ({ page }) => {
  await signIn(page, admin());
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByLabel("API token")).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem("qlosync.token"))).toBeNull();

  await signIn(page, admin());
  // a token the api no longer accepts: its first 401 returns to sign-in
  await page.evaluate(() => sessionStorage.setItem("qlosync.token", "revoked-token-0123456789"));
  await page.reload();
  await expect(page.getByLabel("API token")).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem("qlosync.token"))).toBeNull();
});
