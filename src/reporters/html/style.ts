/**
 * The HTML report's one stylesheet, inlined (its hash is in the page's Content-Security-Policy).
 * Light and dark schemes follow `prefers-color-scheme`; every verdict has a colour and, besides
 * it, an icon in text and a fill pattern in the charts, so colour is never the only signal.
 */
export const REPORT_STYLE = String.raw`
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa; --focus: #0969da;
  --healthy: #1a7f37; --warning: #9a6700; --broken: #cf222e; --transient: #0969da; --blocked: #8250df;
  --inflight: #0969da; --baseline: #6e7781;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23; --focus: #4493f8;
    --healthy: #3fb950; --warning: #d29922; --broken: #f85149; --transient: #58a6ff; --blocked: #bc8cff;
    --inflight: #4493f8; --baseline: #9198a1;
  }
}
* { box-sizing: border-box; }
/* The scroll bar always shows, so the charts' width, measured before the lists fill the page, stays right. */
html { background: var(--bg); color: var(--fg); overflow-y: scroll; }
body { margin: 0 auto; max-width: 1280px; padding: 0 16px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 22px; margin: 20px 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 6px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
.skip { position: absolute; left: -9999px; }
.skip:focus { position: static; }
:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
a { color: var(--focus); }
.url { user-select: all; overflow-wrap: anywhere; word-break: break-all; }
.v-healthy { --v: var(--healthy); } .v-warning { --v: var(--warning); } .v-broken { --v: var(--broken); }
.v-transient { --v: var(--transient); } .v-blocked { --v: var(--blocked); }
.verdict { color: var(--v); font-weight: 600; white-space: nowrap; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; padding: 0; margin: 12px 0; }
.counts li { border: 1px solid var(--line); border-left: 4px solid var(--v, var(--muted)); border-radius: 6px; padding: 6px 12px; background: var(--panel); }
.counts .n { font-size: 20px; font-weight: 700; margin-right: 4px; }
.counts .icon { color: var(--v); margin-right: 4px; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 4px 16px; margin: 8px 0; }
.stats div { display: flex; flex-direction: column; }
.stats dt { color: var(--muted); font-size: 12px; }
.stats dd { margin: 0; font-weight: 600; }
.options { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 8px 0; padding: 0; }
.options div { white-space: nowrap; }
.options dt { display: inline; color: var(--muted); }
.options dd { display: inline; margin: 0 0 0 4px; }
.note { border-left: 4px solid var(--muted); background: var(--panel); padding: 6px 10px; margin: 8px 0; }
.note.alert { border-left-color: var(--broken); }
nav ul { display: flex; gap: 16px; list-style: none; padding: 0; margin: 12px 0; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin: 8px 0; }
button, select, input { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 3px 8px; }
button { cursor: pointer; }
button[aria-pressed="true"] { background: var(--panel); border-color: var(--fg); font-weight: 600; }
.group { margin: 10px 0 14px; }
.group > h4 { margin: 0 0 4px; font-size: 14px; }
.items { list-style: none; margin: 0; padding: 0; }
/* Off-screen failures skip layout until scrolled to (the page opens fast with thousands), yet stay focusable. */
.item { content-visibility: auto; contain-intrinsic-size: auto 72px; }
.item { border: 1px solid var(--line); border-left: 4px solid var(--v); border-radius: 6px; padding: 6px 10px; margin: 4px 0; background: var(--bg); }
.item:focus { background: var(--panel); }
.item .head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
.item .msg { margin-top: 2px; overflow-wrap: anywhere; }
.item .where { color: var(--muted); font-size: 12.5px; }
.chain { margin: 2px 0 0; padding-left: 20px; font-size: 12.5px; }
.badge { border: 1px solid var(--v, var(--fg)); color: var(--v, var(--fg)); border-radius: 10px; padding: 0 6px; font-size: 11.5px; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; padding: 0; margin: 6px 0; font-size: 12.5px; }
.legend svg { vertical-align: -2px; margin-right: 4px; }
.chart { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); }
.chart svg { display: block; }
svg text { fill: var(--muted); font-size: 11px; }
svg .axis line, svg .grid { stroke: var(--line); }
svg .limit { stroke: var(--muted); stroke-dasharray: 4 3; }
svg .area { fill: var(--inflight); fill-opacity: 0.35; stroke: var(--inflight); stroke-width: 1; }
svg .end-marker { stroke: var(--fg); stroke-dasharray: 2 2; }
.fill-healthy { fill: var(--healthy); } .fill-warning { fill: var(--warning); } .fill-broken { fill: var(--broken); }
.fill-transient { fill: var(--transient); } .fill-blocked { fill: var(--blocked); }
.fill-baseline { fill: var(--baseline); }
.phase { pointer-events: none; }
/* Phases lighten the bar's own colour by steps (DNS most, first byte least), so the verdict still reads through them. */
.ph-dns { fill: var(--bg); fill-opacity: 0.8; } .ph-connect { fill: var(--bg); fill-opacity: 0.6; }
.ph-tls { fill: var(--bg); fill-opacity: 0.4; } .ph-firstbyte { fill: var(--bg); fill-opacity: 0.2; }
.hatch-line { stroke: var(--bg); stroke-width: 1.5; fill: none; }
.hatch-line.dots { stroke-width: 2.2; stroke-linecap: round; }
.estimated { fill: none; stroke: var(--baseline); stroke-dasharray: 4 3; }
[data-bar], [data-baseline] { cursor: default; }
[data-bar]:focus, [data-baseline]:focus { outline: none; }
[data-bar]:focus > rect:first-child, [data-baseline]:focus > rect:first-child, [data-bar]:hover > rect:first-child { stroke: var(--fg); stroke-width: 2; }
#tip { position: absolute; z-index: 10; max-width: 520px; background: var(--panel); color: var(--fg); border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25); pointer-events: none; font-size: 12.5px; }
#tip .url { user-select: text; }
#histogram .bar { fill: var(--inflight); fill-opacity: 0.7; }
#histogram .marker { stroke: var(--fg); stroke-dasharray: 3 2; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { position: sticky; top: 0; background: var(--panel); font-size: 12.5px; }
th button { border: none; background: none; padding: 0; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
#slowest { padding-left: 28px; }
#slowest li { margin: 2px 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
footer { margin-top: 40px; color: var(--muted); font-size: 12.5px; }
`;
