import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { ConfigPicker, pickConfig } from "./ConfigPicker";
import type { Schemas } from "../api/client";

const config = (id: string, name: string, syncEnabled = true) =>
  ({ id, name, syncEnabled, qloappsHotelId: 1 }) as Schemas["ConfigView"];
const off = config("a", "Off", false);
const on = config("b", "On");

describe("the config picker", () => {
  it("takes the named config, else the first with sync on, else the first", () => {
    expect(pickConfig([off, on], "a")).toBe(off);
    expect(pickConfig([off, on], null)).toBe(on);
    expect(pickConfig([off, on], "deleted")).toBe(on);
    expect(pickConfig([off], null)).toBe(off);
    expect(pickConfig([], "a")).toBeUndefined();
  });

  it("lists the configs and reports the choice", async () => {
    function Harness() {
      const [chosen, setChosen] = useState<string>("b");
      return (
        <>
          <ConfigPicker configs={[off, on]} value={pickConfig([off, on], chosen)} onChange={setChosen} />
          <output>{chosen}</output>
        </>
      );
    }
    render(<Harness />);
    const select = screen.getByLabelText("QloApps config");
    expect(select).toHaveValue("b");
    expect(screen.getByRole("option", { name: "Off · hotel 1 (sync off)" })).toBeInTheDocument();
    await userEvent.selectOptions(select, "a");
    expect(screen.getByRole("status")).toHaveTextContent("a");
  });

  it("shows the name alone when there is one config", () => {
    render(<ConfigPicker configs={[on]} value={on} onChange={() => {}} />);
    expect(screen.queryByLabelText("QloApps config")).toBeNull();
    expect(screen.getByText("On")).toBeInTheDocument();
  });
});
