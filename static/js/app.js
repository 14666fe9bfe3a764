// Small progressive enhancements; every page works without this file.
"use strict";
const en = document.documentElement.lang === "en";

document.addEventListener("submit", (event) => {
  const form = event.target;
  // a handler of the form's own kept it here
  if (event.defaultPrevented) return;
  // Forms that change something important ask once before they go; a {name} in the question is
  // what the form's field of that name holds (the points typed for a deduction).
  const question = (form.getAttribute("data-confirm") || "").replace(/\{(\w+)\}/g, (whole, name) => {
    const field = form.elements.namedItem(name);
    return field && "value" in field ? field.value.trim() : whole;
  });
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // A second tap on a slow connection must not submit twice.
  for (const button of form.querySelectorAll("button[type=submit]")) {
    window.setTimeout(() => { button.disabled = true; }, 0);
  }
});

document.documentElement.classList.add("js");

// Item search on the finding form: typing narrows the list of deduction items.
for (const filter of document.querySelectorAll("[data-filter-select]")) {
  const select = document.getElementById(filter.getAttribute("data-filter-select"));
  if (!select) continue;
  filter.addEventListener("input", () => {
    const words = filter.value.trim().toLowerCase();
    for (const option of select.options) {
      if (!option.value) continue;
      option.hidden = words !== "" && !option.textContent.toLowerCase().includes(words);
    }
  });
}

// Drafts are saved on the server as the supervisor goes: a pause in typing sends the form. Every
// valid field is saved even when another is refused; a refused one is named beside it. A copy of
// what was typed stays in the browser until the server has all of it, so a reload, a lost
// connection or a closed tab loses nothing: the copy is put back when the page opens again. The
// copy is the signed-in user's own, and remembers the version of the draft it was typed over: it
// is put back by itself only onto that version; onto a newer one (saved from another phone, or
// by a colleague of the group) only when the user asks. Logging out forgets every copy, and so
// does a finding that is no longer a draft.
const DRAFTS = "xiaoneng.draft:";
const forgetDrafts = (which) => {
  try {
    for (const name of Object.keys(window.localStorage)) {
      if (name.startsWith(DRAFTS) && which(name)) window.localStorage.removeItem(name);
    }
  } catch (_) { /* storage off */ }
};
for (const form of document.querySelectorAll("form[action$='/logout']")) {
  form.addEventListener("submit", () => forgetDrafts(() => true));
}
for (const done of document.querySelectorAll("[data-draft-done]")) {
  const href = done.getAttribute("data-draft-done");
  forgetDrafts((name) => name.endsWith(":" + href));
}
let saveDraft = async () => true;
// whether the last save could not reach the server at all (then a reload could not either)
let draftOffline = false;
for (const form of document.querySelectorAll("form[data-autosave]")) {
  const status = form.querySelector("[data-autosave-status]");
  const key = DRAFTS + form.getAttribute("data-autosave-owner") + ":" + form.getAttribute("data-autosave");
  let version = form.getAttribute("data-autosave-version") || "";
  const say = (text) => { if (status) status.textContent = text; };
  const typed = (data = new FormData(form)) => JSON.stringify([...data]);
  // the copy: { v: the draft's version it was typed over, f: the fields as typed (JSON) }
  const copy = () => {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (_) { return null; }
  };
  const keep = () => {
    try { window.localStorage.setItem(key, JSON.stringify({ v: version, f: typed() })); } catch (_) { /* storage off or full */ }
  };
  const forget = (saved) => {
    try { const c = copy(); if (c && c.f === saved) window.localStorage.removeItem(key); } catch (_) { /* storage off */ }
  };
  // the server saved (all or part): the copy now stands over the version it holds
  const saved = (response) => {
    const now = response.headers.get("x-draft-version");
    if (!now) return;
    version = now;
    const c = copy();
    if (c) { try { window.localStorage.setItem(key, JSON.stringify({ v: version, f: c.f })); } catch (_) { /* storage off */ } }
  };
  // Each refused field's reason in red beside it (the server's own, on a page it rendered, too).
  const showErrors = (errors) => {
    for (const field of form.querySelectorAll("[name]")) {
      const next = field.nextElementSibling;
      let note = next && next.classList.contains("field-error") ? next : null;
      const text = errors[field.name];
      if (!text) {
        if (note) note.remove();
        field.removeAttribute("aria-invalid");
        continue;
      }
      if (!note) {
        note = document.createElement("p");
        note.className = "field-error";
        note.setAttribute("role", "alert");
        field.after(note);
      }
      note.textContent = text;
      field.setAttribute("aria-invalid", "true");
    }
  };
  let timer = null;
  let running = null;
  let restored = "";
  const later = (ms) => { window.clearTimeout(timer); timer = window.setTimeout(save, ms); };
  // Sends the fields; whether the server took every one of them.
  const send = async () => {
    const data = new FormData(form);
    const sent = typed(data);
    const before = restored;
    draftOffline = false;
    restored = "";
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: { "x-autosave": "1", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(data),
        credentials: "same-origin",
      });
      const type = response.headers.get("content-type") || "";
      saved(response);
      if (response.status === 204) {
        showErrors({});
        forget(sent);
        say(before + (en ? "Saved." : "已自动保存。"));
        return true;
      }
      if (response.status === 422 && type.startsWith("application/json")) {
        const answer = await response.json();
        showErrors(answer.errors || {});
        say(before + (en ? "The rest is saved; the fields marked in red are not: correct them." : "其余内容已保存；标红的内容有误，尚未保存，请修改。"));
        return false;
      }
      say(en ? "Not saved: press Save to see why (you may need to log in again)." : "未能自动保存：请点“保存草稿”查看原因（可能需要重新登录）。");
    } catch (_) {
      say(en ? "Offline: not saved yet, will retry." : "网络中断：尚未保存，稍后重试。");
      draftOffline = true;
      later(5000);
    }
    return false;
  };
  // One save at a time; a save asked for while one runs goes after it, with the fields as they are then.
  const save = async () => {
    window.clearTimeout(timer);
    while (running) await running;
    running = send();
    try { return await running; } finally { running = null; }
  };
  saveDraft = save;
  const typing = () => { keep(); later(1200); };
  form.addEventListener("input", typing);
  form.addEventListener("change", typing);
  const putBack = (fields) => {
    for (const [name, value] of JSON.parse(fields)) {
      const field = form.elements.namedItem(name);
      if (field && "value" in field) field.value = value;
    }
  };
  const kept = copy();
  if (kept && typeof kept.f === "string" && kept.f !== typed()) {
    try {
      if (kept.v === version) {
        putBack(kept.f);
        restored = en ? "Restored what was not saved yet. " : "已恢复尚未保存的内容。";
        say(restored);
        save();
      } else {
        // the draft changed elsewhere since: the user decides
        say(en ? "This phone kept an older copy of what was typed here. " : "本机保存有此前输入但未保存的内容（草稿已在别处更新）。");
        const back = document.createElement("button");
        back.type = "button";
        back.className = "link-button";
        back.textContent = en ? "Put it back" : "恢复本机内容";
        back.addEventListener("click", () => { putBack(kept.f); back.remove(); keep(); save(); });
        if (status) status.append(back);
      }
    } catch (_) { forget(kept.f); }
  } else if (kept && !form.querySelector(".field-error")) {
    forget(kept.f);
  }
}

