import assert from "node:assert/strict";
import { test } from "node:test";
import { directoryListing } from "./fsbrowser.js";

test("directories list as Go's FileServer lists them", () => {
  assert.equal(
    directoryListing([
      { name: "my-config.txt", dir: false },
      { name: "..data", dir: true },
      { name: "a<b", dir: false },
    ]),
    '<pre>\n<a href="..data/">..data/</a>\n<a href="a%3Cb">a&lt;b</a>\n<a href="my-config.txt">my-config.txt</a>\n</pre>\n',
  );
});
