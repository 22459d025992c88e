package app

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/leadbell/leadbell/store"
)

// ErrRestart is what Desktop returns when the user chose to start fresh
// after a damaged data file: the damaged file is kept aside, and the
// caller starts Leadbell again.
var ErrRestart = errors.New("app: the damaged data file is kept aside; Leadbell starts again")

// damagedPage is what the window shows instead of the inbox when the data
// file is damaged: what happened, in a salesperson's words, and the choice
// to start fresh (the file is kept aside, never deleted) or to quit. done
// is called once the user chose; fresh says the file is aside.
func damagedPage(path string, done func(fresh bool)) http.Handler {
	var once sync.Once
	finish := func(fresh bool) { once.Do(func() { done(fresh) }) }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		raw := make([]byte, 16)
		_, _ = rand.Read(raw)
		nonce := base64.StdEncoding.EncodeToString(raw)
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+nonce+"'; script-src 'nonce-"+nonce+"'; connect-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = damagedTmpl.Execute(w, struct{ Path, Nonce string }{path, nonce})
	})
	mux.HandleFunc("POST /start-fresh", func(w http.ResponseWriter, r *http.Request) {
		if _, err := store.MoveAside(path, time.Now()); err != nil {
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte("Leadbell could not set the damaged file aside. Close any other Leadbell and try again, or move the file yourself."))
			return
		}
		w.WriteHeader(http.StatusNoContent)
		go finish(true)
	})
	mux.HandleFunc("POST /quit", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		go finish(false)
	})
	return mux
}

var damagedTmpl = template.Must(template.New("damaged").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leadbell</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="{{.Nonce}}">
:root { color-scheme: light dark; --bg:#f7f8fa; --card:#fff; --text:#1d2330; --muted:#5b6474; --line:#e3e6eb; --accent:#3358d4; }
@media (prefers-color-scheme: dark) { :root { --bg:#14171c; --card:#1c2027; --text:#e7e9ee; --muted:#9aa3b2; --line:#2c313a; --accent:#7c9cff; } }
* { box-sizing: border-box; }
body { margin:0; min-height:100vh; display:grid; place-items:center; background:var(--bg); color:var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif; }
main { max-width: 34rem; margin: 2rem; padding: 2rem 2.25rem; background:var(--card); border:1px solid var(--line); border-radius: 12px; }
h1 { font-size: 1.35rem; margin: 0 0 .75rem; }
p { margin: 0 0 .9rem; }
.muted { color: var(--muted); font-size: .9rem; }
code { font-size: .85rem; overflow-wrap: anywhere; }
.actions { display:flex; gap:.75rem; margin-top: 1.5rem; flex-wrap: wrap; }
button { font: inherit; padding: .55rem 1.1rem; border-radius: 8px; border:1px solid var(--line); background:var(--card); color:var(--text); cursor:pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button:disabled { opacity: .6; cursor: default; }
#said { min-height: 1.5em; margin-top: 1rem; }
</style></head>
<body><main>
<h1>Leadbell can’t open your saved replies</h1>
<p>The file where Leadbell keeps your replies is damaged, so Leadbell can’t read it. This can happen after a disk problem or when the computer loses power.</p>
<p>Nothing has been deleted. If you start fresh, Leadbell puts the damaged file aside, where it can be recovered later, and opens with an empty inbox. Your replies are still in SmartLead.</p>
<p class="muted">The damaged file: <code id="path">{{.Path}}</code></p>
<div class="actions">
<button class="primary" id="fresh" type="button">Start fresh</button>
<button id="quit" type="button">Quit</button>
</div>
<p id="said" role="status" aria-live="polite"></p>
</main>
<script nonce="{{.Nonce}}">
const said = document.getElementById("said");
const buttons = document.querySelectorAll("button");
async function choose(path, saying) {
  buttons.forEach(b => b.disabled = true);
  said.textContent = saying;
  try {
    const r = await fetch(path, { method: "POST" });
    if (r.ok) return;
    said.textContent = await r.text();
  } catch (e) {
    said.textContent = "Leadbell could not do that. Try again.";
  }
  buttons.forEach(b => b.disabled = false);
}
document.getElementById("fresh").addEventListener("click", () => choose("/start-fresh", "Starting with an empty inbox…"));
document.getElementById("quit").addEventListener("click", () => choose("/quit", "Closing…"));
</script>
</body></html>
`))
