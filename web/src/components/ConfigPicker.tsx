import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";
import { api, unwrap, type Schemas } from "../api/client";

type Config = Schemas["ConfigView"];

/** The config `wanted` names, else the first with sync enabled, else the first. */
export function pickConfig(configs: Config[], wanted: string | null): Config | undefined {
  return configs.find((c) => c.id === wanted) ?? configs.find((c) => c.syncEnabled) ?? configs[0];
}

/**
 * The property's QloApps configs and the one a screen shows: chosen with the picker and kept
 * in the address (`?config=<id>`), so a reload or a shared link shows the same config.
 */
export function useChosenConfig(propertyId: string) {
  const configs = useQuery({
    queryKey: ["configs", propertyId],
    queryFn: () => unwrap(api.GET("/api/v1/qloapps/configs", { params: { query: { propertyId } } })),
  });
  const [params, setParams] = useSearchParams();
  const config = pickConfig(configs.data ?? [], params.get("config"));
  const choose = (id: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.set("config", id);
        return next;
      },
      { replace: true },
    );
  return { configs, config, choose };
}

/** A drop-down of the property's configs (a plain name when there is only one). */
export function ConfigPicker({
  configs,
  value,
  onChange,
}: {
  configs: Config[];
  value: Config | undefined;
  onChange: (id: string) => void;
}) {
  if (configs.length < 2) return value ? <span className="muted">{value.name}</span> : null;
  return (
    <label className="row">
      QloApps config
      <select aria-label="QloApps config" value={value?.id ?? ""} onChange={(e) => onChange(e.target.value)}>
        {configs.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name} · hotel {c.qloappsHotelId}
            {c.syncEnabled ? "" : " (sync off)"}
          </option>
        ))}
      </select>
    </label>
  );
}
