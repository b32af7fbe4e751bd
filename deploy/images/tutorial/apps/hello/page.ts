// The "learn-kubernetes" hello app (tsouche/learn-kubernetes:part3 and :part3v2): a Flask app in the
// original, answering on / with a greeting for $NAME and the container's hostname.

export type HelloVersion = "1" | "2";

export function helloVersion(value: string | undefined): HelloVersion {
  return value === "2" ? "2" : "1";
}

/** The page, byte for byte as the original app.py and v2/appv2.py render it. */
export function helloPage(version: HelloVersion, name: string, hostname: string): string {
  const heading = version === "2" ? `Hello ${name}! - this is version 2` : `Hello ${name}!`;
  return `<h3>${heading}</h3><b>Hostname:</b> ${hostname}<br/>`;
}

/** Werkzeug's 404 page, for every path but /. */
export const notFoundPage =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  "<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";

/** A request line as Werkzeug logs it: `10.0.0.5 - - [23/Nov/2019 10:20:31] "GET / HTTP/1.1" 200 -`. */
export function werkzeugLogLine(remote: string, d: Date, requestLine: string, status: number): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  const when = `${p(d.getDate())}/${months[d.getMonth()]}/${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return `${remote} - - [${when}] "${requestLine}" ${status} -`;
}
