/* The owner's header of a video page: visibility (draft or published), title and description, and
   the language it is spoken in (fixing it transcribes the video again in that language). */
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

  const spoken = document.getElementById("spoken-language");
  let spokenWas = spoken.value;
  spoken.addEventListener("change", async () => {
    try {
      const v = await api("PATCH", `/api/videos/${id}`, { language: spoken.value || null });
      spokenWas = spoken.value;
      const name = spoken.options[spoken.selectedIndex].text;
      if (v.status === "pending") Chronos.tell(`It is transcribed again in ${name}; students keep the old transcript meanwhile.`);
    } catch (e) { spoken.value = spokenWas; Chronos.tell(e.message); }
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
