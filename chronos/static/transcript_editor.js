/* The owner's transcript editor on the video page: edit a line in place (Enter saves, Esc cancels),
   see what changed and undo it, find and replace with a preview, and the re-index state live. */
"use strict";
(() => {
  const { api, el, clock } = Chronos;
  const state = JSON.parse(document.getElementById("editor-state").textContent);
  const id = state.video_id;
  const list = document.getElementById("transcript");
  const badge = document.getElementById("index-state");
  let indexed = state.index.state === "up_to_date" ? state.index.revision : -1;

  // -- the re-index state, and the captions that follow it -----------------------------------------
  const LABELS = { up_to_date: "Up to date", reindexing: "Re-indexing…", failed: "Re-index failed" };
  function showIndex(s, revision, error) {
    if (s === "up_to_date") indexed = Math.max(indexed, revision);
    if (s === "reindexing" && indexed >= revision) s = "up_to_date"; // its job already finished
    const was = badge.dataset.state;
    badge.dataset.state = s;
    badge.className = `badge index-${s}`;
    badge.textContent = LABELS[s] || s;
    badge.title = error || "";
    if (s === "up_to_date" && was !== "up_to_date") refreshCaptions(revision);
  }
  function refreshCaptions(revision) {
    const old = document.querySelector("#player track");
    if (!old) return;
    const track = el("track", { kind: old.kind, srclang: old.srclang, label: old.label,
                                src: old.getAttribute("src").split("?")[0] + `?r=${revision}` });
    const mode = old.track ? old.track.mode : "disabled";
    old.replaceWith(track);
    track.track.mode = mode;
  }
  Chronos.live((e) => {
    if (e.type === "transcript_index" && e.video.id === id) showIndex(e.state, e.revision, e.error);
  });

  // -- one line: its text, its edit note -------------------------------------------------------
  const item = (index) => list.querySelector(`li[data-index="${index}"]`);
  function diffView(parts) {
    const out = el("span", { class: "diff" });
    for (const [op, text] of parts) {
      out.append(op === "equal" ? text : el(op === "delete" ? "del" : "ins", { text }), " ");
    }
    return out;
  }
  function showEdit(li, edit) {
    const old = li.querySelector(".edit-note");
    if (old) old.remove();
    if (!edit) return;
    const at = edit.created_at ? new Date(edit.created_at).toLocaleString() : "";
    li.append(el("div", { class: "edit-note" },
      el("span", { class: "edit-mark", text: edit.source === "replace" ? "Replaced" : "Edited", title: at }),
      diffView(edit.diff),
      el("button", { type: "button", class: "link undo", text: "Undo",
                     "aria-label": `Undo the edit of the line at ${clock(Number(li.querySelector(".line").dataset.start))}`,
                     onclick: () => undo(li) })));
  }
  function showSegment(li, segment) {
    li.querySelector(".line-text").textContent = segment.text;
    showEdit(li, segment.edit);
  }
  for (const [index, edit] of Object.entries(state.edits)) {
    const li = item(index);
    if (li) showEdit(li, edit);
  }

  async function undo(li) {
    try {
      const res = await api("POST", `/api/videos/${id}/segments/${li.dataset.index}/undo`);
      showSegment(li, res.segment);
      showIndex(res.index.state, res.index.revision);
      li.querySelector(".edit-line").focus();
    } catch (e) { note(li, e.message); }
  }
  function note(li, message) {
    let p = li.querySelector(".edit-error");
    if (!p) { p = el("p", { class: "edit-error error small", role: "alert" }); li.append(p); }
    p.textContent = message;
  }

  // -- editing in place ---------------------------------------------------------------------------
  function open(li) {
    if (li.querySelector(".line-editor")) return;
    if (!state.editable) { note(li, "This video is being processed; edit it when processing completes."); return; }
    const row = li.querySelector(".line-row");
    const span = li.querySelector(".line-text");
    const start = clock(Number(li.querySelector(".line").dataset.start));
    const box = el("textarea", { class: "line-edit", rows: 2, maxlength: 2000, "aria-label": `Line at ${start}` });
    box.value = span.textContent;
    const save = el("button", { type: "button", class: "primary small", text: "Save" });
    const cancel = el("button", { type: "button", class: "small", text: "Cancel" });
    const editor = el("div", { class: "line-editor" }, box,
      el("div", { class: "line-editor-actions" }, save, cancel,
        el("span", { class: "small muted", text: "Enter saves · Esc cancels" })));
    row.hidden = true;
    row.after(editor);
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    const close = () => { editor.remove(); row.hidden = false; li.querySelector(".edit-line").focus(); };
    async function submit() {
      const text = box.value.trim();
      if (!text) { note(li, "A line cannot be empty."); return; }
      save.disabled = true;
      try {
        const res = await api("PATCH", `/api/videos/${id}/segments/${li.dataset.index}`, { text });
        const error = li.querySelector(".edit-error");
        if (error) error.remove();
        close();
        showSegment(li, res.segment);
        showIndex(res.index.state, res.index.revision);
      } catch (e) { save.disabled = false; note(li, e.message); }
    }
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); submit(); }
      if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    save.addEventListener("click", submit);
    cancel.addEventListener("click", close);
  }
  list.addEventListener("click", (e) => {
    const button = e.target.closest(".edit-line");
    if (button) open(button.closest("li"));
  });
  list.addEventListener("dblclick", (e) => {
    if (e.target.closest(".line")) open(e.target.closest("li"));
  });
  list.addEventListener("keydown", (e) => {
    // Enter on a focused line edits it; Space still plays from it (the button's own action).
    if (e.key === "Enter" && e.target.classList.contains("line")) { e.preventDefault(); open(e.target.closest("li")); }
  });

  // -- find and replace ---------------------------------------------------------------------------
  const form = document.getElementById("replace-form");
  const result = document.getElementById("replace-result");
  let pending = null;
  function request(dryRun) {
    const body = { find: form.find.value, replace: form.replace.value, dry_run: dryRun };
    if (form.scope.value === "video") body.video_ids = [id];
    return body;
  }
  function matchesText(n, videos) {
    return `${n} match${n === 1 ? "" : "es"} in ${videos} video${videos === 1 ? "" : "s"}`;
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    result.replaceChildren(el("p", { class: "small muted", text: "Looking…" }));
    try {
      const res = await api("POST", "/api/transcripts/replace", request(true));
      pending = request(false);
      if (!res.matches) {
        result.replaceChildren(el("p", { id: "replace-summary", text: `No line has “${res.find}” as a whole word.` }));
        return;
      }
      const groups = res.videos.map((v) => el("li", {},
        el("strong", { text: v.title }), el("span", { class: "small muted", text: ` · ${v.matches}` }),
        el("ol", { class: "replace-lines" }, ...v.lines.map((line) => el("li", {},
          el("time", { text: clock(line.start_s) }), " ", diffView(line.diff))))));
      const apply = el("button", { type: "button", id: "replace-apply", class: "primary",
                                   text: `Apply ${res.matches} change${res.matches === 1 ? "" : "s"}` });
      apply.addEventListener("click", () => applyReplace(apply));
      result.replaceChildren(el("p", { id: "replace-summary", text: `${matchesText(res.matches, res.videos.length)}:` }),
                             el("ul", { class: "replace-preview" }, ...groups), apply);
    } catch (err) { result.replaceChildren(el("p", { class: "error", role: "alert", text: err.message })); }
  });

  async function applyReplace(button) {
    button.disabled = true;
    try {
      const res = await api("POST", "/api/transcripts/replace", pending);
      for (const v of res.videos.filter((v) => v.video_id === id)) {
        for (const line of v.lines) {
          const li = item(line.index);
          if (li) showSegment(li, { text: line.after, edit: { source: "replace", diff: line.diff } });
        }
      }
      const add = el("button", { type: "button", id: "add-term", text: `Add «${res.replace}» to glossary` });
      add.addEventListener("click", async () => {
        add.disabled = true;
        try {
          const g = await api("POST", "/api/glossary/terms", { term: res.replace });
          add.replaceWith(el("span", { class: "small", id: "term-added",
            text: g.added ? `Added «${res.replace}» to the glossary.` : `«${res.replace}» is already in the glossary.` }));
        } catch (err) { add.disabled = false; add.after(el("span", { class: "error", text: " " + err.message })); }
      });
      result.replaceChildren(el("p", { id: "replace-summary", text: `Replaced ${matchesText(res.matches, res.videos.length)}.` }),
                             el("div", { class: "actions" }, add));
      add.focus();
    } catch (err) {
      button.disabled = false;
      result.append(el("p", { class: "error", role: "alert", text: err.message }));
    }
  }
})();
