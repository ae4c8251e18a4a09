import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, ApiFailure, type Schemas } from "../api/client";
import { useRole } from "../auth";
import { ApiKeyState, Card, Empty, ErrorBox, Loading, Pill } from "../components/ui";

type Property = Schemas["Property"];
type Config = Schemas["ConfigView"];

/** QloApps configs of the property (create / edit / enable) and their room-type mappings. */
export function Configs({ property }: { property: Property }) {
  const { canWrite } = useRole();
  const configs = useQuery({
    queryKey: ["configs", property.id],
    queryFn: () => unwrap(api.GET("/api/v1/qloapps/configs", { params: { query: { propertyId: property.id } } })),
  });
  const [creating, setCreating] = useState(false);
  if (configs.isLoading) return <Loading what="configs" />;
  if (configs.error) return <ErrorBox error={configs.error} title="Cannot read the configs" />;
  const list = configs.data ?? [];
  return (
    <div className="stack">
      <Card
        title="QloApps configs"
        actions={
          canWrite &&
          !creating && <button onClick={() => setCreating(true)}>New config</button>
        }
      >
        {creating && <ConfigForm property={property} onDone={() => setCreating(false)} />}
        {list.length === 0 && !creating && <Empty>No QloApps config yet.</Empty>}
      </Card>
      {list.map((config) => (
        <ConfigCard key={config.id} config={config} property={property} />
      ))}
    </div>
  );
}