// Evidence: a photo or video is listed the moment it is picked (a preview or its name, and its
// size) and sent at once, one request per file, with progress; a failed file stays listed with why
// and "Try again". Saving the draft or leaving the page while a file is still on its way asks first.
// Once every file is in, the draft is saved and the page reloads to show the stored files.
for (const form of document.querySelectorAll("form[data-upload]")) {
  const list = form.querySelector("[data-upload-list]");
  const inputs = [...form.querySelectorAll("input[type=file]")];
  let leaving = false;
  // the files not stored yet: on their way, or failed and waiting for another try
  const unsent = () => [...list.children].filter((row) => row.dataset.state === "sending" || row.dataset.state === "failed").length;
  const size = (bytes) => bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  const allIn = async () => {
    if (![...list.children].every((row) => row.dataset.state === "saved")) return;
    await saveDraft();
    // offline, the page could not load again: it stays, its copy of the fields kept
    if (!unsent() && !draftOffline) window.location.reload();
  };
  const send = (file, row) => {
    const bar = row.querySelector("progress");
    const note = row.querySelector(".upload-note");
    row.dataset.state = "sending";
    bar.value = 0;
    note.textContent = en ? "Uploading…" : "正在上传…";
    const data = new FormData();
    if (file.lastModified) data.append("taken_at_ms", String(file.lastModified));
    data.append("file", file, file.name);
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("x-upload", "1");
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = e.loaded / e.total;
    });
    const fail = (text) => {
      row.dataset.state = "failed";
      note.textContent = text;
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "link-button";
      retry.textContent = en ? "Try again" : "重试";
      retry.addEventListener("click", () => { retry.remove(); send(file, row); });
      row.append(retry);
    };
    request.addEventListener("load", () => {
      let answer = null;
      try { answer = JSON.parse(request.responseText); } catch (_) { /* not JSON */ }
      if (request.status === 200) {
        bar.value = 1;
        row.dataset.state = "saved";
        note.textContent = en ? "Saved." : "已保存。";
        allIn();
      } else if (answer && answer.refused && answer.refused.length) {
        // refused for what it is (its type, its size): sending it again would not help
        row.dataset.state = "refused";
        note.textContent = answer.refused.join(" ");
      } else {
        fail(en ? "Upload failed: this file was not saved." : "上传失败：此文件未保存。");
      }
    });
    request.addEventListener("error", () => fail(en ? "The connection dropped: this file was not saved." : "网络中断：此文件未保存。"));
    request.send(data);
  };
  const add = (files) => {
    for (const file of files) {
      const row = document.createElement("li");
      // a preview for the photos a browser draws (not HEIC); the name and size for the rest
      if (/^image\/(jpeg|png|webp)$/.test(file.type)) {
        const preview = document.createElement("img");
        preview.alt = "";
        preview.addEventListener("error", () => preview.remove());
        preview.src = URL.createObjectURL(file);
        row.append(preview);
      }
      const name = document.createElement("span");
      name.className = "upload-name";
      name.textContent = file.name;
      const bytes = document.createElement("span");
      bytes.className = "muted small";
      bytes.textContent = size(file.size);
      const bar = document.createElement("progress");
      bar.max = 1;
      const note = document.createElement("span");
      note.className = "upload-note";
      row.append(name, bytes, bar, note);
      list.append(row);
      send(file, row);
    }
  };
  const take = (input) => {
    const files = [...input.files];
    input.value = "";
    add(files);
  };
  for (const input of inputs) input.addEventListener("change", () => take(input));
  // The upload button sends what is still in the inputs; without script it posts the form.
  form.addEventListener("submit", (event) => {
    if (!list.children.length && inputs.every((input) => !input.files.length)) return;
    event.preventDefault();
    for (const input of inputs) take(input);
  });
  const ask = (n) => en
    ? `${n} file(s) are not uploaded yet and will be lost if you leave this page. Leave anyway?`
    : `还有 ${n} 个文件尚未上传完成，离开本页将丢失这些文件。确定离开吗？`;
  const draft = document.getElementById("finding-form");
  if (draft) draft.addEventListener("submit", (event) => {
    const n = unsent();
    if (!n) return;
    const question = en
      ? `${n} file(s) are still uploading. Saving now leaves this page and they will be lost. Save now? (Cancel stays here while they finish; the draft is saved automatically.)`
      : `还有 ${n} 个文件正在上传，现在保存草稿会离开本页，未上传完的文件将丢失。确定现在保存吗？（选“取消”留在本页继续上传，草稿会自动保存。）`;
    if (window.confirm(question)) {
      leaving = true;
      return;
    }
    event.preventDefault();
    saveDraft();
  });
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || link.target === "_blank" || link.hasAttribute("download")) return;
    if (link.getAttribute("href").startsWith("#") || !unsent()) return;
    if (window.confirm(ask(unsent()))) leaving = true;
    else event.preventDefault();
  });
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !unsent()) return;
    event.preventDefault();
    event.returnValue = "";
  });
}

