// The in-browser viewer: PDFs through PDF.js (Debian's libjs-pdf, served from
// the binary), one page at a time with its text layer, the query's words
// highlighted; images as images; anything else offers the download.
import { t } from "./i18n.js";
import { foldChar, queryWords } from "./api.js";
import { el } from "./ui.js";

let pdfjs = null;
function loadPdfJs() {
  if (pdfjs) return pdfjs;
  pdfjs = new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = "/app/pdf.js";
    s.onload = () => {
      window.pdfjsLib.GlobalWorkerOptions.workerSrc = "/app/pdf.worker.js";
      resolve(window.pdfjsLib);
    };
    s.onerror = () => { pdfjs = null; reject(new Error("pdf.js")); };
    document.head.append(s);
  });
  return pdfjs;
}

// Wraps each run of a query word inside one text-layer span in <span class=hl>.
function highlight(span, words) {
  const text = span.textContent;
  const chars = Array.from(text);
  let folded = "";
  const at = [];  // folded index -> source char index
  chars.forEach((c, i) => { const f = foldChar(c); for (let k = 0; k < f.length; k++) at.push(i); folded += f; });
  const marks = [];
  for (const w of words) {
    for (let i = folded.indexOf(w); i >= 0; i = folded.indexOf(w, i + w.length)) {
      const before = i === 0 ? "" : folded[i - 1], after = folded[i + w.length] || "";
      if (/[\p{L}\p{N}]/u.test(before) || /[\p{L}\p{N}]/u.test(after)) continue;  // whole words only
      marks.push([at[i], at[i + w.length - 1] + 1]);
    }
  }
  if (!marks.length) return 0;
  marks.sort((a, b) => a[0] - b[0]);
  span.textContent = "";
  let pos = 0;
  for (const [from, to] of marks) {
    if (from < pos) continue;
    span.append(chars.slice(pos, from).join(""), el("span", { class: "hl" }, chars.slice(from, to).join("")));
    pos = to;
  }
  span.append(chars.slice(pos).join(""));
  return marks.length;
}

function pager(box, label) {
  const bar = el("div", { class: "bar" });
  const prev = el("button", { type: "button", class: "secondary", "aria-label": t("viewer.prev") }, "‹");
  const next = el("button", { type: "button", class: "secondary", "aria-label": t("viewer.next") }, "›");
  const input = el("input", { type: "number", min: "1", "aria-label": t("viewer.page") });
  const of = el("span", { class: "muted" }, label);
  bar.append(prev, input, of, next);
  box.append(bar);
  return { prev, next, input, of };
}

// Files a browser cannot show (office documents, HTML): their extracted
// text, a page at a time, with the query's words marked.
function textViewer(box, { textUrl, page, pageCount, q }) {
  if (!textUrl) { box.append(el("p", { class: "status" }, t("viewer.none"))); return { show() {} }; }
  const count = Math.max(1, pageCount || 1);
  const controls = pager(box, t("viewer.of", { n: count }));
  const note = el("p", { class: "muted" }, t("viewer.text_only"));
  const pre = el("pre", { class: "text-view", tabindex: "0" });
  box.append(note, pre);
  const words = queryWords(q);
  let current = page;
  async function show(n) {
    current = Math.min(Math.max(1, n), count);
    controls.input.value = String(current);
    box.dataset.page = String(current);
    try {
      const r = await fetch(textUrl + "?page=" + current, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!r.ok) throw new Error(String(r.status));
      pre.textContent = (await r.json()).text;
      box.dataset.highlights = String(highlight(pre, words));
    } catch (e) {
      pre.textContent = t("viewer.failed", { reason: e.message });
    }
  }
  controls.prev.addEventListener("click", () => show(current - 1));
  controls.next.addEventListener("click", () => show(current + 1));
  controls.input.addEventListener("change", () => show(parseInt(controls.input.value, 10) || 1));
  show(current);
  return { show };
}

// Shows `url` (a record's file) in `box`; returns { show(page) } for the page list.
export function openViewer(box, { url, textUrl, mediaType, page = 1, pageCount = 0, q = "" }) {
  box.replaceChildren();
  box.className = "viewer";
  if (mediaType && mediaType.startsWith("image/")) {
    box.append(el("img", { src: url, alt: "" }));
    return { show() {} };
  }
  if (mediaType && mediaType.startsWith("text/plain")) {
    const pre = el("pre", { class: "text-view", tabindex: "0" });
    box.append(pre);
    fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
      .then((text) => {
        pre.textContent = text.length > 2000000 ? text.slice(0, 2000000) + "\n…" : text;
        box.dataset.highlights = String(highlight(pre, queryWords(q)));
      })
      .catch((e) => box.append(el("p", { class: "status" }, t("viewer.failed", { reason: e.message }))));
    return { show() {} };
  }
  if (mediaType !== "application/pdf") return textViewer(box, { textUrl, page, pageCount, q });
  const { prev, next, input, of } = pager(box, "");
  input.value = String(page);
  const status = el("p", { class: "status", role: "status" }, t("viewer.loading"));
  const wrap = el("div", { class: "page-wrap" });
  box.append(status, wrap);
  const words = queryWords(q);
  let doc = null, current = page, rendering = Promise.resolve();

  async function render(n) {
    if (!doc) { current = n; return; }  // shown once the document is open
    current = Math.min(Math.max(1, n), doc.numPages);
    input.value = String(current);
    box.dataset.page = String(current);
    const p = await doc.getPage(current);
    const width = Math.max(280, wrap.parentElement.clientWidth - 2);
    const base = p.getViewport({ scale: 1 });
    const viewport = p.getViewport({ scale: width / base.width });
    const ratio = window.devicePixelRatio || 1;
    const canvas = el("canvas");
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    const layer = el("div", { class: "textLayer" });
    wrap.style.width = viewport.width + "px";
    wrap.style.maxWidth = "100%";
    wrap.replaceChildren(canvas, layer);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    await p.render({ canvasContext: ctx, viewport }).promise;
    const textDivs = [];
    const textContent = await p.getTextContent();
    await pdfjs.then((lib) => lib.renderTextLayer({ textContent, container: layer, viewport, textDivs }).promise);
    let found = 0;
    for (const span of textDivs) found += highlight(span, words);
    box.dataset.highlights = String(found);
  }
  const fail = (e) => { status.hidden = false; status.textContent = t("viewer.failed", { reason: e.message }); };
  const show = (n) => (rendering = rendering.then(() => render(n)).catch(fail));
  prev.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", () => show(current + 1));
  input.addEventListener("change", () => show(parseInt(input.value, 10) || 1));

  loadPdfJs()
    .then((lib) => lib.getDocument({ url, withCredentials: true }).promise)
    .then((d) => {
      doc = d;
      of.textContent = t("viewer.of", { n: d.numPages || pageCount });
      status.hidden = true;
      show(current);
    })
    .catch(fail);
  return { show };
}
