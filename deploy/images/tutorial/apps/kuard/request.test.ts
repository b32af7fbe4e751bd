import assert from "node:assert/strict";
import { test } from "node:test";
import { dumpRequest, type Routed, routeOf } from "./request.js";

test("the request dump reads as Go's, Host first and headers sorted", () => {
  assert.equal(
    dumpRequest("GET", "/", "1.1", ["user-agent", "curl/7.88.1", "host", "localhost:8080", "accept", "*/*"]),
    "GET / HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\nUser-Agent: curl/7.88.1",
  );
});

test("paths route as the original's, also under /a, /b and /c", () => {
  const cases: [string, Routed | undefined][] = [
    ["/", { urlBase: "", route: { kind: "page" }, methods: ["GET", "HEAD"] }],
    ["/-/liveness", { urlBase: "", route: { kind: "page" }, methods: ["GET", "HEAD"] }],
    ["/a/", { urlBase: "/a", route: { kind: "page" }, methods: ["GET", "HEAD"] }],
    [
      "/healthy",
      { urlBase: "", route: { kind: "probe", probe: "healthy", api: false }, methods: ["GET", "HEAD"] },
    ],
    [
      "/b/ready/api",
      {
        urlBase: "/b",
        route: { kind: "probe", probe: "ready", api: true },
        methods: ["GET", "HEAD", "PUT", "POST"],
      },
    ],
    [
      "/memq/server/queues/keygen/enqueue",
      { urlBase: "", route: { kind: "memq", action: "enqueue", queue: "keygen" }, methods: ["POST"] },
    ],
    [
      "/memq/server/queues/keygen",
      { urlBase: "", route: { kind: "memq", action: "queue", queue: "keygen" }, methods: ["PUT", "DELETE"] },
    ],
    ["/fs/etc/", { urlBase: "", route: { kind: "fs", rest: "/etc/" }, methods: ["GET", "HEAD"] }],
    ["/nope", undefined],
    ["/d/healthy", undefined],
  ];
  for (const [path, want] of cases) assert.deepEqual(routeOf(path), want, path);
});
