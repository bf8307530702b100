# workerd serving worker.js (bundled next to this file) on 127.0.0.1, a port of its own choosing:
# `workerd serve workerd.capnp --control-fd=3` reports it on fd 3.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2026-11-01",
  durableObjectNamespaces = [ (className = "Hub", uniqueKey = "sprinkler-runtime-test") ],
  durableObjectStorage = (inMemory = void),
  bindings = [ (name = "HUB", durableObjectNamespace = "Hub") ],
);
