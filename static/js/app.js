// Small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  // Forms that change something important ask once before they go.
  const question = form.getAttribute("data-confirm");
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

// Drafts are saved on the server as the supervisor goes: a pause in typing sends the form.
for (const form of document.querySelectorAll("form[data-autosave]")) {
  const status = form.querySelector("[data-autosave-status]");
  let timer = null;
  let inFlight = false;
  const say = (text) => { if (status) status.textContent = text; };
  const save = async () => {
    if (inFlight) { timer = window.setTimeout(save, 800); return; }
    inFlight = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: { "x-autosave": "1", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
      });
      const en = document.documentElement.lang === "en";
      const type = response.headers.get("content-type") || "";
      if (response.status === 204) say(en ? "Saved." : "已自动保存。");
      else if (response.status === 422 && type.startsWith("text/plain")) say(await response.text());
      else say(en ? "Not saved: press Save to see why (you may need to log in again)." : "未能自动保存：请点“保存草稿”查看原因（可能需要重新登录）。");
    } catch (_) {
      say(document.documentElement.lang === "en" ? "Offline: not saved yet, will retry." : "网络中断：尚未保存，稍后重试。");
      timer = window.setTimeout(save, 5000);
    } finally {
      inFlight = false;
    }
  };
  const later = () => { window.clearTimeout(timer); timer = window.setTimeout(save, 1200); };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}

// Evidence uploads: one request per file, with progress; a failed file can be sent again, and the
// typed draft is never lost (it is saved on its own).
for (const form of document.querySelectorAll("form[data-upload]")) {
  const list = form.querySelector("[data-upload-list]");
  const en = document.documentElement.lang === "en";
  const send = (file, row) => {
    const bar = row.querySelector("progress");
    const note = row.querySelector(".upload-note");
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
      note.textContent = text;
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "link-button";
      retry.textContent = en ? "Try again" : "重试";
      retry.addEventListener("click", () => { retry.remove(); note.textContent = ""; bar.value = 0; send(file, row); });
      row.append(retry);
    };
    request.addEventListener("load", () => {
      let answer = null;
      try { answer = JSON.parse(request.responseText); } catch (_) { /* not JSON */ }
      if (request.status === 200) {
        bar.value = 1;
        note.textContent = en ? "Saved." : "已保存。";
        row.dataset.done = "1";
        if ([...list.children].every((li) => li.dataset.done)) window.location.reload();
      } else if (answer && answer.refused && answer.refused.length) {
        note.textContent = answer.refused.join(" ");
        row.dataset.done = "1";
      } else {
        fail(en ? "Upload failed: this file was not saved." : "上传失败：此文件未保存。");
      }
    });
    request.addEventListener("error", () => fail(en ? "The connection dropped: this file was not saved." : "网络中断：此文件未保存。"));
    request.send(data);
  };
  form.addEventListener("submit", (event) => {
    const files = [...form.querySelectorAll("input[type=file]")].flatMap((input) => [...input.files]);
    if (!files.length || typeof XMLHttpRequest === "undefined") return;
    event.preventDefault();
    list.textContent = "";
    for (const file of files) {
      const row = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = file.name + " ";
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = 0;
      const note = document.createElement("span");
      note.className = "upload-note";
      row.append(name, bar, note);
      list.append(row);
      send(file, row);
    }
    for (const input of form.querySelectorAll("input[type=file]")) input.value = "";
    window.setTimeout(() => { for (const b of form.querySelectorAll("button[type=submit]")) b.disabled = false; }, 0);
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
