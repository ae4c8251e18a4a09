import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "./api/client";

type PropertyChoice = {
  properties: Schemas["Property"][];
  property: Schemas["Property"] | undefined;
  choose: (id: string) => void;
  isLoading: boolean;
  error: unknown;
};

const PropertyContext = createContext<PropertyChoice | null>(null);

export function PropertyProvider({ children }: { children: ReactNode }) {
  const query = useQuery({
    queryKey: ["properties"],
    queryFn: () => unwrap(api.GET("/api/v1/properties")),
  });
  const [chosen, setChosen] = useState<string | null>(() => sessionStorage.getItem("qlosync.property"));
  const list = query.data ?? [];
  const property = list.find((p) => p.id === chosen) ?? list[0];
  useEffect(() => {
    if (property) sessionStorage.setItem("qlosync.property", property.id);
  }, [property]);
  return (
    <PropertyContext.Provider
      value={{ properties: list, property, choose: setChosen, isLoading: query.isLoading, error: query.error }}
    >
      {children}
    </PropertyContext.Provider>
  );
}

export function useProperty(): PropertyChoice {
  const value = useContext(PropertyContext);
  if (!value) throw new Error("useProperty outside PropertyProvider");
  return value;
}
