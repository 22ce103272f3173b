/* The Webhooks page: Replay applies a stored delivery again, then the log is reloaded. */
document.addEventListener("click", async (e) => {
  const b = e.target.closest("button[data-replay]");
  if (!b) return;
  try { await Chronos.api("POST", `/api/webhooks/events/${b.dataset.replay}/replay`); location.reload(); }
  catch (err) { Chronos.tell(err.message); }
});
