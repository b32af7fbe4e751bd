// The guestbook frontend's page (gcr.io/google_samples/gb-frontend:v3): a list of messages kept in Redis
// under one key, comma-separated, read through guestbook.php?cmd=get and written with cmd=set.
export const guestbookPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta content="width=device-width" name="viewport">
<title>Guestbook</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 40em; }
h2 { font-weight: 300; }
input[type=text] { width: 70%; padding: 0.4em; }
#guestbook-entries p { border-bottom: 1px solid #ddd; padding: 0.4em 0; margin: 0; }
</style>
</head>
<body>
<div id="header"><h2>Guestbook</h2></div>
<form id="guestbook-form">
  <input type="text" id="guestbook-entry" placeholder="Messages">
  <button type="submit">Submit</button>
</form>
<div id="guestbook-entries"></div>
<script>
const entries = document.getElementById("guestbook-entries");
let messages = [];
function show() {
  entries.replaceChildren(...messages.filter((m) => m !== "").map((m) => {
    const p = document.createElement("p");
    p.textContent = m;
    return p;
  }));
}
async function load() {
  const r = await fetch("guestbook.php?cmd=get&key=messages");
  const data = (await r.json()).data || "";
  messages = data === "" ? [] : data.split(",");
  show();
}
document.getElementById("guestbook-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = document.getElementById("guestbook-entry");
  messages.push(input.value);
  input.value = "";
  const value = encodeURIComponent(messages.join(","));
  await fetch("guestbook.php?cmd=set&key=messages&value=" + value);
  show();
});
load();
</script>
</body>
</html>
`;
