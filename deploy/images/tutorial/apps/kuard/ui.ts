// kuard's web UI, as one page with no external assets: the header the KUAR notes describe (hostname,
// version, addresses) rendered on the server, so that `curl localhost:8080` shows them too, and the tabs
// (Request Details, Server Env, Memory, Liveness Probe, Readiness Probe, DNS Query, KeyGen Workload,
// MemQ Server, File system browser) driven by a small script against the same APIs as the original.

export interface PageContext {
  urlBase: string;
  hostname: string;
  addrs: string[];
  version: string;
  versionColor: string;
  requestDump: string;
  requestProto: string;
  requestAddr: string;
}

const escapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => escapes[c]!);
}

/** A stable color per version; the blue, green and purple images show their color. */
export function versionColor(version: string): string {
  for (const [name, color] of [
    ["blue", "#1f5fbf"],
    ["green", "#2e8b3a"],
    ["purple", "#7b3fa8"],
  ] as const) {
    if (version.includes(name)) return color;
  }
  let h = 0;
  for (const c of version) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h}, 55%, 40%)`;
}

export const tabs: readonly { path: string; title: string }[] = [
  { path: "/", title: "Request Details" },
  { path: "/-/env", title: "Server Env" },
  { path: "/-/mem", title: "Memory" },
  { path: "/-/liveness", title: "Liveness Probe" },
  { path: "/-/readiness", title: "Readiness Probe" },
  { path: "/-/dns", title: "DNS Query" },
  { path: "/-/keygen", title: "KeyGen Workload" },
  { path: "/-/memq", title: "MemQ Server" },
];

const style = `
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #222; }
.top { max-width: 70em; margin: 0 auto; padding: 1em; }
.warning { background: #f8d7da; color: #721c24; border: 1px solid #f5c6cb; padding: .6em 1em; border-radius: 4px; }
h2 samp { font-size: 1.4em; }
.version { color: #fff; padding: 0 .4em; border-radius: 3px; font-style: italic; }
.layout { display: flex; gap: 1.5em; margin-top: 1em; }
.nav { display: flex; flex-direction: column; min-width: 12em; }
.nav a { padding: .45em .6em; text-decoration: none; color: #0b5ed7; border-left: 3px solid transparent; }
.nav a.active { border-left-color: #0b5ed7; background: #eef4ff; font-weight: 600; }
.content { flex: 1; min-width: 0; }
pre { background: #f6f8fa; padding: .8em; overflow-x: auto; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #ddd; padding: .25em .8em; text-align: left; vertical-align: top; }
.failn { margin: 0 .2em; }
input, select, button { font-size: 1em; margin: .2em; }
`;

// Plain ES2017 on purpose (no template literals: this text sits in one), run in the reader's browser.
const script = `
(function () {
  var ctx = window.pageContext;
  var base = ctx.urlBase;
  var content = document.getElementById("content");
  var timer = null;
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function api(path, opts) {
    return fetch(base + path, opts).then(function (r) {
      return r.text().then(function (t) {
        if (!r.ok) throw new Error(r.status + " " + t);
        return t ? JSON.parse(t) : null;
      });
    });
  }
  function every(ms, fn) { fn(); timer = setInterval(fn, ms); }
  function table(rows, head) {
    var h = head ? "<tr>" + head.map(function (c) { return "<th>" + esc(c) + "</th>"; }).join("") + "</tr>" : "";
    return "<table>" + h + rows.map(function (r) {
      return "<tr>" + r.map(function (c) { return "<td>" + esc(c) + "</td>"; }).join("") + "</tr>";
    }).join("") + "</table>";
  }
  var views = {
    "/": function () {
      content.innerHTML = "<h3>Request Details</h3>" +
        table([["Proto", ctx.requestProto], ["Client addr", ctx.requestAddr]]) +
        "<h4>Request</h4><pre>" + esc(ctx.requestDump) + "</pre>";
    },
    "/-/env": function () {
      content.innerHTML = "<h3>Server Env</h3><div id=v>loading...</div>";
      api("/env/api").then(function (s) {
        var env = Object.keys(s.env).sort().map(function (k) { return [k, s.env[k]]; });
        document.getElementById("v").innerHTML = "<h4>Command Line</h4><pre>" + esc(s.commandLine.join(" ")) +
          "</pre><h4>Environment</h4>" + table(env);
      });
    },
    "/-/mem": function () {
      content.innerHTML = "<h3>Memory</h3><p><button id=alloc>Allocate 500 MiB</button>" +
        "<button id=free>Free memory</button></p><div id=v></div>";
      document.getElementById("alloc").onclick = function () {
        api("/mem/api/alloc?size=" + 500 * 1024 * 1024, { method: "POST" });
      };
      document.getElementById("free").onclick = function () { api("/mem/api/clear", { method: "POST" }); };
      every(2000, function () {
        api("/mem/api").then(function (s) {
          var m = s.memStats;
          document.getElementById("v").innerHTML = table(Object.keys(m).map(function (k) {
            return [k, m[k] >= 1048576 ? m[k] + " (" + (m[k] / 1048576).toFixed(1) + " MiB)" : m[k]];
          }));
        });
      });
    },
    "/-/dns": function () {
      content.innerHTML = "<h3>DNS Query</h3><form id=f><select id=t>" +
        ["A", "AAAA", "CNAME", "SRV", "PTR", "TXT", "MX", "NS", "SOA", "ANY"].map(function (t) {
          return "<option>" + t + "</option>";
        }).join("") + "</select><input id=n placeholder=name size=40><button>Query</button></form><pre id=v></pre>";
      document.getElementById("f").onsubmit = function (e) {
        e.preventDefault();
        var body = JSON.stringify({ type: document.getElementById("t").value, name: document.getElementById("n").value });
        api("/dns/api", { method: "POST", body: body }).then(function (r) {
          document.getElementById("v").textContent = r.result;
        }, function (err) { document.getElementById("v").textContent = String(err); });
      };
    },
    "/-/keygen": function () {
      content.innerHTML = "<h3>KeyGen Workload</h3><form id=f>Keys to generate (0: no limit) " +
        "<input id=num type=number value=0 min=0> Seconds to run (0: no limit) <input id=secs type=number value=0 min=0>" +
        "<button id=on>Start</button><button id=off type=button>Stop</button></form><div id=v></div>";
      document.getElementById("f").onsubmit = function (e) {
        e.preventDefault();
        api("/keygen/api", { method: "PUT", body: JSON.stringify({ enable: true,
          numToGen: Number(document.getElementById("num").value), timeToRun: Number(document.getElementById("secs").value) }) });
      };
      document.getElementById("off").onclick = function () {
        api("/keygen/api", { method: "PUT", body: JSON.stringify({ enable: false }) });
      };
      every(2000, function () {
        api("/keygen/api").then(function (s) {
          document.getElementById("v").innerHTML = "<h4>Config</h4><pre>" + esc(JSON.stringify(s.config, null, 2)) +
            "</pre><h4>History</h4><pre>" + esc(s.history.slice().reverse().join("\\n") || "(nothing yet)") + "</pre>";
        });
      });
    },
    "/-/memq": function () {
      content.innerHTML = "<h3>MemQ Server</h3><p>API on <code>" + esc(base) + "/memq/server</code>: " +
        "PUT queues/NAME, POST queues/NAME/enqueue, POST queues/NAME/dequeue, POST queues/NAME/drain, GET stats.</p><div id=v></div>";
      every(2000, function () {
        api("/memq/server/stats").then(function (s) {
          document.getElementById("v").innerHTML = s.queues.length === 0 ? "<p>No queues.</p>" :
            table(s.queues.map(function (q) { return [q.name, q.depth, q.enqueued, q.dequeued, q.drained]; }),
              ["Name", "Depth", "Enqueued", "Dequeued", "Drained"]);
        });
      });
    }
  };
  function probe(title, path) {
    return function () {
      content.innerHTML = "<h3>" + title + "</h3><p>Probe is being served on <a href='" + base + path + "'>" + path +
        "</a></p><p id=desc></p><p class=small><a class=failn data-n=0 href='#'>Succeed</a> | " +
        "<a class=failn data-n=-1 href='#'>Fail</a> | Fail for next N calls: " +
        [1, 2, 3, 5, 10].map(function (n) { return "<a class=failn data-n=" + n + " href='#'>" + n + "</a>"; }).join(" ") +
        "</p><div id=v></div>";
      Array.prototype.forEach.call(content.querySelectorAll(".failn"), function (a) {
        a.onclick = function (e) {
          e.preventDefault();
          api(path + "/api", { method: "PUT", body: JSON.stringify({ failNext: Number(a.dataset.n) }) }).then(show);
        };
      });
      function show(s) {
        document.getElementById("desc").textContent = s.failNext === 0 ? "Probe will permanently succeed" :
          s.failNext > 0 ? "Probe will fail for next " + s.failNext + " calls" : "Probe will permanently fail";
        document.getElementById("v").innerHTML = s.history.length === 0 ? "<p>No recorded probe history</p>" :
          table(s.history.map(function (h) { return [h.id, h.when, h.relWhen, h.code]; }), ["ID", "When", "", "Status"]);
      }
      every(1000, function () { api(path + "/api").then(show); });
    };
  }
  views["/-/liveness"] = probe("Liveness Probe", "/healthy");
  views["/-/readiness"] = probe("Readiness Probe", "/ready");
  function route() {
    if (timer) clearInterval(timer);
    timer = null;
    var path = location.pathname.slice(base.length) || "/";
    var view = views[path] || views["/"];
    Array.prototype.forEach.call(document.querySelectorAll(".nav a[data-path]"), function (a) {
      a.className = a.dataset.path === path ? "active" : "";
    });
    view();
  }
  Array.prototype.forEach.call(document.querySelectorAll(".nav a[data-path]"), function (a) {
    a.onclick = function (e) {
      e.preventDefault();
      history.pushState(null, "", base + a.dataset.path);
      route();
    };
  });
  window.onpopstate = route;
  route();
})();
`;

export function renderPage(ctx: PageContext): string {
  // JSON inside a script element: "<" escaped so that no header value can close the element.
  const json = JSON.stringify(ctx).replace(/</g, "\\u003c");
  const nav = tabs
    .map((t) => `<a href="${escapeHtml(ctx.urlBase + t.path)}" data-path="${t.path}">${t.title}</a>`)
    .join("\n");
  const addrs = ctx.addrs.map((a) => `<span>${escapeHtml(a)}</span>`).join(" ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>KUAR Demo</title>
<style>${style}</style>
<script>var pageContext = ${json};</script>
</head>
<body>
<div class="top">
<div class="warning"><b>WARNING:</b> This server may expose sensitive and secret information. Be careful.</div>
<h2><samp>${escapeHtml(ctx.hostname)}</samp></h2>
<div>Demo application version <span class="version" style="background: ${escapeHtml(ctx.versionColor)}">${escapeHtml(ctx.version)}</span></div>
<div>Serving on ${addrs}</div>
<div class="layout">
<div class="nav">
${nav}
<a href="${escapeHtml(ctx.urlBase)}/fs/">File system browser</a>
</div>
<div class="content" id="content"><h3>Request Details</h3><pre>${escapeHtml(ctx.requestDump)}</pre></div>
</div>
</div>
<script>${script}</script>
</body>
</html>
`;
}
