// Lưu trữ số: upload with drag-and-drop (files, folders, ZIPs) and live batch progress by polling.
// No framework, no inline script (the Content-Security-Policy forbids it); text is set with
// textContent only, so file names and messages can never inject markup.
"use strict";

function csrf() { return document.querySelector('meta[name="csrf-token"]').content; }

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

// --- New batch -------------------------------------------------------------------------------
function readEntry(entry, prefix, out) {
  return new Promise((resolve) => {
    if (entry.isFile) {
      entry.file((file) => { out.push({ file, path: prefix + file.name }); resolve(); }, () => resolve());
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      const all = [];
      const next = () => reader.readEntries((batch) => {
        if (!batch.length) {
          Promise.all(all.map((e) => readEntry(e, prefix + entry.name + "/", out))).then(resolve);
        } else { all.push(...batch); next(); }
      }, () => resolve());
      next();
    } else { resolve(); }
  });
}

function setupUpload(form) {
  const chosen = [];   // {file, path}
  const list = document.getElementById("selected");
  const count = document.getElementById("selected-count");
  const zone = document.getElementById("dropzone");
  const show = () => {
    list.replaceChildren(...chosen.slice(0, 500).map((c) => el("li", c.path)));
    count.textContent = String(chosen.length);
  };
  const addFiles = (files) => {
    for (const f of files) chosen.push({ file: f, path: f.webkitRelativePath || f.name });
    show();
  };
  for (const id of ["files", "folder"]) {
    const input = document.getElementById(id);
    input.addEventListener("change", () => { addFiles(input.files); input.value = ""; });
  }
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const entries = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
    if (entries.length) {
      const out = [];
      await Promise.all(entries.map((en) => readEntry(en, "", out)));
      chosen.push(...out);
      show();
    } else { addFiles(e.dataTransfer.files); }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData();
    for (const c of chosen) data.append("files", c.file, c.path);
    const catalogue = document.getElementById("catalogue").files[0];
    if (catalogue) data.append("catalogue", catalogue, catalogue.name);
    data.append("name", document.getElementById("batch-name").value);
    data.append("fonds", document.getElementById("fonds").value);
    const bar = document.getElementById("upload-progress");
    const error = document.getElementById("upload-error");
    const button = document.getElementById("submit-batch");
    const label = button.textContent;
    error.hidden = true;
    bar.hidden = false;
    button.disabled = true;
    button.textContent = form.dataset.uploading;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.api);
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (p) => { if (p.lengthComputable) bar.value = (100 * p.loaded) / p.total; });
    xhr.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = {}; }
      if (xhr.status === 201 && body.url) { window.location.assign(body.url); return; }
      error.textContent = (body.error && body.error.message) || xhr.statusText;
      error.hidden = false;
      button.disabled = false;
      button.textContent = label;
    });
    xhr.addEventListener("error", () => { error.hidden = false; error.textContent = "Mất kết nối tới máy chủ; hãy kiểm tra mạng rồi gửi lại. / The connection to the server was lost; check the network and submit again.";
      button.disabled = false; button.textContent = label; });
    xhr.send(data);
  });
}

// --- Batch detail: poll until the batch is finished ---------------------------------------
const FINISHED = ["completed", "completed_with_errors", "cancelled"];

function retryForm(section, ordinal) {
  const form = el("form", null, { method: "post", action: section.dataset.retry, class: "inline" });
  form.append(el("input", null, { type: "hidden", name: "csrf_token", value: csrf() }));
  form.append(el("input", null, { type: "hidden", name: "item", value: String(ordinal) }));
  form.append(el("button", section.dataset.labelRetry, { type: "submit" }));
  return form;
}

async function pollBatch(section) {
  const lang = section.dataset.lang;
  const mayAct = section.dataset.mayAct === "1";
  try {
    const [batch, items] = await Promise.all([
      fetch(section.dataset.batch, { headers: { Accept: "application/json" } }).then((r) => r.json()),
      fetch(section.dataset.items, { headers: { Accept: "application/json" } }).then((r) => r.json()),
    ]);
    const progress = document.getElementById("batch-progress");
    progress.max = batch.total || 1;
    progress.value = batch.done;
    const status = document.getElementById("batch-status");
    status.dataset.status = batch.status;
    const summary = section.dataset.summaryTemplate
      .replace("{done}", batch.done).replace("{total}", batch.total).replace("{archived}", batch.archived)
      .replace("{duplicates}", batch.duplicates).replace("{failed}", batch.failed).replace("{pages}", batch.pages_ocred);
    document.getElementById("batch-summary").textContent = summary;
    const rows = items.items.map((item) => {
      const tr = el("tr", null, { "data-state": item.state });
      tr.append(el("td", String(item.ordinal)), el("td", item.name, { class: "name" }),
                el("td", lang === "en" ? item.state_en : item.state_vi, { class: "state" }));
      const message = el("td", (lang === "en" ? item.message_en : item.message_vi) || "", { class: "message" });
      for (const f of item.flags || []) message.append(el("small", f[lang] || f.vi, { class: "flag" }));
      const actions = el("td", null, { class: "actions" });
      if (mayAct && item.downloadable) {
        actions.append(retryForm(section, item.ordinal), " ",
                       el("a", section.dataset.labelDownload, { href: section.dataset.original + item.ordinal + "/original" }));
      }
      tr.append(message, actions);
      return tr;
    });
    document.getElementById("items").replaceChildren(...rows);
    if (FINISHED.includes(batch.status) && batch.done >= batch.total) {
      if (!section.dataset.reloaded) { section.dataset.reloaded = "1"; window.location.reload(); }
      return;
    }
  } catch (_) { /* a missed poll is retried below */ }
  setTimeout(() => pollBatch(section), 1500);
}

// --- Dashboard: refresh the progress bars ------------------------------------------------
async function pollDashboard(box) {
  try {
    const data = await fetch(box.dataset.poll, { headers: { Accept: "application/json" } }).then((r) => r.json());
    const rows = data.in_progress.map((b) => {
      const p = el("p", null, { class: "bar" });
      const bar = el("progress", null, { max: String(b.total || 1), value: String(b.done) });
      p.append(el("span", b.name), bar, el("span", b.done + "/" + b.total));
      return p;
    });
    box.replaceChildren(...(rows.length ? rows : [el("p", box.dataset.empty)]));
  } catch (_) { /* try again at the next tick */ }
  setTimeout(() => pollDashboard(box), 3000);
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  if (form) setupUpload(form);
  const section = document.getElementById("batch");
  if (section && !FINISHED.includes(document.getElementById("batch-status").dataset.status)) pollBatch(section);
  const box = document.getElementById("in-progress");
  if (box) setTimeout(() => pollDashboard(box), 3000);
});
