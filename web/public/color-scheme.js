// Sets Mantine's colour-scheme attribute from the saved choice before React starts, so a dark
// page never flashes light. Kept in sync with the key Mantine's localStorage manager uses.
(function () {
  var scheme = 'light';
  try {
    var saved = window.localStorage.getItem('pmo-color-scheme');
    if (saved === 'light' || saved === 'dark') scheme = saved;
    else if (saved === 'auto' || saved === null) {
      scheme = window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    }
  } catch (e) {
    /* storage blocked: keep light */
  }
  document.documentElement.setAttribute('data-mantine-color-scheme', scheme);
})();
