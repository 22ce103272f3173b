/* The owner's header of a video page: visibility (draft or published), title and description. */
"use strict";
(() => {
  const { api } = Chronos;
  const root = document.querySelector("[data-video-id]");
  const id = Number(root.dataset.videoId);
  const box = document.getElementById("published");
  const label = document.getElementById("published-label");
  const note = document.getElementById("published-note");
  const title = document.getElementById("video-title");
  const description = document.getElementById("video-description");
  const edit = document.getElementById("edit-details");

  function show(published) {
    box.checked = published;
    label.textContent = published ? "Published" : "Draft";
    note.textContent = published ? "Students see it once it is ready." : "Only you see it; tick to show it to your students.";
  }

  box.addEventListener("change", async () => {
    const wanted = box.checked;
    try { show((await api("PATCH", `/api/videos/${id}`, { published: wanted })).published); }
    catch (e) { show(!wanted); Chronos.tell(e.message); }
  });

  edit.addEventListener("click", () => {
    const close = () => { node.remove(); title.hidden = false; description.hidden = !description.textContent; edit.hidden = false; };
    const node = ChronosVideoEdit.form({ id, title: title.textContent, description: description.textContent }, {
      onSaved: (v) => {
        title.textContent = v.title;
        description.textContent = v.description;
        document.title = `${v.title} · Chronos`;
        close();
        edit.focus();
      },
      onCancel: () => { close(); edit.focus(); },
    });
    title.hidden = description.hidden = edit.hidden = true;
    title.after(node);
  });
})();