function ConfigForm({ property, config, onDone }: { property: Property; config?: Config; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(config?.name ?? "");
  const [baseUrl, setBaseUrl] = useState(config?.baseUrl ?? "");
  const [apiKey, setApiKey] = useState("");
  const [hotelId, setHotelId] = useState(String(config?.qloappsHotelId ?? 1));
  const [syncEnabled, setSyncEnabled] = useState(config?.syncEnabled ?? true);
  const [recreate, setRecreate] = useState(config?.recreateRefusedExtensions ?? false);
  const save = useMutation({
    mutationFn: async () => {
      const common = {
        name: name.trim(),
        baseUrl: baseUrl.trim(),
        qloappsHotelId: Number(hotelId),
        syncEnabled,
        recreateRefusedExtensions: recreate,
      };
      if (config) {
        return unwrap(
          api.PATCH("/api/v1/qloapps/configs/{configId}", {
            params: { path: { configId: config.id } },
            body: apiKey ? { ...common, apiKey } : common,
          }),
        );
      }
      return unwrap(
        api.POST("/api/v1/qloapps/configs", {
          body: { ...common, propertyId: property.id, apiKey: apiKey || undefined },
        }),
      );
    },
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ["configs", property.id] });
      queryClient.invalidateQueries({ queryKey: ["channel-managers", property.id] });
      onDone();
    },
  });
  const fieldProblem = (field: string) =>
    save.error instanceof ApiFailure ? save.error.fields.find((f) => f.field === field)?.problem : undefined;
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <form className="form" onSubmit={submit} aria-label={config ? `Edit ${config.name}` : "New config"}>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required />
        {fieldProblem("name") && <span className="bad-text">{fieldProblem("name")}</span>}
      </label>
      <label>
        Base URL
        <input
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          placeholder="https://hotel.example.com/api"
          required
        />
        <span className="hint">
          The QloApps webservice root: <code>https://host/api</code> (needs URL rewriting) or{" "}
          <code>https://host/webservice/dispatcher.php</code>.
        </span>
        {fieldProblem("baseUrl") && <span className="bad-text">{fieldProblem("baseUrl")}</span>}
      </label>
      <label>
        API key
        <input
          type="password"
          autoComplete="off"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          placeholder={config?.apiKeySet ? `set, ends in …${config.apiKeyLast4 ?? ""} (leave empty to keep)` : "32 characters"}
        />
        <span className="hint">Write-only: it is stored encrypted and never shown again.</span>
        {fieldProblem("apiKey") && <span className="bad-text">{fieldProblem("apiKey")}</span>}
      </label>
      <label>
        QloApps hotel id
        <input type="number" min={1} value={hotelId} onChange={(e) => setHotelId(e.target.value)} required />
      </label>
      <label className="check">
        <input type="checkbox" checked={syncEnabled} onChange={(e) => setSyncEnabled(e.target.checked)} /> Sync enabled
      </label>
      <label className="check">
        <input type="checkbox" checked={recreate} onChange={(e) => setRecreate(e.target.checked)} /> Re-book refused
        stay changes as a new order
        <span className="hint">
          When QloApps refuses a longer or moved stay because it counts the booking&apos;s own room as taken, cancel
          the order and book the new stay as a new one. The booking gets a new QloApps order id and reference, and
          its room is free for a moment in between. Off: the reservation is listed as out of sync instead.
        </span>
      </label>
      {save.error && <ErrorBox error={save.error} title="Not saved" />}
      <div className="row">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : config ? "Save" : "Create config"}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ConfigCard({ config, property }: { config: Config; property: Property }) {
  const { canWrite } = useRole();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const toggle = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH("/api/v1/qloapps/configs/{configId}", {
          params: { path: { configId: config.id } },
          body: { syncEnabled: !config.syncEnabled },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["configs", property.id] }),
  });
  return (
    <Card
      title={
        <>
          {config.name} {config.syncEnabled ? <Pill tone="ok">enabled</Pill> : <Pill tone="muted">disabled</Pill>}
        </>
      }
      actions={
        canWrite &&
        !editing && (
          <>
            <button className="secondary" onClick={() => toggle.mutate()} disabled={toggle.isPending}>
              {config.syncEnabled ? "Disable" : "Enable"}
            </button>
            <button onClick={() => setEditing(true)}>Edit</button>
          </>
        )
      }
    >
      {editing ? (
        <ConfigForm property={property} config={config} onDone={() => setEditing(false)} />
      ) : (
        <dl className="health">
          <div>
            <dt>Base URL</dt>
            <dd className="mono">{config.baseUrl}</dd>
          </div>
          <div>
            <dt>Hotel</dt>
            <dd>{config.qloappsHotelId}</dd>
          </div>
          <div>
            <dt>Refused stay changes</dt>
            <dd>{config.recreateRefusedExtensions ? "re-booked as a new order" : "listed as out of sync"}</dd>
          </div>
          <div>
            <dt>API key</dt>
            <dd>
              <ApiKeyState set={config.apiKeySet} last4={config.apiKeyLast4} />
            </dd>
          </div>
        </dl>
      )}
      {toggle.error && <ErrorBox error={toggle.error} title="Not changed" />}
      <Mappings config={config} property={property} />
    </Card>
  );
}