// The unit's drawn signature, kept as a PNG: the pad fills a hidden field; without script the
// typed name is used instead.
for (const pad of document.querySelectorAll("[data-signature-pad]")) {
  const canvas = pad.querySelector("canvas");
  const field = pad.querySelector("input[name=signature]");
  const context = canvas.getContext("2d");
  context.lineWidth = 3;
  context.lineCap = "round";
  context.strokeStyle = "#111";
  let drawing = false;
  let drawn = false;
  const point = (e) => {
    const box = canvas.getBoundingClientRect();
    return [(e.clientX - box.left) * (canvas.width / box.width), (e.clientY - box.top) * (canvas.height / box.height)];
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    try { canvas.setPointerCapture(e.pointerId); } catch (_) { /* a synthetic pointer */ }
    context.beginPath();
    context.moveTo(...point(e));
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    context.lineTo(...point(e));
    context.stroke();
    drawn = true;
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    if (drawn) field.value = canvas.toDataURL("image/png");
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  pad.querySelector("[data-signature-clear]").addEventListener("click", () => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    field.value = "";
    drawn = false;
  });
}

// A printable document's print button.
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

// The intake form of a complaint: choosing the unit lists its staff, to tick those the complaint
// names (without script, names are typed).
for (const select of document.querySelectorAll("select[data-staff-from]")) {
  const list = select.form && select.form.querySelector("[data-staff-list]");
  if (!list) continue;
  select.addEventListener("change", async () => {
    list.replaceChildren();
    if (!select.value) return;
    try {
      const url = select.getAttribute("data-staff-from") + "?unit_id=" + encodeURIComponent(select.value);
      const answer = await fetch(url, { credentials: "same-origin" });
      if (answer.ok) list.innerHTML = await answer.text();
    } catch (_) { /* offline: names can still be typed */ }
  });
}
