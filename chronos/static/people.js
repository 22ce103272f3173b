/* The people page: create and withdraw invites, revoke and restore students. */
"use strict";
(() => {
  const { api, dialog, tell } = Chronos;
  const form = document.getElementById("invite-form");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = {};  // numbers as numbers; an empty field is no limit
    for (const [name, value] of new FormData(form)) if (value !== "") data[name] = name === "note" ? value : Number(value);
    try {
      const invite = await api("POST", "/api/invites", data);
      document.getElementById("invite-url").textContent = invite.url;
      document.getElementById("new-invite").hidden = false;
    } catch (err) { tell(err.message); }
  });
  document.getElementById("copy-invite").addEventListener("click", () =>
    navigator.clipboard && navigator.clipboard.writeText(document.getElementById("invite-url").textContent));
  /* A one-time link the owner passes on (no e-mail needed); issuing another withdraws this one. */
  document.addEventListener("click", async (e) => {
    const b = e.target.closest("button[data-reset]");
    if (!b) return;
    try {
      const made = await api("POST", `/api/students/${b.dataset.reset}/reset-link`);
      const until = new Date(made.expires_at).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
      document.getElementById("reset-for").textContent =
        `Send this link to ${b.dataset.name}. It lets them choose a new password once, until ${until}.`;
      document.getElementById("reset-url").textContent = made.url;
      document.getElementById("reset-box").hidden = false;
    } catch (err) { tell(err.message); }
  });
  const copyReset = document.getElementById("copy-reset");
  if (copyReset) copyReset.addEventListener("click", () =>
    navigator.clipboard && navigator.clipboard.writeText(document.getElementById("reset-url").textContent));
  document.addEventListener("click", async (e) => {
    const b = e.target.closest("button[data-revoke], button[data-restore], button[data-withdraw]");
    if (!b) return;
    try {
      if (b.dataset.revoke) {
        if (!await dialog({ message: "Revoke this student's access? Their chats and progress are kept.",
                            ok: "Revoke", danger: true })) return;
        await api("POST", `/api/students/${b.dataset.revoke}/revoke`);
      } else if (b.dataset.restore) {
        await api("POST", `/api/students/${b.dataset.restore}/restore`);
      } else {
        await api("DELETE", `/api/invites/${b.dataset.withdraw}`);
      }
      location.reload();
    } catch (err) { tell(err.message); }
  });
})();
