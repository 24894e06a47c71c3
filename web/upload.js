// Upload: many files and folders by drag and drop or choosers, one metadata
// form for them all, each file sent resumably (tus 1.0: POST creates the
// upload, PATCH sends chunks of at most 8 MiB, HEAD says how much arrived) and
// reported in the reader's language. The server applies kho import's rules.
import { t, valueName } from "./i18n.js";
import { ApiError, answer, errorText, query } from "./api.js";
import { el, session } from "./ui.js";

const CHUNK = 8 << 20;
const TUS = { "Tus-Resumable": "1.0.0" };

// Where an interrupted upload of the same file resumes (kept in this browser).
const resumeKey = (file, meta) => "kho.upload:" + [file.name, file.size, file.lastModified, meta].join("|");

// Also how the record page sends a new version (params.version_of).
export async function sendFile(file, params, progress) {
  const meta = query(Object.assign({ filename: file.name }, params));
  const key = resumeKey(file, meta);
  let url = localStorage.getItem(key), offset = 0;
  if (url) {
    const head = await fetch(url, { method: "HEAD", headers: TUS }).catch(() => null);
    if (head && head.ok) offset = Number(head.headers.get("Upload-Offset") || 0);
    else url = null;
  }
  if (!url) {
    const created = await answer(await fetch("/api/v1/uploads?" + meta, { method: "POST", headers: Object.assign({ "Upload-Length": String(file.size) }, TUS) })
      .catch(() => { throw new ApiError(0, "network", ""); }));
    url = "/api/v1/uploads/" + encodeURIComponent(created.id);
    localStorage.setItem(key, url);
  }
  for (let tries = 0; ;) {
    progress(offset / file.size);
    const last = offset + CHUNK >= file.size;
    let res;
    try {
      res = await fetch(url, { method: "PATCH", body: file.slice(offset, offset + CHUNK),
        headers: Object.assign({ "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) }, TUS) });
    } catch (_) {
      if (++tries > 5) throw new ApiError(0, "network", "");
      await new Promise((r) => setTimeout(r, 1000 * tries));
      const head = await fetch(url, { method: "HEAD", headers: TUS }).catch(() => null);
      if (head && head.ok) offset = Number(head.headers.get("Upload-Offset") || offset);
      continue;
    }
    if (last && res.status !== 204) {
      localStorage.removeItem(key);
      return answer(res);
    }
    if (!res.ok) { localStorage.removeItem(key); return answer(res); }
    offset = Number(res.headers.get("Upload-Offset") || offset + CHUNK);
    if (offset >= file.size) return {};
  }
}

// Files of a dropped folder, depth first (webkitGetAsEntry).
async function entries(entry, out) {
  if (entry.isFile) {
    out.push(await new Promise((resolve, reject) => entry.file(resolve, reject)));
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const e of batch) await entries(e, out);
    }
  }
}

function report(li, body) {
  const status = li.querySelector(".state");
  if (body.imported) {
    status.textContent = t("upload.archive", { imported: body.imported.length, duplicates: body.duplicates.length, failed: body.failed.length });
    const ul = el("ul", { class: "pages" });
    for (const x of body.imported) ul.append(el("li", {}, el("a", { href: "#/r/" + x.id }, x.path)));
    for (const x of body.duplicates) ul.append(el("li", {}, el("a", { href: "#/r/" + x.id }, x.path), " — " + t("upload.duplicate")));
    for (const x of body.failed) ul.append(el("li", { class: "error" }, x.path));
    li.append(ul);
    return;
  }
  status.className = "state ok";
  status.replaceChildren((body.duplicate ? t("upload.duplicate") : t("upload.added")) + ": ",
    el("a", { href: "#/r/" + body.id }, (body.dc && body.dc.title) || "#" + body.id));
}

export function uploadView(main) {
  main.append(el("h1", {}, t("upload.title")));
  if (!session.account) {
    main.append(el("p", {}, t("upload.need_signin") + " ", el("a", { href: "#/login?next=" + encodeURIComponent("#/upload") }, t("signin"))));
    return;
  }
  const files = [];
  const queue = el("ul", { class: "queue", id: "queue" });
  const pickFiles = el("input", { type: "file", id: "pick-files", multiple: true });
  const pickFolder = el("input", { type: "file", id: "pick-folder", webkitdirectory: true, multiple: true });
  const drop = el("div", { class: "drop", id: "drop" }, el("p", {}, t("upload.drop")), el("p", { class: "muted" }, t("upload.or")),
    el("div", { class: "bar" }, el("label", { for: "pick-files" }, t("upload.files") + " ", pickFiles), el("label", { for: "pick-folder" }, t("upload.folder") + " ", pickFolder)));
  const kind = el("select", { id: "up-kind" }, el("option", { value: "" }, "—"), ...["book", "lesson-plan", "admin-doc", "diploma", "other"].map((k) => el("option", { value: k }, valueName("kind", k))));
  const visibility = el("select", { id: "up-visibility" }, ...["private", "school", "shared", "public"].map((v) => el("option", { value: v }, valueName("visibility", v))));
  const school = el("input", { id: "up-school", value: session.home || "" });
  const fields = Object.fromEntries(["title", "creator", "subject", "date", "language"].map((f) => [f, el("input", { id: "up-" + f })]));
  const start = el("button", { type: "submit", id: "up-start" }, t("upload.start"));
  const form = el("form", { class: "stack", id: "upload" },
    el("fieldset", {}, el("legend", {}, t("upload.meta")),
      el("label", { for: "up-kind" }, t("field.kind"), kind), el("label", { for: "up-visibility" }, t("field.visibility"), visibility),
      el("label", { for: "up-school" }, t("field.school"), school),
      ...Object.entries(fields).map(([f, input]) => el("label", { for: input.id }, t("field." + f), input))),
    el("p", { class: "muted" }, t("upload.limits")), el("div", {}, start));
  main.append(drop, queue, form);

  function add(list) {
    for (const file of list) {
      const bar = el("progress", { max: "1", value: "0", "aria-label": file.name });
      const li = el("li", {}, el("div", {}, file.webkitRelativePath || file.name), bar, el("div", { class: "state muted" }, t("upload.queued")));
      files.push({ file, li, bar, done: false });
      queue.append(li);
    }
  }
  pickFiles.addEventListener("change", () => add(pickFiles.files));
  pickFolder.addEventListener("change", () => add(pickFolder.files));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const out = [];
    const items = Array.from(e.dataTransfer.items || []).map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
    if (items.length) for (const entry of items) await entries(entry, out);
    else out.push(...e.dataTransfer.files);
    add(out);
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const params = { kind: kind.value, visibility: visibility.value, school: school.value.trim() };
    for (const [f, input] of Object.entries(fields)) params[f] = input.value.trim();
    start.disabled = true;
    for (const item of files.filter((x) => !x.done)) {
      const state = item.li.querySelector(".state");
      try {
        const body = await sendFile(item.file, params, (fraction) => {
          item.bar.value = fraction;
          state.textContent = fraction < 1 ? t("upload.sending", { pct: Math.floor(fraction * 100) }) : t("upload.importing");
        });
        item.bar.value = 1;
        item.done = true;
        report(item.li, body);
      } catch (err) {
        state.className = "state error";
        state.textContent = t("upload.failed", { reason: errorText(err) });
      }
    }
    start.disabled = false;
  });
}
