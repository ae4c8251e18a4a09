// Loopback ports of the test stack (E2E_PORT_BASE, default 18480): api, simulator, then the
// three workers' ops servers.
const base = Number(process.env.E2E_PORT_BASE ?? 18480);
export const stackPorts = { api: base, sim: base + 8, ops: base + 11 };
