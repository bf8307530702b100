/** The page's style sheet (served as /assets/logs.css: the page allows no inline style). */
export const STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1b1b; --muted: #666; --line: #eee;
  --error: #b00020; --warn: #8a5a00; --gap: #fff4d6; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111; --fg: #ddd; --muted: #999; --line: #222; --error: #ff6b6b; --warn: #f0b429; --gap: #3a3000; }
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--fg);
  font: 14px/1.4 system-ui, sans-serif; }
body { display: flex; flex-direction: column; }
header { display: flex; gap: 1em; align-items: center; padding: .4em .8em; border-bottom: 1px solid var(--line); }
.connection, .sources { color: var(--muted); }
.sign-out { margin-left: auto; }
.lines { flex: 1; overflow: auto; font: 13px/1.35 ui-monospace, monospace; padding: .2em .8em; }
.line { white-space: pre-wrap; overflow-wrap: anywhere; }
.line .label { color: var(--muted); margin-right: .6em; }
.gap, .status { background: var(--gap); color: var(--muted); font-style: italic; }
body.login { align-items: center; justify-content: center; }
.login form { display: flex; flex-direction: column; gap: .8em; min-width: 18em; }
.login .error { color: var(--error); margin: 0; }
`
