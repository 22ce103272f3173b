/* The course builder: details, modules and lectures arranged by drag and drop (SortableJS) or by
   the ↑ ↓ buttons; every change is saved at once. Also the "new course" form of the courses page. */
"use strict";
(() => {
  const { api, el, csrf, dialog } = Chronos;

  const newForm = document.getElementById("new-course");
  if (newForm) {
    newForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      const error = document.getElementById("new-course-error");
      try {
        const course = await api("POST", "/api/courses", { title: newForm.elements.title.value });
        location.href = `/courses/${course.id}/edit`;
      } catch (err) { error.textContent = err.message; error.hidden = false; }
    });
  }

  const root = document.getElementById("builder");
  if (!root) return;
  const courseId = Number(root.dataset.courseId);
  let course = JSON.parse(document.getElementById("course-data").textContent);
  const library = JSON.parse(document.getElementById("library-data").textContent);
  const lectures = new Map(library.map((v) => [v.id, v]));
  const modulesEl = document.getElementById("modules");
  const libraryEl = document.getElementById("library");
  const saveState = document.getElementById("save-state");

  function human(s) {
    if (!s) return "no running time yet";
    if (s < 60) return `${Math.round(s)} s`;
    if (s < 3600) return `${Math.round(s / 60)} min`;
    return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  }
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  /* -- saving, in order, with the state shown ---------------------------------------------------- */
  let chain = Promise.resolve();
  function show(text, kind) { saveState.textContent = text; saveState.className = `save-state small ${kind || ""}`; }
  function save(method, url, body, after) {
    show("Saving…", "busy");
    chain = chain.then(() => api(method, url, body)).then((result) => {
      if (after) after(result);
      show("All changes saved ✓", "ok");
    }).catch(async (err) => {
      show(`Not saved: ${err.message}`, "error");
      course = await api("GET", `/api/courses/${courseId}`);  // show what is really stored
      render();
    });
    return chain;
  }
  const saveCourse = (body, after) => save("PUT", `/api/courses/${courseId}`, body, (c) => { course = c; stats(); after && after(c); });

  function layout() {
    return [...modulesEl.querySelectorAll(":scope > .module")].map((m) => ({
      id: Number(m.dataset.moduleId),
      video_ids: [...m.querySelectorAll(".module-video")].map((v) => Number(v.dataset.videoId)),
    }));
  }
  function saveOrder() {
    refreshButtons();
    return save("PUT", `/api/courses/${courseId}/order`, { modules: layout() }, (c) => { course = c; stats(); });
  }

  /* -- drawing ------------------------------------------------------------------------------------ */
  function stateBadge(v) {
    if (!v) return null;
    if (v.status === "failed") return el("span", { class: "badge status-failed", text: "Failed" });
    if (v.status !== "completed") return el("span", { class: "badge status-pending", text: "Processing" });
    if (!v.visible) return el("span", { class: "badge status-pending", text: "Unpublished" });
    return null;
  }

  function videoEl(id) {
    const v = lectures.get(id) || { id, title: `Video ${id}` };
    return el("li", { class: "module-video", "data-video-id": id },
      el("span", { class: "handle video-handle", title: "Drag to move", "aria-hidden": "true", text: "⠿" }),
      el("span", { class: "video-name" }, el("span", { class: "video-label", text: v.title }),
        el("span", { class: "small muted", text: v.duration_s ? Chronos.clock(v.duration_s) : "" }), stateBadge(v)),
      el("span", { class: "row-buttons" },
        el("button", { type: "button", class: "icon", "data-act": "video-up", "aria-label": `Move ${v.title} up`, title: "Move up", text: "↑" }),
        el("button", { type: "button", class: "icon", "data-act": "video-down", "aria-label": `Move ${v.title} down`, title: "Move down", text: "↓" }),
        el("button", { type: "button", class: "icon", "data-act": "video-remove", "aria-label": `Remove ${v.title} from this module`, title: "Remove from module", text: "✕" })));
  }

  function moduleEl(m) {
    const list = el("ol", { class: "module-videos", "data-module-id": m.id, "aria-label": `Lectures in ${m.title}` });
    for (const id of m.video_ids) list.append(videoEl(id));
    return el("li", { class: "module card", "data-module-id": m.id },
      el("div", { class: "module-head" },
        el("span", { class: "handle module-handle", title: "Drag to reorder modules", "aria-hidden": "true", text: "⠿" }),
        el("input", { class: "module-title", name: "title", value: m.title, maxlength: 200, "aria-label": "Module title" }),
        el("span", { class: "row-buttons" },
          el("button", { type: "button", class: "icon", "data-act": "module-up", "aria-label": `Move module ${m.title} up`, title: "Move module up", text: "↑" }),
          el("button", { type: "button", class: "icon", "data-act": "module-down", "aria-label": `Move module ${m.title} down`, title: "Move module down", text: "↓" }),
          el("button", { type: "button", class: "icon", "data-act": "module-delete", "aria-label": `Delete module ${m.title}`, title: "Delete module", text: "✕" }))),
      el("textarea", { class: "module-description", name: "description", rows: 1, maxlength: 5000,
        placeholder: "What this module covers (optional)", "aria-label": `Description of ${m.title}` }, document.createTextNode(m.description || "")),
      list);
  }

  function render() {
    modulesEl.replaceChildren(...course.modules.map(moduleEl));
    wireSortables();
    refreshButtons();
    stats();
  }

  function stats() {
    const ids = new Set(course.modules.flatMap((m) => m.video_ids));
    document.getElementById("course-stats").textContent =
      ` · ${plural(course.modules.length, "module")} · ${plural(ids.size, "lecture")} · ${human(course.estimated_duration_s)}`;
    document.getElementById("modules-empty").hidden = course.modules.length > 0;
    const target = document.getElementById("add-target");
    const chosen = target.value;
    target.replaceChildren(...course.modules.map((m) => el("option", { value: m.id, text: m.title })));
    if (!course.modules.length) target.append(el("option", { value: "", text: "(add a module first)" }));
    if ([...target.options].some((o) => o.value === chosen)) target.value = chosen;
    else if (course.modules.length) target.value = course.modules[course.modules.length - 1].id;
  }

  /* Ends of the lists: the button is there but says it cannot go further. */
  function refreshButtons() {
    const mods = [...modulesEl.querySelectorAll(":scope > .module")];
    mods.forEach((m, i) => {
      m.querySelector('[data-act="module-up"]').setAttribute("aria-disabled", i === 0);
      m.querySelector('[data-act="module-down"]').setAttribute("aria-disabled", i === mods.length - 1);
    });
    const all = [...modulesEl.querySelectorAll(".module-video")];
    all.forEach((v, i) => {
      v.querySelector('[data-act="video-up"]').setAttribute("aria-disabled", i === 0);
      v.querySelector('[data-act="video-down"]').setAttribute("aria-disabled", i === all.length - 1);
    });
  }

  /* -- drag and drop ------------------------------------------------------------------------------ */
  // forceFallback: Sortable moves a copy with pointer events instead of native HTML5 drag, which
  // behaves the same in every browser, on touch screens, and under test automation.
  // People who ask their system for less motion get no sliding animation.
  const still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const common = { animation: still ? 0 : 150, forceFallback: true, fallbackTolerance: 3,
                   delayOnTouchOnly: true, delay: 120 };
  let sortables = [];
  const holds = (listEl, id) => !!listEl.querySelector(`.module-video[data-video-id="${id}"]`);
  const DUPLICATE = "That module already has this lecture.";

  /* The drop target is the module under the pointer on release. Sortable keeps an item in the last
     list it crossed, and enters an empty list only near its edge, so a diagonal drag toward an
     empty module below a full one ended in the full one. */
  function pointerOf(evt) {
    const p = evt && evt.changedTouches && evt.changedTouches.length ? evt.changedTouches[0] : evt;
    return p && Number.isFinite(p.clientX) ? p : null;
  }
  function listUnder(evt) {
    const p = pointerOf(evt);
    const under = p && document.elementFromPoint(p.clientX, p.clientY);
    const mod = under && under.closest("#modules > .module");
    return mod ? mod.querySelector(".module-videos") : null;
  }
  // Moves item (in a list, or new) into the list under the pointer, before the first lecture whose
  // middle is below it; false when that module already holds the lecture. A lecture of a module
  // released outside every module stays where Sortable put it.
  function placeUnderPointer(item, evt) {
    const list = listUnder(evt);
    if (!list || list === item.parentElement) return true;
    if (holds(list, item.dataset.videoId)) return false;
    const y = pointerOf(evt).clientY;
    const before = [...list.children].find((x) => x !== item && y < x.getBoundingClientRect().top + x.getBoundingClientRect().height / 2);
    list.insertBefore(item, before || null);
    return true;
  }

  function wireSortables() {
    sortables.forEach((s) => s.destroy());
    sortables = [Sortable.create(modulesEl, { ...common, handle: ".module-handle", draggable: ".module",
      onEnd: (e) => { if (e.oldIndex !== e.newIndex) saveOrder(); } })];
    let before = null;  // the layout when the drag began
    for (const list of modulesEl.querySelectorAll(".module-videos")) {
      sortables.push(Sortable.create(list, { ...common, handle: ".video-handle", draggable: ".module-video",
        // A module holds each lecture once: refuse a drop where it already is.
        group: { name: "lectures", put: (to, from, dragged) => from === to || !holds(to.el, dragged.dataset.videoId) },
        onStart: () => { before = JSON.stringify(layout()); },
        onEnd: (e) => {
          if (!placeUnderPointer(e.item, e.originalEvent)) {
            e.from.insertBefore(e.item, e.from.children[e.oldIndex] || null);  // back where it was
            show(DUPLICATE, "error");
          }
          if (JSON.stringify(layout()) !== before) saveOrder();
        } }));
    }
  }

  Sortable.create(libraryEl, { ...common, sort: false, handle: ".video-handle", draggable: ".library-item",
    group: { name: "lectures", pull: "clone", put: false },
    onEnd: (e) => {
      const fresh = videoEl(Number(e.item.dataset.videoId));
      if (pointerOf(e.originalEvent) && !listUnder(e.originalEvent)) {  // released over no module
        if (e.to !== libraryEl) e.item.remove();  // the library keeps its copy
        return;
      }
      if (e.to !== libraryEl) e.item.replaceWith(fresh);
      else if (!listUnder(e.originalEvent)) return;
      if (!placeUnderPointer(fresh, e.originalEvent)) { fresh.remove(); show(DUPLICATE, "error"); return; }
      saveOrder();
    } });

  /* -- the library panel -------------------------------------------------------------------------- */
  function libraryItem(v) {
    return el("li", { class: "library-item", "data-video-id": v.id, "data-title": v.title.toLowerCase() },
      el("span", { class: "handle video-handle", title: "Drag into a module", "aria-hidden": "true", text: "⠿" }),
      el("span", { class: "video-name" }, el("span", { class: "video-label", text: v.title }),
        el("span", { class: "small muted", text: v.duration_s ? Chronos.clock(v.duration_s) : "" }), stateBadge(v)),
      el("button", { type: "button", class: "small", "data-act": "add", "aria-label": `Add ${v.title} to the chosen module`, text: "Add" }));
  }
  libraryEl.replaceChildren(...library.map(libraryItem));
  const search = document.getElementById("library-search");
  function filterLibrary() {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    for (const li of libraryEl.children) { li.hidden = q && !li.dataset.title.includes(q); shown += !li.hidden; }
    const empty = document.getElementById("library-empty");
    empty.textContent = library.length ? "No lectures match." : "Your library is empty: upload lectures on the Library page.";
    empty.hidden = shown > 0;
  }
  search.addEventListener("input", filterLibrary);
  filterLibrary();

  libraryEl.addEventListener("click", (e) => {
    const button = e.target.closest('button[data-act="add"]');
    if (!button) return;
    const id = button.closest(".library-item").dataset.videoId;
    const target = modulesEl.querySelector(`.module-videos[data-module-id="${document.getElementById("add-target").value}"]`);
    if (!target) { show("Add a module first, then add lectures to it.", "error"); return; }
    if (holds(target, id)) { show("That module already has this lecture.", "error"); return; }
    target.append(videoEl(Number(id)));
    saveOrder();
  });

  /* -- buttons inside modules --------------------------------------------------------------------- */
  function moveModule(mod, dir) {
    const other = dir < 0 ? mod.previousElementSibling : mod.nextElementSibling;
    if (!other) return false;
    if (dir < 0) other.before(mod); else other.after(mod);
    return true;
  }
  function moveVideo(item, dir) {
    const sibling = dir < 0 ? item.previousElementSibling : item.nextElementSibling;
    if (sibling) { if (dir < 0) sibling.before(item); else sibling.after(item); return true; }
    // At the end of its module: on into the neighbouring module.
    const mod = item.closest(".module");
    const other = dir < 0 ? mod.previousElementSibling : mod.nextElementSibling;
    if (!other) return false;
    const list = other.querySelector(".module-videos");
    if (holds(list, item.dataset.videoId)) { show("The next module already has this lecture.", "error"); return false; }
    if (dir < 0) list.append(item); else list.prepend(item);
    return true;
  }

  modulesEl.addEventListener("click", async (e) => {
    const button = e.target.closest("button[data-act]");
    if (!button) return;
    const mod = button.closest(".module"), item = button.closest(".module-video");
    const act = button.dataset.act;
    if (act === "module-up" || act === "module-down") {
      if (moveModule(mod, act === "module-up" ? -1 : 1)) { button.focus(); saveOrder(); }
    } else if (act === "video-up" || act === "video-down") {
      if (moveVideo(item, act === "video-up" ? -1 : 1)) { button.focus(); saveOrder(); }
    } else if (act === "video-remove") {
      const next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      (next ? next.querySelector('[data-act="video-remove"]') : mod.querySelector(".module-title")).focus();
      saveOrder();
    } else if (act === "module-delete") {
      const title = mod.querySelector(".module-title").value;
      if (!await dialog({ message: `Delete the module “${title}”? Its lectures stay in your library.`, ok: "Delete module", danger: true })) return;
      await save("DELETE", `/api/courses/${courseId}/modules/${mod.dataset.moduleId}`, undefined, () => {});
      course = await api("GET", `/api/courses/${courseId}`);
      render();
    }
  });

  modulesEl.addEventListener("change", (e) => {
    const field = e.target.closest(".module-title, .module-description");
    if (!field) return;
    const mod = field.closest(".module");
    const body = { [field.name]: field.value };
    save("PUT", `/api/courses/${courseId}/modules/${mod.dataset.moduleId}`, body, (m) => {
      course.modules = course.modules.map((x) => (x.id === m.id ? m : x));
      stats();
    });
  });

  document.getElementById("add-module").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    await save("POST", `/api/courses/${courseId}/modules`, { title: form.elements.title.value }, () => { form.reset(); });
    course = await api("GET", `/api/courses/${courseId}`);
    render();
    const last = modulesEl.querySelector(":scope > .module:last-child .module-title");
    if (last) last.focus();
  });

  /* -- course details ----------------------------------------------------------------------------- */
  const details = document.getElementById("details");
  details.addEventListener("submit", (e) => e.preventDefault());
  details.addEventListener("change", (e) => {
    const field = e.target;
    if (field.type === "file") return;
    let body;
    if (field.name === "published") body = { published: field.checked };
    else if (field.name === "tutor_mode") body = { tutor_mode: field.checked ? "hint" : "answer" };
    else if (field.name === "prerequisites") {
      body = { prerequisites: [...details.querySelectorAll('input[name="prerequisites"]:checked')].map((c) => Number(c.value)) };
    } else body = { [field.name]: field.value };
    saveCourse(body, (c) => {
      document.getElementById("course-heading").textContent = c.title;
      const badge = document.getElementById("course-state");
      badge.textContent = c.published ? "Published" : "Draft";
      badge.className = `badge ${c.published ? "state-published" : "state-draft"}`;
      document.getElementById("course-tutor").hidden = c.tutor_mode !== "hint";
    }).then(() => {  // after a refusal, the form shows what is stored
      details.elements.title.value = course.title;
      details.elements.published.checked = course.published;
      details.elements.tutor_mode.checked = course.tutor_mode === "hint";
      for (const box of details.querySelectorAll('input[name="prerequisites"]')) box.checked = course.prerequisites.includes(Number(box.value));
    });
  });

  const thumbInput = document.getElementById("thumb-input");
  document.getElementById("thumb-pick").addEventListener("click", () => thumbInput.click());
  function showThumb(url) {
    const img = document.getElementById("thumb-preview");
    img.hidden = !url;
    if (url) img.src = `${url}?v=${Date.now()}`;
    document.getElementById("thumb-blank").hidden = !!url;
    document.getElementById("thumb-remove").hidden = !url;
  }
  thumbInput.addEventListener("change", async () => {
    const file = thumbInput.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    show("Uploading picture…", "busy");
    try {
      const res = await fetch(`/api/courses/${courseId}/thumbnail`, { method: "POST", body: form, headers: { "X-CSRF-Token": csrf() } });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(data.error || `Upload failed (${res.status})`);
      course = data;
      showThumb(data.thumbnail_url);
      show("All changes saved ✓", "ok");
    } catch (err) { show(`Not saved: ${err.message}`, "error"); }
    thumbInput.value = "";
  });
  document.getElementById("thumb-remove").addEventListener("click", () =>
    save("DELETE", `/api/courses/${courseId}/thumbnail`, undefined, (c) => { course = c; showThumb(null); }));

  document.getElementById("delete-course").addEventListener("click", async () => {
    if (!await dialog({ message: `Delete the course “${course.title}”? Its lectures stay in your library; students' progress in it is lost.`,
                        ok: "Delete course", danger: true })) return;
    try { await api("DELETE", `/api/courses/${courseId}`); location.href = "/courses"; } catch (err) { show(err.message, "error"); }
  });

  render();
})();
