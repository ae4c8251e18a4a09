import { lazy, Suspense } from "react";
import { NavLink, Route, Routes } from "react-router-dom";
import { SessionProvider, useRole, useSession } from "./auth";
import { PropertyProvider, useProperty } from "./property";
import { SignIn } from "./screens/SignIn";
import { ChannelManager } from "./screens/ChannelManager";
import { Configs } from "./screens/Configs";
import { SyncActivity } from "./screens/SyncActivity";
import { DeadLetters } from "./screens/DeadLetters";
import { Calendar } from "./screens/Calendar";
import { Activity } from "./screens/Activity";
import { Empty, ErrorBox, Loading } from "./components/ui";

const ApiReference = lazy(() => import("./screens/ApiReference"));

export function App() {
  return (
    <SessionProvider>
      <Gate />
    </SessionProvider>
  );
}

function Gate() {
  const { token } = useSession();
  if (!token) return <SignIn />;
  return (
    <PropertyProvider>
      <Shell />
    </PropertyProvider>
  );
}

const SCREENS = [
  { to: "/", label: "Channel manager" },
  { to: "/configs", label: "Configs & mappings" },
  { to: "/sync", label: "Sync activity" },
  { to: "/dead-letters", label: "Dead letters" },
  { to: "/calendar", label: "Calendar" },
  { to: "/activity", label: "Charts" },
  { to: "/api-reference", label: "API reference" },
];

function Shell() {
  const { signOut } = useSession();
  const { role } = useRole();
  const { properties, property, choose, isLoading, error } = useProperty();
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">qlosync</div>
        <nav aria-label="Screens">
          {SCREENS.map((s) => (
            <NavLink key={s.to} to={s.to} end={s.to === "/"}>
              {s.label}
            </NavLink>
          ))}
        </nav>
        <div className="who">
          {properties.length > 0 && (
            <label>
              <span className="sr-only">Property</span>
              <select
                aria-label="Property"
                value={property?.id ?? ""}
                onChange={(e) => choose(e.target.value)}
              >
                {properties.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {role === "readOnly" && <span className="pill muted">read-only</span>}
          <button className="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        {property && (
          <p className="tz-note">
            {property.name} · times shown in {property.timezone}
          </p>
        )}
        {isLoading ? (
          <Loading what="properties" />
        ) : error ? (
          <ErrorBox error={error} title="Cannot read the properties" />
        ) : (
          <Routes>
            <Route path="/" element={property ? <ChannelManager property={property} /> : <NoProperty />} />
            <Route path="/configs" element={property ? <Configs property={property} /> : <NoProperty />} />
            <Route path="/sync" element={property ? <SyncActivity property={property} /> : <NoProperty />} />
            <Route path="/calendar" element={property ? <Calendar property={property} /> : <NoProperty />} />
            <Route path="/activity" element={property ? <Activity property={property} /> : <NoProperty />} />
            <Route path="/dead-letters" element={<DeadLetters timeZone={property?.timezone ?? "UTC"} propertyId={property?.id} />} />
            <Route
              path="/api-reference"
              element={
                <Suspense fallback={<Loading what="the API reference" />}>
                  <ApiReference />
                </Suspense>
              }
            />
            <Route path="*" element={<Empty>No such page. Pick a screen above.</Empty>} />
          </Routes>
        )}
      </main>
    </div>
  );
}

function NoProperty() {
  return (
    <Empty>
      No property yet. Create one with <code>POST /api/v1/properties</code> (or run{" "}
      <code>api demo-setup</code>), then reload.
    </Empty>
  );
}
