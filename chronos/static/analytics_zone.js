/* The reporting time zone on the analytics overview: saved as soon as it is picked (PUT
   /api/analytics/settings), then the page refetches. The browser's own zone is offered first. */
"use strict";
(() => {
  const form = document.getElementById("tz-form");
  const pick = document.getElementById("tz");
  const status = document.getElementById("tz-status");
  let current = pick.dataset.current;

  /* Suggest the browser's zone at the top when it is a zone we know and not the one in use. */
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (browser && browser !== current && [...pick.options].some((o) => o.value === browser)) {
    const group = document.createElement("optgroup");
    group.label = "This browser's zone";
    group.append(new Option(browser, browser));
    const rest = document.createElement("optgroup");
    rest.label = "All zones";
    rest.append(...pick.options);
    pick.replaceChildren(group, rest);
    pick.value = current;
  }

  async function save() {
    const name = pick.value;
    status.className = "small";
    status.setAttribute("role", "status");
    status.textContent = "Saving…";
    try {
      const data = await Chronos.api("PUT", "/api/analytics/settings", { timezone: name });
      current = data.timezone;
      status.textContent = `Saved: counting in ${current} from now on.`;
      document.dispatchEvent(new CustomEvent("chronos:zone"));
    } catch (e) {
      pick.value = current;  /* nothing changed on the server: show what is still in force */
      status.className = "small error";
      status.setAttribute("role", "alert");
      status.textContent = e.message;
    }
  }
  pick.addEventListener("change", save);
  form.addEventListener("submit", (e) => { e.preventDefault(); save(); });  /* Enter in the select */
})();
