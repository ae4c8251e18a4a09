import { useEffect, useRef } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { ErrorBox, Loading } from "../components/ui";
// bundled from npm: nothing is fetched from a CDN
import { SwaggerUIBundle } from "swagger-ui-dist";
import "swagger-ui-dist/swagger-ui.css";

/** The OpenAPI document rendered with swagger-ui (bundled). */
export default function ApiReference() {
  const doc = useQuery({
    queryKey: ["openapi"],
    queryFn: () => unwrap(api.GET("/api/v1/openapi.json")),
    staleTime: Infinity,
  });
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!doc.data || !target.current) return;
    SwaggerUIBundle({ spec: doc.data as object, domNode: target.current, deepLinking: false, tryItOutEnabled: false, supportedSubmitMethods: [] });
  }, [doc.data]);
  if (doc.isLoading) return <Loading what="the OpenAPI document" />;
  if (doc.error) return <ErrorBox error={doc.error} title="Cannot read the OpenAPI document" />;
  return <div className="api-reference" ref={target} />;
}
