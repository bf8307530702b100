const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white']

/** anser's class names for the 16 colours, mapped to the theme's palette (readable in both). */
const ANSI_COLOURS = NAMES.flatMap((name, i) => [
  `.ansi-${name}-fg { color: var(--ansi-${i}); } .ansi-${name}-bg { background: var(--ansi-${i}); }`,
  `.ansi-bright-${name}-fg { color: var(--ansi-${i + 8}); } .ansi-bright-${name}-bg { background: var(--ansi-${i + 8}); }`,
]).join('\n')

/** The page's style sheet (served as /assets/logs.css: the page allows no inline style). */
export const STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1b1b; --muted: #666; --line: #e4e4e4;
  --error: #b00020; --warn: #8a5a00; --info: #1b5e9b; --debug: #777; --mark: #fff3a0; --sel: #dbe9ff;
  --note: #fff4d6;
  --ansi-0: #000; --ansi-1: #b00; --ansi-2: #080; --ansi-3: #870; --ansi-4: #22b; --ansi-5: #a0a;
  --ansi-6: #088; --ansi-7: #888; --ansi-8: #555; --ansi-9: #d33; --ansi-10: #2a2; --ansi-11: #a80;
  --ansi-12: #44d; --ansi-13: #c3c; --ansi-14: #2aa; --ansi-15: #333; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111; --fg: #ddd; --muted: #999; --line: #2a2a2a; --error: #ff6b6b; --warn: #f0b429;
    --info: #6cb6ff; --debug: #888; --mark: #4a4000; --sel: #1d3357; --note: #3a3000;
    --ansi-0: #555; --ansi-1: #f55; --ansi-2: #5d5; --ansi-3: #dd5; --ansi-4: #68f; --ansi-5: #e6e;
    --ansi-6: #5dd; --ansi-7: #ccc; --ansi-8: #888; --ansi-9: #f77; --ansi-10: #7f7; --ansi-11: #ff7;
    --ansi-12: #8af; --ansi-13: #f8f; --ansi-14: #7ff; --ansi-15: #fff; }
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--fg);
  font: 14px/1.4 system-ui, sans-serif; }
body { display: flex; flex-direction: column; }
header { display: flex; flex-wrap: wrap; gap: .6em; align-items: center; padding: .4em .8em;
  border-bottom: 1px solid var(--line); }
header input[type=search] { min-width: 14em; }
.connection, .sources { color: var(--muted); }
.connection[data-state=live] { color: var(--info); }
.sources { padding: 0 .8em; font-size: 12px; }
.sign-out { margin-left: auto; }
.dropped { padding: .2em .8em; background: var(--note); color: var(--muted); font-style: italic; }
.lines { flex: 1; min-height: 0; overflow: auto; position: relative; font: 13px/18px ui-monospace, monospace; }
.spacer { position: relative; min-width: 100%; width: max-content; overflow-y: clip; }
/* Rows below the last one never grow the scroll height: the end stays where the spacer ends. */
.rows { position: absolute; top: 0; left: 0; min-width: 100%; }
.row { height: 18px; white-space: pre; padding: 0 .8em; cursor: default; }
.row .label, .row .time { margin-right: .8em; }
.row .time { color: var(--muted); }
.lines.wrap .spacer { width: auto; }
.lines.wrap .row { padding: 0 1ch; overflow: hidden; }
.lines.wrap .gutter { display: inline-block; width: var(--gutter); overflow: hidden;
  text-overflow: ellipsis; vertical-align: top; }
.lines.wrap .gutter .label { margin-right: 1ch; }
.lines.wrap .gutter .time { margin-right: 0; }
.probe { position: absolute; visibility: hidden; white-space: pre; }
.row.gap, .row.status { background: var(--note); color: var(--muted); font-style: italic; }
.row.match { background: var(--mark); }
.row.selected { background: var(--sel); }
.level-error { color: var(--error); } .level-warn { color: var(--warn); }
.level-info { color: var(--info); } .level-debug { color: var(--debug); }
.src-0 { color: #2a7; } .src-1 { color: #a5c; } .src-2 { color: #c72; } .src-3 { color: #27c; }
.src-4 { color: #c37; } .src-5 { color: #7a2; }
.detail { border-top: 1px solid var(--line); padding: .4em .8em; max-height: 40vh; overflow: auto; }
.detail pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .4em 0 0; }
.ansi-bold { font-weight: bold; } .ansi-dim { opacity: .7; } .ansi-italic { font-style: italic; }
.ansi-underline { text-decoration: underline; } .ansi-strikethrough { text-decoration: line-through; }
.ansi-hidden { visibility: hidden; }
${ANSI_COLOURS}
body.login { align-items: center; justify-content: center; }
.login form { display: flex; flex-direction: column; gap: .8em; min-width: 18em; }
.login .error { color: var(--error); margin: 0; }
`
