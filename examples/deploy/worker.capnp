# workerd's config for worker.mjs: `workerd serve examples/deploy/worker.capnp` after bundling (see worker.mjs).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .bigpipe)],
  sockets = [(name = "http", address = "*:8080", http = (), service = "main")],
);

const bigpipe :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "build/worker.js")],
  compatibilityDate = "2025-09-01",
  # request.signal aborts when the client goes away (the default only from compatibility date 2026-11-17 on)
  compatibilityFlags = ["enable_request_signal"],
);
