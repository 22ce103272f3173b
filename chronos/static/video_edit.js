/* The inline form that edits a video's title and description (library rows, the video page). */
"use strict";
const ChronosVideoEdit = (() => {
  const { el, api } = Chronos;

  /* A form filled with v's title and description; Save sends PATCH /api/videos/<id> and calls
     onSaved(video); Cancel or Escape calls onCancel(). */
  function form(v, { onSaved, onCancel }) {
    const title = el("input", { name: "title", maxlength: 200, required: "required", "aria-label": "Title" });
    const description = el("textarea", { name: "description", rows: 3, maxlength: 5000, "aria-label": "Description",
                                         placeholder: "What students learn in this lecture (optional)" });
    title.value = v.title;
    description.value = v.description || "";
    const error = el("p", { class: "error small", role: "alert", hidden: "hidden" });
    const save = el("button", { class: "primary small", type: "submit", text: "Save" });
    const node = el("form", { class: "details-form" },
      el("label", { class: "small" }, el("span", { text: "Title" }), title),
      el("label", { class: "small" }, el("span", { text: "Description" }), description),
      el("div", { class: "form-actions" }, save,
        el("button", { class: "ghost small", type: "button", text: "Cancel", onclick: () => onCancel() })),
      error);
    node.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); onCancel(); } });
    node.addEventListener("submit", async (e) => {
      e.preventDefault();
      save.disabled = true;
      try {
        onSaved(await api("PATCH", `/api/videos/${v.id}`, { title: title.value, description: description.value }));
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      } finally { save.disabled = false; }
    });
    setTimeout(() => { title.focus(); title.select(); });
    return node;
  }

  return { form };
})();
