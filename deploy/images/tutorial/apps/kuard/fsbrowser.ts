// kuard's "File system browser" (/fs/...): Go's http.FileServer over the container's root, so that a
// reader can look at mounted ConfigMaps, Secrets and volumes from the browser.
import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import type http from "node:http";
import { posix } from "node:path";

const htmlEscapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

/** Go's directory listing: one link per entry, directories with a trailing slash, sorted by name. */
export function directoryListing(entries: { name: string; dir: boolean }[]): string {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const links = sorted.map(({ name, dir }) => {
    const shown = dir ? `${name}/` : name;
    const href = encodeURIComponent(shown).replace(/%2F/g, "/");
    return `<a href="${href}">${shown.replace(/[&<>"']/g, (c) => htmlEscapes[c]!)}</a>\n`;
  });
  return `<pre>\n${links.join("")}</pre>\n`;
}

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".svg": "image/svg+xml",
};

async function contentType(path: string): Promise<string> {
  const byExt = types[posix.extname(path).toLowerCase()];
  if (byExt) return byExt;
  // Go sniffs the content; text unless the first bytes hold a NUL is close enough.
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    return buf.subarray(0, bytesRead).includes(0) ? "application/octet-stream" : "text/plain; charset=utf-8";
  } finally {
    await fh.close();
  }
}

/** Serves `rel` (the URL path after /fs, still escaped) from the container's file system. */
export async function serveFs(rel: string, res: http.ServerResponse): Promise<void> {
  let path: string;
  try {
    path = posix.normalize(`/${decodeURIComponent(rel)}`);
  } catch {
    res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8" }).end("400 Bad Request\n");
    return;
  }
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (err) {
    const denied = (err as NodeJS.ErrnoException).code === "EACCES";
    res.writeHead(denied ? 403 : 404, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(denied ? "403 Forbidden\n" : "404 page not found\n");
    return;
  }
  const base = posix.basename(path);
  if (st.isDirectory() && !rel.endsWith("/")) {
    res.writeHead(301, { Location: `${base === "" ? "" : encodeURIComponent(base)}/` }).end();
    return;
  }
  if (!st.isDirectory() && rel.endsWith("/")) {
    res.writeHead(301, { Location: `../${encodeURIComponent(base)}` }).end();
    return;
  }
  if (st.isDirectory()) {
    const dirents = await readdir(path, { withFileTypes: true });
    const entries = await Promise.all(
      dirents.map(async (d) => {
        let dir = d.isDirectory();
        if (d.isSymbolicLink())
          dir = await stat(posix.join(path, d.name)).then(
            (s) => s.isDirectory(),
            () => false,
          );
        return { name: d.name, dir };
      }),
    );
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(directoryListing(entries));
    return;
  }
  res.writeHead(200, { "Content-Type": await contentType(path) });
  const stream = createReadStream(path);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}
