# syntax=docker/dockerfile:1
# One image holds every qlosync binary; each compose service picks its command.

# ---- console (web/: Vite + React) -------------------------------------------------------------
FROM node:20-bookworm-slim AS console
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
# src/api/schema.d.ts is committed (npm run gen:api regenerates it from `api openapi`)
RUN npm run build

# ---- build -------------------------------------------------------------------------------------
FROM rust:1-bookworm AS build
WORKDIR /src
# .git is not in the build context (.dockerignore): the commit `--version` and
# qlosync_build_info report comes in as a build argument (docker compose passes it; without it
# the binaries say "unknown")
ARG QLOSYNC_GIT_COMMIT=unknown
ENV QLOSYNC_GIT_COMMIT=${QLOSYNC_GIT_COMMIT}
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
        -p api -p outbound-worker -p inbound-worker -p sync-scheduler -p qlo-sim \
 && mkdir -p /out \
 && cp target/release/api target/release/outbound-worker target/release/inbound-worker \
       target/release/sync-scheduler target/release/qlo-sim /out/

# ---- run ---------------------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin qlosync \
 && mkdir -p /run/qlosync && chown qlosync:qlosync /run/qlosync
COPY --from=build /out/ /usr/local/bin/
COPY --from=console /web/dist/ /usr/share/qlosync/console/
USER qlosync:qlosync
ENV LOG_FORMAT=json RUST_LOG=info API_CONSOLE_DIR=/usr/share/qlosync/console
EXPOSE 8080
CMD ["api", "serve"]