/** PMS room types side by side with the QloApps room type each is mapped to. */
function Mappings({ config, property }: { config: Config; property: Property }) {
  const { canWrite } = useRole();
  const queryClient = useQueryClient();
  const roomTypes = useQuery({
    queryKey: ["room-types", property.id],
    queryFn: () =>
      unwrap(api.GET("/api/v1/properties/{propertyId}/room-types", { params: { path: { propertyId: property.id } } })),
  });
  const mappings = useQuery({
    queryKey: ["mappings", config.id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/qloapps/configs/{configId}/room-type-mappings", { params: { path: { configId: config.id } } }),
      ),
  });
  const live = useQuery({
    queryKey: ["qloapps-room-types", config.id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/qloapps/configs/{configId}/qloapps-room-types", { params: { path: { configId: config.id } } }),
      ),
    enabled: config.apiKeySet,
    retry: false,
  });
  const qloTypes = live.data?.items;
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: async ({ roomTypeId, qloId, mappingId }: { roomTypeId: string; qloId: number; mappingId?: string }) => {
      if (mappingId) {
        return unwrap(
          api.PATCH("/api/v1/qloapps/configs/{configId}/room-type-mappings/{mappingId}", {
            params: { path: { configId: config.id, mappingId } },
            body: { qloappsRoomTypeId: qloId },
          }),
        );
      }
      return unwrap(
        api.POST("/api/v1/qloapps/configs/{configId}/room-type-mappings", {
          params: { path: { configId: config.id } },
          body: { localRoomTypeId: roomTypeId, qloappsRoomTypeId: qloId },
        }),
      );
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["mappings", config.id] }),
  });
  const remove = useMutation({
    mutationFn: (mappingId: string) =>
      unwrap(
        api.DELETE("/api/v1/qloapps/configs/{configId}/room-type-mappings/{mappingId}", {
          params: { path: { configId: config.id, mappingId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["mappings", config.id] }),
  });
  if (roomTypes.isLoading || mappings.isLoading) return <Loading what="room-type mappings" />;
  if (roomTypes.error) return <ErrorBox error={roomTypes.error} title="Cannot read the room types" />;
  if (mappings.error) return <ErrorBox error={mappings.error} title="Cannot read the room-type mappings" />;
  const types = roomTypes.data ?? [];
  const byRoomType = new Map((mappings.data ?? []).map((m) => [m.localRoomTypeId, m]));
  return (
    <div className="mappings">
      <h3>Room-type mapping</h3>
      {live.isLoading && <Loading what="QloApps room types" />}
      {live.error && (
        <div className="state error" role="alert">
          QloApps room types could not be read ({live.error.message}); enter QloApps room type ids by hand.
        </div>
      )}
      {types.length === 0 ? (
        <Empty>The property has no room types yet.</Empty>
      ) : (
        <table aria-label={`Room-type mapping of ${config.name}`}>
          <thead>
            <tr>
              <th>PMS room type</th>
              <th>QloApps room type {qloTypes ? "(read live from QloApps)" : "id"}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {types.map((rt) => {
              const mapping = byRoomType.get(rt.id);
              const draft = drafts[rt.id] ?? (mapping ? String(mapping.qloappsRoomTypeId) : "");
              const changed = draft !== (mapping ? String(mapping.qloappsRoomTypeId) : "");
              return (
                <tr key={rt.id}>
                  <td>
                    {rt.name} <span className="muted">({rt.code})</span>
                  </td>
                  <td>
                    {qloTypes ? (
                      <select
                        aria-label={`QloApps room type for ${rt.code}`}
                        value={draft}
                        disabled={!canWrite}
                        onChange={(e) => setDrafts({ ...drafts, [rt.id]: e.target.value })}
                      >
                        <option value="">not mapped</option>
                        {draft && !qloTypes.some((q) => String(q.id) === draft) && (
                          <option value={draft}>{draft} · not in QloApps</option>
                        )}
                        {qloTypes.map((q) => (
                          <option key={q.id} value={String(q.id)}>
                            {q.id} · {q.name}
                            {q.active ? "" : " (inactive)"}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        type="number"
                        min={1}
                        aria-label={`QloApps room type for ${rt.code}`}
                        value={draft}
                        disabled={!canWrite}
                        onChange={(e) => setDrafts({ ...drafts, [rt.id]: e.target.value })}
                        placeholder="not mapped"
                      />
                    )}
                  </td>
                  <td>
<div className="row">
                    {canWrite && changed && draft && (
                      <button
                        onClick={() =>
                          save.mutate(
                            { roomTypeId: rt.id, qloId: Number(draft), mappingId: mapping?.id },
                            { onSuccess: () => setDrafts(({ [rt.id]: _, ...rest }) => rest) },
                          )
                        }
                        disabled={save.isPending}
                      >
                        Save mapping
                      </button>
                    )}
                    {canWrite && mapping && !changed && (
                      <button className="secondary" onClick={() => remove.mutate(mapping.id)} disabled={remove.isPending}>
                        Unmap
                      </button>
                    )}
                    {mapping && !changed && <Pill tone="ok">mapped</Pill>}
                  </div>
</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {save.error && <ErrorBox error={save.error} title="Mapping not saved" />}
      {remove.error && <ErrorBox error={remove.error} title="Mapping not removed" />}
    </div>
  );
}
