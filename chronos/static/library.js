/* The library: drag-and-drop uploads with per-file progress, and live video status. */
"use strict";
(() => {
  const { el, clock, bytes, stageLabel, api, csrf } = Chronos;
  const list = document.getElementById("videos");
  const empty = document.getElementById("empty");
  const count = document.getElementById("video-count");
  const uploads = document.getElementById("uploads");
  const drop = document.getElementById("dropzone");
  const input = document.getElementById("file-input");
  const maxBytes = Number(drop.dataset.maxBytes);
  const videos = new Map();

  function render(v) {
    const done = v.status === "completed", failed = v.status === "failed";
    // Transcribing reports its share of the duration; chunking and embedding follow it quickly.
    const pct = v.status === "transcribing" ? Math.round(v.progress * 100)
      : (["chunking", "embedding", "completed"].includes(v.status) ? 100 : 0);
    const row = el("li", { class: `video status-${v.status}`, "data-id": v.id, "data-status": v.status },
      el("a", { class: "thumb", href: `/videos/${v.id}`, "aria-label": `Open ${v.title}` },
        v.thumbnail_url ? el("img", { src: v.thumbnail_url, alt: "", loading: "lazy" })
                        : el("span", { class: "thumb-blank", text: v.has_video === false ? "♪" : "▶" })),
      el("div", { class: "video-main" },
        el("div", { class: "title-row" },
          el("a", { class: "video-title", href: `/videos/${v.id}`, text: v.title }),
          el("button", { class: "icon edit-details", type: "button", text: "✎", title: "Edit title and description",
                         "aria-label": `Edit ${v.title}`, onclick: (e) => editDetails(e.target.closest("li"), v.id) })),
        v.description ? el("p", { class: "description small muted", text: v.description }) : null,
        el("div", { class: "meta muted small",
                    text: [clock(v.duration_s), v.chunks ? `${v.chunks} passage${v.chunks === 1 ? "" : "s"}` : null,
                           v.language ? v.language.toUpperCase() : null].filter(Boolean).join(" · ") }),
        done || failed ? null : el("div", { class: "progress", role: "progressbar", "aria-valuenow": pct,
                                            "aria-valuemin": 0, "aria-valuemax": 100 },
                                   el("div", { class: "bar", style: `width:${pct}%` })),
        failed && v.error ? el("p", { class: "error small", text: v.error }) : null,
        !failed && v.error ? el("p", { class: "warn small", text: v.error }) : null),
      el("div", { class: "video-side" },
        el("span", { class: `badge status-${v.status}`,
                     text: stageLabel(v.stage || v.status) + (v.status === "transcribing" ? ` ${pct}%` : "") }),
        el("label", { class: "publish small", title: "Students see published videos once they are ready" },
          el("input", { type: "checkbox", checked: v.published ? "checked" : null, "aria-label": `Published: ${v.title}`,
                        onchange: (e) => act("PATCH", `/api/videos/${v.id}`, { published: e.target.checked }) }),
          el("span", { text: v.published ? "Published" : "Draft" })),
        failed ? el("button", { class: "small primary", type: "button", text: "Retry",
                                onclick: () => act("POST", `/api/videos/${v.id}/retry`) }) : null,
        el("button", { class: "small ghost", type: "button", text: "Delete", "aria-label": `Delete ${v.title}`,
                       onclick: async () => {
                         if (await Chronos.dialog({ message: `Delete “${v.title}” and its transcript?`, ok: "Delete", danger: true })) {
                           act("DELETE", `/api/videos/${v.id}`);
                         } } })));
    return row;
  }

  /* The row's title and description become a small form until saved or cancelled. */
  function editDetails(row, id) {
    const main = row.querySelector(".video-main");
    const done = () => { const now = list.querySelector(`li[data-id="${id}"]`); if (now) now.querySelector(".edit-details").focus(); };
    main.hidden = true;
    main.after(ChronosVideoEdit.form(videos.get(id), {
      onSaved: (v) => { row.querySelector(".details-form").remove(); upsert(v); done(); },
      onCancel: () => { row.querySelector(".details-form").remove(); upsert(videos.get(id)); done(); },
    }));
  }

  async function act(method, url, body) {
    try { const v = await api(method, url, body); if (v.id) upsert(v); if (v.deleted) remove(v.deleted); }
    catch (e) { Chronos.tell(e.message); }
  }

  function upsert(v) {
    const prev = videos.get(v.id) || {};
    // A reply that left the server before the latest live event must not roll the row back.
    if (prev.updated_at && v.updated_at && v.updated_at < prev.updated_at) return;
    v = { ...prev, ...v };
    videos.set(v.id, v);
    const old = list.querySelector(`li[data-id="${v.id}"]`);
    if (old && old.querySelector(".details-form")) return;  // being edited: redrawn when saved or cancelled
    const node = render(v);
    if (old) old.replaceWith(node); else list.prepend(node);
    refresh();
  }

  function remove(id) {
    videos.delete(id);
    const old = list.querySelector(`li[data-id="${id}"]`);
    if (old) old.remove();
    refresh();
  }

  function refresh() {
    empty.hidden = videos.size > 0;
    count.textContent = videos.size ? `(${videos.size})` : "";
  }

  /* Uploads: one request per file so each has its own progress bar. */
  function upload(file) {
    const bar = el("div", { class: "bar", style: "width:0%" });
    const status = el("span", { class: "small muted", text: "Waiting…" });
    const item = el("li", { class: "upload", "data-name": file.name },
      el("div", { class: "upload-name", text: `${file.name} · ${bytes(file.size)}` }),
      el("div", { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100,
                  "aria-valuenow": 0 }, bar), status);
    uploads.append(item);
    if (file.size > maxBytes) {
      item.classList.add("failed");
      status.textContent = `Too large: the limit is ${bytes(maxBytes)} (${drop.dataset.limitWhose}). Compress it or split it into parts.`;
      return;
    }
    const form = new FormData();
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/videos");
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      bar.style.width = pct + "%";
      item.querySelector(".progress").setAttribute("aria-valuenow", pct);
      status.textContent = pct < 100 ? `Uploading ${pct}%` : "Checking the file…";
    };
    xhr.onload = () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (xhr.status === 201) {
        item.classList.add("done");
        bar.style.width = "100%";
        status.textContent = "Uploaded — queued for transcription";
        if (!videos.has(data.id)) upsert(data);  // a live event may already be newer
        setTimeout(() => item.remove(), 4000);
      } else {
        item.classList.add("failed");
        status.textContent = data.error || `Upload failed (${xhr.status}).`;
        item.append(el("button", { class: "small ghost", type: "button", text: "Dismiss",
                                   onclick: () => item.remove() }));
      }
    };
    xhr.onerror = () => { item.classList.add("failed"); status.textContent = "Upload interrupted: check that Chronos is running and try again."; };
    xhr.send(form);
  }

  function handle(files) { for (const f of files) upload(f); }

  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); handle(e.dataTransfer.files); });
  drop.addEventListener("click", (e) => { if (e.target.tagName !== "INPUT") input.click(); });
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  input.addEventListener("change", () => { handle(input.files); input.value = ""; });
  document.addEventListener("keydown", (e) => {
    if (e.key === "u" && !e.ctrlKey && !e.metaKey && !["INPUT", "TEXTAREA"].includes(document.activeElement.tagName)) input.click();
  });

  const initial = JSON.parse(document.getElementById("videos-data").textContent);
  for (const v of initial.reverse()) upsert(v);
  refresh();

  Chronos.live((e) => {
    if (e.type === "video") {
      upsert(e.video);
      // Live events carry no thumbnail_url: fetch a finished video once to show its frame.
      const v = videos.get(e.video.id);
      if ((v.status === "completed" || v.status === "failed") && v.has_video && !v.thumbnail_url) {
        api("GET", `/api/videos/${v.id}`).then((full) => { if (videos.has(full.id)) upsert(full); }).catch(() => {});
      }
    } else if (e.type === "video_deleted") remove(e.video_id);
  });
})();
