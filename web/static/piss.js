// Preview of the PISS composite and band while the sub-scores are chosen. The server computes
// both again when the form is sent; the bands come from the page (data-bands), not from here.
"use strict";
(function () {
  const form = document.getElementById("verify");
  const output = document.getElementById("piss-preview");
  if (!form || !output) return;
  const bands = JSON.parse(form.dataset.bands); // [[lowest composite, band name], ...], highest first
  const scores = Array.from(form.querySelectorAll("select[data-piss]"));
  function update() {
    if (scores.some((select) => select.value === "")) {
      output.textContent = "choose all four sub-scores";
      return;
    }
    const quarters = scores.reduce((sum, select) => sum + Math.round(parseFloat(select.value) * 4), 0);
    const total = quarters / 4;
    const band = bands.find(([lowest]) => total >= lowest);
    output.textContent = `${total.toFixed(2).replace(/0$/, "")} (${band ? band[1] : "no band: not a production incident"})`;
  }
  scores.forEach((select) => select.addEventListener("change", update));
  update();
})();
