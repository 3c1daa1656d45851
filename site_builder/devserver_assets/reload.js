// Served only by `board serve`, never written into a built board. It reloads the page after each
// rebuild and, when only stylesheets changed since this page was loaded, swaps them in place instead;
// a new search index reloads only the pages that used the old one.
// A hidden tab lets go of its event stream (browsers allow a handful of connections per server) and,
// shown again, reconnects: the server then sends the current build at once, so nothing is missed.
(() => {
  "use strict";
  let shown = Number(new URL(document.currentScript.src).searchParams.get("build"));
  let events = null;

  // A page that fetched anything from the search bundle holds a view of the old index.
  const usedSearch = () => performance.getEntriesByType("resource").some((entry) => entry.name.includes("/pagefind/"));

  const follow = (message) => {
    const state = JSON.parse(message.data);
    if (state.build <= shown) return;
    if (state.pages > shown || (state.search > shown && usedSearch())) {
      location.reload();
      return;
    }
    if (state.styles > shown) {
      for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
        const url = new URL(link.href);
        url.searchParams.set("board-build", state.build);
        link.href = url.href;
      }
    }
    shown = state.build;
  };

  const listen = () => {
    if (document.hidden) {
      events?.close();
      events = null;
    } else if (!events) {
      events = new EventSource("/__board__/events");
      events.addEventListener("build", follow);
    }
  };

  document.addEventListener("visibilitychange", listen);
  listen();
})();
