// Counts the deadlines on a page down once a minute from the seconds left when the server
// rendered it, in the server's words ("2 d 4 h left", "overdue by 3 h 5 min").
(function () {
  "use strict";
  var rendered = Date.now();
  function words(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var d = Math.floor(minutes / 1440);
    var h = Math.floor(minutes / 60) % 24;
    var m = minutes % 60;
    var span = d > 0 ? d + " d " + h + " h" : h > 0 ? h + " h " + m + " min" : m + " min";
    return seconds < 0 ? "overdue by " + span : span + " left";
  }
  function tick() {
    var elapsed = Math.floor((Date.now() - rendered) / 1000);
    document.querySelectorAll("[data-seconds-left]").forEach(function (el) {
      var left = Number(el.getAttribute("data-seconds-left")) - elapsed;
      el.textContent = words(left);
      if (left < 0) {
        el.classList.add("error");
      }
    });
  }
  setInterval(tick, 60000);
})();
