import assert from "node:assert/strict";
import { test } from "node:test";
import { helloPage, helloVersion, werkzeugLogLine } from "./page.js";

test("the hello page is what the tutorial shows for each version", () => {
  const cases: [string | undefined, string, string][] = [
    [undefined, "World", "<h3>Hello World!</h3><b>Hostname:</b> 6de75d8df956<br/>"],
    ["1", "World", "<h3>Hello World!</h3><b>Hostname:</b> 6de75d8df956<br/>"],
    ["2", "World", "<h3>Hello World! - this is version 2</h3><b>Hostname:</b> 6de75d8df956<br/>"],
    ["2", "Kube", "<h3>Hello Kube! - this is version 2</h3><b>Hostname:</b> 6de75d8df956<br/>"],
  ];
  for (const [v, name, want] of cases) {
    assert.equal(helloPage(helloVersion(v), name, "6de75d8df956"), want);
  }
});

test("request lines are logged as Werkzeug does", () => {
  const d = new Date(2019, 10, 3, 9, 5, 7);
  assert.equal(
    werkzeugLogLine("10.0.0.5", d, "GET / HTTP/1.1", 200),
    '10.0.0.5 - - [03/Nov/2019 09:05:07] "GET / HTTP/1.1" 200 -',
  );
});
