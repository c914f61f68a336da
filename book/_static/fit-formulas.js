// A displayed formula wider than the text column (on a phone) is drawn smaller to fit,
// down to 60% of its size (about 11 px); past that it scrolls inside its own box.
// MathJax 3's HTML output sets every size in em, so a font size scales the whole formula.
(function () {
  function fit() {
    document.querySelectorAll('div.math mjx-container[display="true"]').forEach(function (m) {
      m.style.fontSize = "";
      var math = m.querySelector("mjx-math");
      var box = m.parentElement.clientWidth;
      var need = math ? math.getBoundingClientRect().width : 0;
      if (need > box && box > 0) {
        m.style.fontSize = Math.max(0.6, (box - 2) / need) * 100 + "%";
      }
    });
  }
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(fit, 100);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fit);
  } else {
    fit();
  }
})();
